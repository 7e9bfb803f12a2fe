//! Repository addresses without the passwords or tokens they may hold, for pages, logs, error
//! messages and the audit log: staff need to see where tasks come from, never how to log in there.

/// What stands where the credentials were.
const HIDDEN: &str = "…";

/// `https://oauth2:token@host/path` → `https://…@host/path`; other addresses stay as they are.
pub fn url_without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    // git ends the user and password only at the path, so a `?` or `#` may be in a password.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{HIDDEN}@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Every address in a text (git's error messages quote the one they failed on) without its
/// credentials.
pub fn text_without_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find("://") {
        let (before, after) = rest.split_at(found + 3);
        out.push_str(before);
        // The address's authority ends at a path, a quote, a space or the text's end.
        let authority_end =
            after.find(|c: char| "/'\"`<>".contains(c) || c.is_whitespace()).unwrap_or(after.len());
        match after[..authority_end].rfind('@') {
            Some(at) => {
                out.push_str(HIDDEN);
                out.push_str(&after[at..authority_end]);
            }
            None => out.push_str(&after[..authority_end]),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Whether a form sent back the address as `url_without_credentials` showed it, unchanged.
pub fn is_shown_form_of(sent: &str, stored: &str) -> bool {
    sent != stored && sent == url_without_credentials(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_repository_addresses_are_left_out() {
        assert_eq!(
            url_without_credentials("https://oauth2:glpat-secret@gitlab.example/course/tasks.git"),
            "https://…@gitlab.example/course/tasks.git"
        );
        assert_eq!(url_without_credentials("https://example.org/a@b"), "https://example.org/a@b");
        assert_eq!(
            url_without_credentials("git@github.com:course/tasks"),
            "git@github.com:course/tasks"
        );
        assert_eq!(url_without_credentials("/srv/tasks"), "/srv/tasks");
        assert_eq!(url_without_credentials("https://u:p?#w@h/x"), "https://…@h/x");
    }

    #[test]
    fn addresses_inside_messages_lose_their_tokens() {
        assert_eq!(
            text_without_credentials(
                "fatal: unable to access 'https://bot:ghp_secret@github.com/c/t.git/': 403"
            ),
            "fatal: unable to access 'https://…@github.com/c/t.git/': 403"
        );
        assert_eq!(
            text_without_credentials("a https://x:y@h b http://h/p@q ssh://git@h:22/r"),
            "a https://…@h b http://h/p@q ssh://…@h:22/r"
        );
        assert_eq!(text_without_credentials("no address"), "no address");
        assert_eq!(text_without_credentials("ends with https://"), "ends with https://");
    }

    #[test]
    fn the_shown_address_sent_back_means_unchanged() {
        let stored = "https://bot:secret@git.example/t.git";
        assert!(is_shown_form_of("https://…@git.example/t.git", stored));
        assert!(!is_shown_form_of(stored, stored));
        assert!(!is_shown_form_of("https://git.example/t.git", stored));
        assert!(!is_shown_form_of("https://git.example/t.git", "https://git.example/t.git"));
    }
}
