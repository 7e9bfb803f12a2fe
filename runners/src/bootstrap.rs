//! Base images without a registry: a Debian root file system made with debootstrap from the
//! host's own package mirror, imported into Docker under the name the Dockerfiles use.

use std::path::{Path, PathBuf};

use crate::docker::{Docker, DockerError, debian_suite};

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(
        "{image}: only Debian images (debian:<suite> or debian:<suite>-slim) can be built from packages"
    )]
    NotDebian { image: String },
    #[error("debootstrap is not installed; install it with `apt-get install debootstrap`")]
    NoDebootstrap,
    #[error("debootstrap failed for {suite} from {mirror}: {log}")]
    Debootstrap { suite: String, mirror: String, log: String },
    #[error("cannot prepare the root file system in {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("importing {image} into Docker failed: {reason}")]
    Import { image: String, reason: String },
    #[error(transparent)]
    Docker(#[from] DockerError),
}

/// The Debian mirror the host's apt uses, so the image gets packages from the same place.
pub fn host_mirror() -> String {
    let deb822 =
        std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources").unwrap_or_default();
    let from_deb822 = deb822
        .lines()
        .filter_map(|line| line.strip_prefix("URIs:"))
        .flat_map(str::split_whitespace)
        .find(|uri| !uri.contains("security"));
    let classic = std::fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
    let from_classic = classic.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("deb")).then(|| words.find(|word| word.starts_with("http"))).flatten()
    });
    from_deb822.or(from_classic).unwrap_or("http://deb.debian.org/debian").to_owned()
}

pub enum Outcome {
    AlreadyThere,
    Built,
}

/// Builds `image` from Debian packages unless it exists (or `force`).
pub async fn bootstrap(
    docker: &Docker,
    image: &str,
    work_dir: &Path,
    force: bool,
) -> Result<Outcome, BootstrapError> {
    let suite =
        debian_suite(image).ok_or_else(|| BootstrapError::NotDebian { image: image.to_owned() })?;
    if !force && docker.image_exists(image).await? {
        return Ok(Outcome::AlreadyThere);
    }
    let debootstrap = ["/usr/sbin/debootstrap", "/sbin/debootstrap", "/usr/bin/debootstrap"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .ok_or(BootstrapError::NoDebootstrap)?;
    let root = work_dir.join(format!("rootfs-{suite}-{}", uuid::Uuid::new_v4().simple()));
    let io = |source| BootstrapError::Io { path: root.clone(), source };
    std::fs::create_dir_all(work_dir).map_err(io)?;
    let mirror = host_mirror();
    tracing::info!(suite, mirror, "running debootstrap; this takes about half a minute");
    let output = tokio::process::Command::new(debootstrap)
        .args(["--variant=minbase", suite])
        .arg(&root)
        .arg(&mirror)
        .output()
        .await
        .map_err(io)?;
    let result = async {
        if !output.status.success() {
            let log = String::from_utf8_lossy(&output.stderr)
                .lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .join("\n");
            return Err(BootstrapError::Debootstrap {
                suite: suite.to_owned(),
                mirror: mirror.clone(),
                log,
            });
        }
        configure_apt(&root, &mirror, suite).map_err(io)?;
        import(docker, &root, image).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&root);
    result.map(|()| Outcome::Built)
}

/// Points apt in the image at the same mirror and trims caches, as the slim images do.
fn configure_apt(root: &Path, mirror: &str, suite: &str) -> std::io::Result<()> {
    let sources = format!(
        "Types: deb\nURIs: {mirror}\nSuites: {suite} {suite}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    );
    std::fs::create_dir_all(root.join("etc/apt/sources.list.d"))?;
    std::fs::write(root.join("etc/apt/sources.list.d/debian.sources"), sources)?;
    let _ = std::fs::remove_file(root.join("etc/apt/sources.list"));
    for cache in ["var/cache/apt/archives", "var/lib/apt/lists"] {
        let dir = root.join(cache);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|kind| kind.is_file()) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    Ok(())
}

/// `docker import`: the root file system as a tar stream becomes a one-layer image.
async fn import(docker: &Docker, root: &Path, image: &str) -> Result<(), BootstrapError> {
    let (repo, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
    let mut tar = tokio::process::Command::new("tar")
        .args(["--numeric-owner", "-C"])
        .arg(root)
        .args(["-c", "."])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|source| BootstrapError::Io { path: root.to_owned(), source })?;
    let stdout = tar.stdout.take().ok_or_else(|| BootstrapError::Import {
        image: image.to_owned(),
        reason: "no tar output".to_owned(),
    })?;
    docker.import_image(stdout, repo, tag).await.map_err(|err| BootstrapError::Import {
        image: image.to_owned(),
        reason: err.to_string(),
    })?;
    let status =
        tar.wait().await.map_err(|source| BootstrapError::Io { path: root.to_owned(), source })?;
    if !status.success() {
        return Err(BootstrapError::Import {
            image: image.to_owned(),
            reason: format!("tar exited with {status}"),
        });
    }
    if !docker.image_exists(image).await? {
        return Err(BootstrapError::Import {
            image: image.to_owned(),
            reason: "the engine accepted the import but has no such image".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_image_names_give_their_suite() {
        assert_eq!(debian_suite("debian:bookworm-slim"), Some("bookworm"));
        assert_eq!(debian_suite("debian:trixie"), Some("trixie"));
        assert_eq!(debian_suite("alpine:3.20"), None);
        assert_eq!(debian_suite("debian:12"), None);
    }
}
