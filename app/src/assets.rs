//! Static files embedded in the binary and served under content-hashed names, cached for a year.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "../static"]
#[exclude = "*.md"]
struct StaticFiles;

struct Asset {
    bytes: Cow<'static, [u8]>,
    content_type: &'static str,
}

/// Maps each file to its hashed URL (`css/app.css` → `/static/css/app.3f2a9c1b7d.css`) and back.
/// Files in versioned vendor folders are also found under their plain paths, because vendored
/// stylesheets name their images relatively.
#[derive(Clone)]
pub struct Assets {
    urls: Arc<HashMap<String, String>>,
    by_hashed_path: Arc<HashMap<String, Asset>>,
    by_plain_path: Arc<HashMap<String, Asset>>,
}

/// Vendor folders whose names carry their version, so a plain path inside never changes content.
const VERSIONED_FOLDERS: &[&str] = &["vendor/ace-1.45.2/"];

impl Assets {
    pub fn load() -> Self {
        let mut urls = HashMap::new();
        let mut by_hashed_path = HashMap::new();
        let mut by_plain_path = HashMap::new();
        for name in StaticFiles::iter() {
            let Some(file) = StaticFiles::get(&name) else { continue };
            let digest = hex::encode(&Sha256::digest(&file.data)[..5]);
            let hashed = match name.rsplit_once('.') {
                Some((stem, extension)) => format!("{stem}.{digest}.{extension}"),
                None => format!("{name}.{digest}"),
            };
            let content_type = content_type(&name);
            urls.insert(name.to_string(), format!("/static/{hashed}"));
            if VERSIONED_FOLDERS.iter().any(|folder| name.starts_with(folder)) {
                by_plain_path
                    .insert(name.to_string(), Asset { bytes: file.data.clone(), content_type });
            }
            by_hashed_path.insert(hashed, Asset { bytes: file.data, content_type });
        }
        Self {
            urls: Arc::new(urls),
            by_hashed_path: Arc::new(by_hashed_path),
            by_plain_path: Arc::new(by_plain_path),
        }
    }

    /// The URL of an embedded file; panics in tests if the file does not exist.
    pub fn url(&self, name: &str) -> &str {
        self.urls.get(name).map_or_else(
            || {
                debug_assert!(false, "no static file {name}");
                "/static/missing"
            },
            String::as_str,
        )
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[handler]
pub fn serve(Path(path): Path<String>, assets: Data<&Assets>) -> Response {
    match assets.by_hashed_path.get(&path).or_else(|| assets.by_plain_path.get(&path)) {
        Some(asset) => Response::builder()
            .content_type(asset.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(asset.bytes.to_vec()),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CACHE_CONTROL, "no-store")
            .body("no such file"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_gets_a_hashed_url_that_serves_it() {
        let assets = Assets::load();
        let url = assets.url("css/app.css");
        assert!(url.starts_with("/static/css/app.") && url.ends_with(".css"), "{url}");
        let hashed = url.trim_start_matches("/static/");
        assert!(assets.by_hashed_path.contains_key(hashed));
    }

    /// The vendored scripts are exactly the pinned upstream files recorded in static/vendor/README.md.
    #[test]
    fn vendored_files_match_their_recorded_checksums() {
        let readme = include_str!("../../static/vendor/README.md");
        let mut checked = 0;
        let mut listed = 0;
        for line in readme.lines() {
            let mut cells = line.split('|').map(str::trim).filter(|cell| !cell.is_empty());
            let (Some(file), Some(_version), Some(sha256)) =
                (cells.next(), cells.next(), cells.next())
            else {
                continue;
            };
            let file = file.trim_matches('`');
            if !sha256.starts_with('`') {
                continue;
            }
            listed += 1;
            let Some(embedded) = StaticFiles::get(&format!("vendor/{file}")) else {
                panic!("{file} is listed but not embedded");
            };
            assert_eq!(
                hex::encode(Sha256::digest(&embedded.data)),
                sha256.trim_matches('`'),
                "{file}"
            );
            checked += 1;
        }
        assert!(listed >= 5, "the table lists the vendored files");
        assert_eq!(checked, listed);
        let embedded = StaticFiles::iter().filter(|name| name.starts_with("vendor/")).count();
        assert_eq!(checked, embedded, "every vendored file is listed with its checksum");
    }

    #[test]
    fn files_in_versioned_vendor_folders_are_served_under_their_plain_paths_too() {
        let assets = Assets::load();
        assert!(assets.by_plain_path.contains_key("vendor/ace-1.45.2/css/main-1.png"));
        assert!(!assets.by_plain_path.contains_key("css/app.css"));
    }
}
