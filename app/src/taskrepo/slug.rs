//! URL slugs from titles, the way INLOOP made them: parenthesised parts dropped, lower case,
//! words joined with hyphens.

/// `"Some Task III (winter term 2010/2011)"` → `"some-task-iii"`.
pub fn slugify_title(title: &str) -> String {
    let mut without_parentheses = String::with_capacity(title.len());
    let mut depth = 0usize;
    for c in title.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => without_parentheses.push(c),
            _ => {}
        }
    }
    slugify(without_parentheses.trim())
}

pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars().flat_map(ascii_fold) {
        if c.is_ascii_alphanumeric() || c == '_' {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() || c == '-' {
            pending_hyphen = true;
        }
    }
    slug.trim_matches('_').chars().take(50).collect::<String>().trim_end_matches('-').to_owned()
}

/// Accented Latin letters lose their accents; other non-ASCII characters are dropped.
fn ascii_fold(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "A",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'È' | 'É' | 'Ê' | 'Ë' => "E",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' => "I",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "O",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' => "U",
        'ç' => "c",
        'Ç' => "C",
        'ñ' => "n",
        'Ñ' => "N",
        'ý' | 'ÿ' => "y",
        _ => "",
    };
    let single = if c.is_ascii() { Some(c) } else { None };
    single.into_iter().chain(folded.chars())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_inloop_slugs() {
        assert_eq!(slugify_title("Some Task III (winter term 2010/2011)"), "some-task-iii");
        assert_eq!(slugify_title("Task 1"), "task-1");
        assert_eq!(
            slugify_title("Übung: Zähler -- erste Schritte!"),
            "ubung-zahler-erste-schritte"
        );
        assert_eq!(slugify_title("(only parentheses)"), "");
        assert_eq!(slugify("  Java  Basics "), "java-basics");
    }
}
