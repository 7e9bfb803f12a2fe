//! Source text to a normalised token sequence: what a copy keeps when its author renames,
//! reformats and re-comments it.
//!
//! Files of a language with a grammar are parsed with tree-sitter and their leaves taken in
//! order: every identifier becomes one token `IDENTIFIER`, every string or character literal
//! `STRING`, every number `NUMBER`; keywords, operators and brackets keep their kind; comments,
//! docstrings and imports are dropped. Parsing is error tolerant, so a file that does not
//! compile still gives the tokens of the parts that do. Other files, and files the parser
//! gives up on, go through a small generic lexer with the same normalisation.

use std::{ops::ControlFlow, time::Instant};

use tree_sitter::{Node, ParseOptions, Parser, TreeCursor};

/// A token's kind: a small number, equal for equal kinds of one language.
pub type Kind = u32;

pub const IDENTIFIER: Kind = 1;
pub const STRING: Kind = 2;
pub const NUMBER: Kind = 3;
/// Between two files of one submission: matches never run across it.
pub const FILE_BREAK: Kind = 4;
/// Grammar kinds start here; the generic lexer's punctuation uses the byte itself below.
const GRAMMAR_KINDS: Kind = 1 << 16;
const GENERIC_WORDS: Kind = 1 << 24;

/// Where a token came from: the file's index in its submission and a byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

/// The languages with a grammar; everything else is read by the generic lexer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Java,
    Python,
    C,
    /// No grammar: the generic lexer.
    Other,
}

impl Language {
    /// The language of a file, by its name.
    pub fn of_file(name: &str) -> Language {
        let extension = name.rsplit_once('.').map(|(_, extension)| extension.to_ascii_lowercase());
        match extension.as_deref() {
            Some("java") => Language::Java,
            Some("py" | "pyw") => Language::Python,
            Some("c" | "h") => Language::C,
            _ => Language::Other,
        }
    }

    fn grammar(self) -> Option<tree_sitter::Language> {
        match self {
            Language::Java => Some(tree_sitter_java::LANGUAGE.into()),
            Language::Python => Some(tree_sitter_python::LANGUAGE.into()),
            Language::C => Some(tree_sitter_c::LANGUAGE.into()),
            Language::Other => None,
        }
    }
}

/// The tokens of one submission (all its files, with a `FILE_BREAK` between two), as two
/// parallel sequences.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    pub kinds: Vec<Kind>,
    pub spans: Vec<Span>,
    /// Some input was left out: a file over the size cap, or tokens over the count cap.
    pub capped: bool,
}

impl Tokens {
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    fn push(&mut self, kind: Kind, span: Span) {
        self.kinds.push(kind);
        self.spans.push(span);
    }
}

/// How much of a submission is read.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Bytes of one file; the rest of a longer file is left out.
    pub file_bytes: usize,
    /// Tokens of one submission.
    pub tokens: usize,
    /// How long the parser may take over one file before the generic lexer reads it instead.
    pub parse_millis: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Caps { file_bytes: 256 * 1024, tokens: 20_000, parse_millis: 2_000 }
    }
}

/// Reads submissions; keeps one parser per language so that they are made once.
pub struct Tokenizer {
    caps: Caps,
    parsers: Vec<(Language, Parser)>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Tokenizer").field("caps", &self.caps).finish_non_exhaustive()
    }
}

impl Tokenizer {
    pub fn new(caps: Caps) -> Tokenizer {
        Tokenizer { caps, parsers: Vec::new() }
    }

    /// The tokens of the files `(name, contents)`, in the order given.
    pub fn tokenize<'a>(&mut self, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Tokens {
        let mut tokens = Tokens::default();
        for (index, (name, contents)) in files.into_iter().enumerate() {
            if tokens.len() >= self.caps.tokens {
                tokens.capped = true;
                break;
            }
            if contents.contains(&0) {
                // A binary file: nothing a copy of source code would show.
                continue;
            }
            let mut contents = contents;
            if contents.len() > self.caps.file_bytes {
                tokens.capped = true;
                contents = &contents[..self.caps.file_bytes];
            }
            if !tokens.is_empty() {
                let at = Span { file: index as u32, start: 0, end: 0 };
                tokens.push(FILE_BREAK, at);
            }
            self.tokenize_file(index as u32, Language::of_file(name), contents, &mut tokens);
        }
        if tokens.len() > self.caps.tokens {
            tokens.kinds.truncate(self.caps.tokens);
            tokens.spans.truncate(self.caps.tokens);
            tokens.capped = true;
        }
        tokens
    }

    fn tokenize_file(&mut self, file: u32, language: Language, text: &[u8], into: &mut Tokens) {
        let before = into.len();
        if let Some(tree) = self.parse(language, text) {
            let mut cursor = tree.walk();
            collect_leaves(&mut cursor, language, file, into);
            return;
        }
        into.kinds.truncate(before);
        into.spans.truncate(before);
        generic_lex(file, text, into);
    }

    fn parse(&mut self, language: Language, text: &[u8]) -> Option<tree_sitter::Tree> {
        let grammar = language.grammar()?;
        let index = match self.parsers.iter().position(|(known, _)| *known == language) {
            Some(index) => index,
            None => {
                let mut parser = Parser::new();
                parser.set_language(&grammar).ok()?;
                self.parsers.push((language, parser));
                self.parsers.len() - 1
            }
        };
        let parser = &mut self.parsers[index].1;
        let started = Instant::now();
        let budget = self.caps.parse_millis;
        let mut give_up = |_: &tree_sitter::ParseState| {
            if started.elapsed().as_millis() as u64 > budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = ParseOptions::new().progress_callback(&mut give_up);
        let mut read = |offset: usize, _| text.get(offset..).unwrap_or_default();
        let tree = parser.parse_with_options(&mut read, None, Some(options));
        if tree.is_none() {
            // A cancelled parse leaves the parser mid-document.
            parser.reset();
        }
        tree
    }
}

/// What a named node of a grammar becomes.
enum Role {
    /// Left out with everything in it.
    Dropped,
    /// One token for the whole node.
    Atom(Kind),
    /// Its children are read.
    Inner,
}

fn role(node: &Node, language: Language) -> Role {
    let kind = node.kind();
    if kind.contains("comment") {
        return Role::Dropped;
    }
    match (language, kind) {
        (Language::Java, "import_declaration" | "package_declaration") => return Role::Dropped,
        (
            Language::Python,
            "import_statement" | "import_from_statement" | "future_import_statement",
        ) => {
            return Role::Dropped;
        }
        (Language::C, "preproc_include") => return Role::Dropped,
        _ => {}
    }
    if language == Language::Python && kind == "expression_statement" && is_docstring(node) {
        return Role::Dropped;
    }
    if kind.contains("string") || kind.contains("char_literal") || kind == "character_literal" {
        return Role::Atom(STRING);
    }
    if kind.ends_with("identifier") || kind == "identifier" {
        return Role::Atom(IDENTIFIER);
    }
    if kind == "integer"
        || kind == "float"
        || kind == "number_literal"
        || (kind.ends_with("_literal") && (kind.contains("integer") || kind.contains("floating")))
    {
        return Role::Atom(NUMBER);
    }
    Role::Inner
}

/// A statement that is nothing but a string: Python's docstrings and string "comments".
fn is_docstring(node: &Node) -> bool {
    node.named_child_count() == 1
        && node.named_child(0).is_some_and(|child| child.kind() == "string")
}

/// Walks the tree in document order without recursion (a deeply nested file must not overflow
/// the stack).
fn collect_leaves(cursor: &mut TreeCursor, language: Language, file: u32, into: &mut Tokens) {
    loop {
        let node = cursor.node();
        let span = Span { file, start: node.start_byte() as u32, end: node.end_byte() as u32 };
        let descend = if node.is_named() {
            match role(&node, language) {
                Role::Dropped => false,
                Role::Atom(kind) => {
                    into.push(kind, span);
                    false
                }
                Role::Inner => {
                    if node.child_count() == 0 && !node.is_missing() && span.start < span.end {
                        into.push(GRAMMAR_KINDS + Kind::from(node.kind_id()), span);
                    }
                    true
                }
            }
        } else {
            if !node.is_missing() && span.start < span.end {
                into.push(GRAMMAR_KINDS + Kind::from(node.kind_id()), span);
            }
            true
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Words, numbers, strings and single punctuation bytes, with `//`, `/* */` and `#` comments
/// left out: for files without a grammar.
fn generic_lex(file: u32, text: &[u8], into: &mut Tokens) {
    let mut at = 0;
    let span = |start: usize, end: usize| Span { file, start: start as u32, end: end as u32 };
    while at < text.len() {
        let byte = text[at];
        let start = at;
        if byte.is_ascii_whitespace() {
            at += 1;
        } else if text[at..].starts_with(b"//") || byte == b'#' {
            at = text[at..].iter().position(|&b| b == b'\n').map_or(text.len(), |end| at + end);
        } else if text[at..].starts_with(b"/*") {
            at = find(text, at + 2, b"*/").map_or(text.len(), |end| end + 2);
        } else if byte == b'"' || byte == b'\'' {
            at += 1;
            while at < text.len() && text[at] != byte && text[at] != b'\n' {
                at += if text[at] == b'\\' { 2 } else { 1 };
            }
            at = (at + 1).min(text.len());
            into.push(STRING, span(start, at));
        } else if byte.is_ascii_digit() {
            while at < text.len() && (text[at].is_ascii_alphanumeric() || text[at] == b'.') {
                at += 1;
            }
            into.push(NUMBER, span(start, at));
        } else if byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80 {
            while at < text.len()
                && (text[at].is_ascii_alphanumeric() || text[at] == b'_' || text[at] >= 0x80)
            {
                at += 1;
            }
            let kind = keyword_kind(&text[start..at]).unwrap_or(IDENTIFIER);
            into.push(kind, span(start, at));
        } else {
            at += 1;
            into.push(GRAMMAR_KINDS - 256 + Kind::from(byte), span(start, at));
        }
    }
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    text.get(from..)?.windows(needle.len()).position(|window| window == needle).map(|at| from + at)
}

/// Words that are keywords in most languages keep their own kind in the generic lexer.
fn keyword_kind(word: &[u8]) -> Option<Kind> {
    const KEYWORDS: &[&[u8]] = &[
        b"if",
        b"else",
        b"elif",
        b"for",
        b"while",
        b"do",
        b"return",
        b"break",
        b"continue",
        b"switch",
        b"case",
        b"default",
        b"try",
        b"catch",
        b"except",
        b"finally",
        b"throw",
        b"raise",
        b"new",
        b"class",
        b"def",
        b"fn",
        b"function",
        b"let",
        b"var",
        b"const",
        b"static",
        b"public",
        b"private",
        b"protected",
        b"void",
        b"int",
        b"long",
        b"double",
        b"float",
        b"char",
        b"bool",
        b"boolean",
        b"true",
        b"false",
        b"null",
        b"None",
        b"True",
        b"False",
        b"and",
        b"or",
        b"not",
        b"in",
        b"is",
        b"match",
        b"struct",
        b"enum",
        b"import",
    ];
    KEYWORDS.iter().position(|keyword| *keyword == word).map(|index| GENERIC_WORDS + index as Kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(name: &str, text: &str) -> Vec<Kind> {
        Tokenizer::new(Caps::default()).tokenize([(name, text.as_bytes())]).kinds
    }

    #[test]
    fn renaming_reformatting_and_comments_leave_the_tokens_alone() {
        let original = "import java.util.*;\nclass A { int sum(int[] xs) { int s = 0; for (int x : xs) s += x; return s; } }";
        let disguised = "import java.util.List;\n/** Adds. */\nclass Totals {\n  // the total\n  int total(int[] values)\n  {\n    int acc = 0;\n    for (int v : values)\n      acc += v;\n    return acc; /* done */\n  }\n}\n";
        assert_eq!(kinds("A.java", original), kinds("Totals.java", disguised));
        assert!(kinds("A.java", original).len() > 20);
    }

    #[test]
    fn python_docstrings_and_literals_are_normalised() {
        let one = "def f(a):\n    \"\"\"Doc.\"\"\"\n    return a + 1 if a else 'x'\n";
        let two = "import os\ndef g(b):\n    # comment\n    return b + 42 if b else \"y\"\n";
        assert_eq!(kinds("one.py", one), kinds("two.py", two));
    }

    #[test]
    fn a_file_that_does_not_parse_still_gives_the_tokens_of_its_good_parts() {
        let good = "class A { int f() { return 1; } }";
        let broken = "class A { int f() { return 1; } void g( { ";
        let tokens = kinds("A.java", broken);
        let expected = kinds("A.java", good);
        assert!(tokens.len() >= expected.len() - 2, "{tokens:?}");
    }

    #[test]
    fn binary_files_are_skipped_and_huge_files_capped() {
        let mut tokenizer = Tokenizer::new(Caps { file_bytes: 100, tokens: 50, parse_millis: 100 });
        let tokens = tokenizer.tokenize([("blob.bin", &b"\0\x01abc"[..])]);
        assert!(tokens.is_empty() && !tokens.capped);
        let long = "x = 1\n".repeat(1_000);
        let tokens = tokenizer.tokenize([("big.py", long.as_bytes())]);
        assert!(tokens.capped);
        assert!(tokens.len() <= 50);
        assert!(tokens.spans.iter().all(|span| span.end <= 100));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let deep = format!("x = {}1{}\n", "(".repeat(50_000), ")".repeat(50_000));
        let tokens = Tokenizer::new(Caps::default()).tokenize([("deep.py", deep.as_bytes())]);
        assert!(tokens.len() > 1_000);
    }

    #[test]
    fn files_without_a_grammar_use_the_generic_lexer() {
        let one = "fn main() { let total = 3; // sum\n println!(\"{}\", total); }";
        let two = "fn main() { let t = 7; /* x */ println!(\"{}\", t); }";
        assert_eq!(kinds("a.rs", one), kinds("b.rs", two));
        assert!(kinds("a.rs", one).contains(&IDENTIFIER));
    }

    #[test]
    fn spans_point_at_the_token_text() {
        let text = "int f() { return 42; }";
        let tokens = Tokenizer::new(Caps::default()).tokenize([("f.c", text.as_bytes())]);
        let shown: Vec<&str> =
            tokens.spans.iter().map(|span| &text[span.start as usize..span.end as usize]).collect();
        assert_eq!(shown, ["int", "f", "(", ")", "{", "return", "42", ";", "}"]);
    }
}
