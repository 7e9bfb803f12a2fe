//! Text that PostgreSQL and browsers can hold, made from whatever a run printed or wrote.
//!
//! Student programs print anything: NUL bytes (an uninitialised Java `char`), bytes that are not
//! UTF-8, terminal escapes. PostgreSQL refuses NUL in `text` and `\u0000` in `jsonb`, and
//! browsers show control characters as nothing at all. So every text that leaves a run is made
//! safe once, here: control characters become their visible Unicode pictures (`\0` → `␀`, ESC →
//! `␛`), C1 controls and bytes that are not UTF-8 become `�`. Tab, newline and carriage return
//! stay. Nothing is dropped, so a student still sees that their program printed something odd.

use std::borrow::Cow;

/// Bytes as safe text (see the module's documentation).
pub fn from_bytes(bytes: &[u8]) -> String {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(text) => make_safe(text).into_owned(),
        Cow::Owned(text) => make_safe(&text).into_owned(),
    }
}

/// The text itself when it is safe already, else a copy with every unsafe character replaced.
pub fn make_safe(text: &str) -> Cow<'_, str> {
    if is_safe(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(visible).collect())
}

/// Makes a string safe where it is.
pub fn make_safe_in_place(text: &mut String) {
    if !is_safe(text) {
        *text = text.chars().map(visible).collect();
    }
}

/// Whether the text holds nothing [`make_safe`] would replace.
pub fn is_safe(text: &str) -> bool {
    text.chars().all(|c| visible(c) == c)
}

/// A run's standard output and standard error as the one console text a person reads: stdout,
/// then stderr on a line of its own; a stream with nothing but whitespace is left out.
pub fn console(stdout: &str, stderr: &str) -> String {
    match (stdout.trim().is_empty(), stderr.trim().is_empty()) {
        (_, true) => stdout.to_owned(),
        (true, false) => stderr.to_owned(),
        (false, false) => format!("{}\n{}", stdout.trim_end(), stderr),
    }
}

fn visible(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        // C0 controls have pictures at U+2400 + their code.
        '\u{0}'..='\u{1f}' => {
            char::from_u32(0x2400 + c as u32).unwrap_or(char::REPLACEMENT_CHARACTER)
        }
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => char::REPLACEMENT_CHARACTER,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_text_is_stdout_then_stderr_without_empty_streams() {
        assert_eq!(console("out\n\n", "err\n"), "out\nerr\n");
        assert_eq!(console("out\n", " \n"), "out\n");
        assert_eq!(console("\n", "err"), "err");
        assert_eq!(console("", ""), "");
    }

    #[test]
    fn nul_and_control_characters_become_visible_pictures() {
        assert_eq!(make_safe("a\0b"), "a␀b");
        assert_eq!(make_safe("\u{1b}[31mred\u{1b}[0m"), "␛[31mred␛[0m");
        assert_eq!(make_safe("bell\u{7}del\u{7f}c1\u{85}"), "bell␇del␡c1�");
        assert_eq!(make_safe("tab\tline\r\nend"), "tab\tline\r\nend");
    }

    #[test]
    fn safe_text_is_not_copied_and_making_it_safe_twice_changes_nothing() {
        assert!(matches!(make_safe("Grüße, 世界 ✓"), Cow::Borrowed(_)));
        let once = make_safe("x\0y\u{1}").into_owned();
        assert!(is_safe(&once));
        assert_eq!(make_safe(&once), once);
        let mut text = "a\0".to_owned();
        make_safe_in_place(&mut text);
        assert_eq!(text, "a␀");
    }

    #[test]
    fn bytes_that_are_not_utf8_become_replacement_characters() {
        assert_eq!(from_bytes(b"ok \xff\xfe \x00 end"), "ok �� ␀ end");
        assert_eq!(from_bytes("ü".as_bytes()), "ü");
        // A multi-byte character cut in half (at an output cap) is one replacement character.
        assert_eq!(from_bytes(&"ü".as_bytes()[..1]), "�");
    }
}
