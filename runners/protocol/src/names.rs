//! Names that travel between web server and runner hosts and end up in paths: what is safe.

/// A file name a solution may contain: no paths, no hidden files, nothing a shell would mangle.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// One directory name: no separators, no `..`, nothing hidden, no control characters.
pub fn is_safe_path_component(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

/// A Git commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
pub fn is_revision(text: &str) -> bool {
    matches!(text.len(), 40 | 64)
        && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_accepted() {
        for good in ["Main.java", "solution.py", "my_file-2.txt"] {
            assert!(is_safe_file_name(good), "{good}");
        }
        for bad in ["", ".hidden", "../etc/passwd", "a/b.java", "a b.py", "x;rm", "ü.py"] {
            assert!(!is_safe_file_name(bad), "{bad}");
        }
    }
}
