//! JUnit XML reports (as written by JUnit 5's console launcher, Maven Surefire, pytest and most
//! others) turned into test cases, with bounded work on any input.
//!
//! Hostile input is expected: the file comes from a container that ran student code. Documents
//! with a DTD are refused outright (so no entity expansion, no "billion laughs"), the size and the
//! number of nodes are capped before and during parsing, and every text kept is truncated.

use crate::report::{TestCase, TestStatus};

/// Caps on the work one report may cause.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_nodes: u32,
    pub max_cases: usize,
    /// Longest message, details or output kept per test, in bytes.
    pub max_text: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 4 << 20, max_nodes: 200_000, max_cases: 5_000, max_text: 16 << 10 }
    }
}

/// The deepest nesting of suites read: generators nest a few levels (module, class), never
/// dozens; a report that goes deeper is refused.
pub const MAX_SUITE_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JunitError {
    TooLarge { bytes: usize, limit: usize },
    Malformed(String),
    NotJunit { root: String },
    TooDeep { limit: usize },
}

impl std::fmt::Display for JunitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JunitError::TooLarge { bytes, limit } => {
                write!(f, "the test report has {bytes} bytes, more than the {limit} we read")
            }
            JunitError::Malformed(reason) => {
                write!(f, "the test report is not well-formed XML: {reason}")
            }
            JunitError::TooDeep { limit } => {
                write!(f, "the test report nests suites more than {limit} levels deep")
            }
            JunitError::NotJunit { root } => {
                write!(
                    f,
                    "the test report's root element is <{root}>, not <testsuite> or <testsuites>"
                )
            }
        }
    }
}

impl std::error::Error for JunitError {}

/// One `<testsuite>`: its cases and what it printed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<TestCase>,
    pub system_out: Option<String>,
    pub system_err: Option<String>,
}

pub fn parse(xml: &str, limits: &Limits) -> Result<Vec<Suite>, JunitError> {
    if xml.len() > limits.max_bytes {
        return Err(JunitError::TooLarge { bytes: xml.len(), limit: limits.max_bytes });
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.max_nodes,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(xml, options)
        .map_err(|err| JunitError::Malformed(err.to_string()))?;
    let root = document.root_element();
    let tops: Vec<roxmltree::Node<'_, '_>> = match root.tag_name().name() {
        "testsuite" => vec![root],
        "testsuites" => root.children().filter(|node| node.has_tag_name("testsuite")).collect(),
        other => return Err(JunitError::NotJunit { root: truncate(other, 64) }),
    };
    let mut suites = Vec::new();
    let mut cases_left = limits.max_cases;
    // Depth first, each suite before the ones nested in it; a stack of our own rather than
    // recursion, so that no report can overflow the stack.
    let mut stack: Vec<(roxmltree::Node<'_, '_>, usize)> =
        tops.into_iter().rev().map(|node| (node, 1)).collect();
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_SUITE_DEPTH {
            return Err(JunitError::TooDeep { limit: MAX_SUITE_DEPTH });
        }
        let (suite, nested) = read_suite(node, limits, &mut cases_left);
        suites.push(suite);
        stack.extend(nested.into_iter().rev().map(|child| (child, depth + 1)));
    }
    Ok(suites)
}

/// The test cases of every report file whose name matches `pattern`, and a note for each file
/// that could not be read. What every plugin that reads JUnit reports needs.
pub fn cases_from_reports(
    files: &[crate::protocol::ReportFile],
    pattern: &str,
) -> (Vec<TestCase>, Vec<String>) {
    let mut tests = Vec::new();
    let mut notes = Vec::new();
    for file in files.iter().filter(|file| crate::protocol::glob_match(pattern, &file.name)) {
        match parse(&file.contents, &Limits::default()) {
            Ok(suites) => tests.extend(cases(suites)),
            Err(err) => {
                notes.push(format!("The test report {} could not be read: {err}.", file.name))
            }
        }
    }
    (tests, notes)
}

/// All cases of all suites, in document order.
pub fn cases(suites: Vec<Suite>) -> Vec<TestCase> {
    suites.into_iter().flat_map(|suite| suite.cases).collect()
}

/// One suite's own cases and output, and the suites nested in it (for the caller to read).
fn read_suite<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    limits: &Limits,
    cases_left: &mut usize,
) -> (Suite, Vec<roxmltree::Node<'a, 'input>>) {
    let mut suite =
        Suite { name: truncate(node.attribute("name").unwrap_or(""), 256), ..Suite::default() };
    let mut nested = Vec::new();
    for child in node.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "testcase" if *cases_left > 0 => {
                *cases_left -= 1;
                suite.cases.push(test_case(child, limits));
            }
            // Some generators nest suites (e.g. per class inside a module).
            "testsuite" => nested.push(child),
            "system-out" => suite.system_out = text_of(child, limits),
            "system-err" => suite.system_err = text_of(child, limits),
            _ => {}
        }
    }
    (suite, nested)
}

fn test_case(node: roxmltree::Node<'_, '_>, limits: &Limits) -> TestCase {
    let mut case = TestCase {
        name: truncate(node.attribute("name").unwrap_or("(unnamed test)"), 512),
        class_name: node.attribute("classname").map(|name| truncate(name, 512)),
        status: TestStatus::Passed,
        duration_ms: node
            .attribute("time")
            .and_then(|time| time.trim().replace(',', "").parse::<f64>().ok())
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map(|seconds| (seconds * 1000.0).round() as u64),
        message: None,
        details: None,
    };
    let mut output = Vec::new();
    for child in node.children().filter(roxmltree::Node::is_element) {
        let status = match child.tag_name().name() {
            "failure" => TestStatus::Failed,
            "error" => TestStatus::Error,
            "skipped" => TestStatus::Skipped,
            "system-out" | "system-err" => {
                output.extend(text_of(child, limits));
                continue;
            }
            _ => continue,
        };
        // The worst outcome wins when a case lists several.
        if rank(status) > rank(case.status) {
            case.status = status;
            case.message = child
                .attribute("message")
                .map(|message| truncate(message.trim(), limits.max_text))
                .filter(|message| !message.is_empty());
            case.details = text_of(child, limits);
            if case.message.is_none() {
                case.message = case
                    .details
                    .as_deref()
                    .and_then(|details| details.lines().next())
                    .map(str::to_owned);
            }
        }
    }
    if !output.is_empty() && case.details.is_none() {
        case.details = Some(truncate(&output.join("\n"), limits.max_text));
    }
    case
}

fn rank(status: TestStatus) -> u8 {
    match status {
        TestStatus::Passed => 0,
        TestStatus::Skipped => 1,
        TestStatus::Failed => 2,
        TestStatus::Error => 3,
    }
}

fn text_of(node: roxmltree::Node<'_, '_>, limits: &Limits) -> Option<String> {
    let mut text = String::new();
    for piece in node.descendants().filter(roxmltree::Node::is_text).filter_map(|n| n.text()) {
        if text.len() > limits.max_text {
            break;
        }
        text.push_str(piece);
    }
    let text = text.trim();
    (!text.is_empty()).then(|| truncate(text, limits.max_text))
}

/// Cuts at a character boundary and says so.
pub fn truncate(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated]", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAXI: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="TaxiTest" tests="5" failures="1" errors="1" skipped="0" time="0.12">
  <testcase name="drivesToTarget" classname="TaxiTest" time="0.010"/>
  <testcase name="chargesFare" classname="TaxiTest" time="0.002">
    <failure message="expected: &lt;12&gt; but was: &lt;10&gt;" type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError: expected: &lt;12&gt; but was: &lt;10&gt;
	at TaxiTest.chargesFare(TaxiTest.java:31)</failure>
  </testcase>
  <testcase name="refusesNegativeDistance" classname="TaxiTest" time="0.001">
    <error message="java.lang.NullPointerException" type="java.lang.NullPointerException">java.lang.NullPointerException
	at Taxi.drive(Taxi.java:12)</error>
  </testcase>
  <testcase name="a" classname="TaxiTest" time="0"/>
  <testcase name="b" classname="TaxiTest" time="1,234.5"/>
  <system-out>Hello from the taxi</system-out>
</testsuite>"#;

    #[test]
    fn a_junit5_suite_gives_each_case_its_outcome() {
        let suites = parse(TAXI, &Limits::default()).expect("parses");
        assert_eq!(suites.len(), 1);
        let suite = &suites[0];
        assert_eq!(suite.name, "TaxiTest");
        assert_eq!(suite.system_out.as_deref(), Some("Hello from the taxi"));
        assert_eq!(suite.system_err, None);
        let statuses: Vec<TestStatus> = suite.cases.iter().map(|case| case.status).collect();
        use TestStatus::*;
        assert_eq!(statuses, [Passed, Failed, Error, Passed, Passed]);
        let failed = &suite.cases[1];
        assert_eq!(failed.message.as_deref(), Some("expected: <12> but was: <10>"));
        assert!(failed.details.as_deref().unwrap_or_default().contains("TaxiTest.java:31"));
        assert_eq!(failed.duration_ms, Some(2));
        assert_eq!(suite.cases[4].duration_ms, Some(1_234_500));
    }

    #[test]
    fn testsuites_roots_nested_suites_and_skips_are_read() {
        let xml = r#"<testsuites><testsuite name="a"><testcase name="x"><skipped/></testcase>
            <testsuite name="inner"><testcase name="y"/></testsuite></testsuite>
            <testsuite name="b"><testcase name="z"><system-out>printed</system-out></testcase></testsuite></testsuites>"#;
        let suites = parse(xml, &Limits::default()).expect("parses");
        let names: Vec<&str> = suites.iter().map(|suite| suite.name.as_str()).collect();
        assert_eq!(names, ["a", "inner", "b"]);
        let all = cases(suites);
        assert_eq!(all[0].status, TestStatus::Skipped);
        assert_eq!(all[2].details.as_deref(), Some("printed"));
    }

    #[test]
    fn entity_expansion_is_refused() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuite><testcase name="&lol3;"/></testsuite>"#;
        assert!(matches!(parse(bomb, &Limits::default()), Err(JunitError::Malformed(_))));
    }

    #[test]
    fn malformed_foreign_and_oversized_reports_fail_cleanly() {
        assert!(matches!(
            parse("<testsuite><testcase>", &Limits::default()),
            Err(JunitError::Malformed(_))
        ));
        assert_eq!(
            parse("<html/>", &Limits::default()),
            Err(JunitError::NotJunit { root: "html".into() })
        );
        let limits = Limits { max_bytes: 10, ..Limits::default() };
        assert!(matches!(
            parse("<testsuite></testsuite>", &limits),
            Err(JunitError::TooLarge { .. })
        ));
        let many: String =
            format!("<testsuite>{}</testsuite>", "<testcase name='t'/>".repeat(2000));
        let limits = Limits { max_nodes: 500, ..Limits::default() };
        assert!(matches!(parse(&many, &limits), Err(JunitError::Malformed(_))));
        let limits = Limits { max_cases: 10, ..Limits::default() };
        assert_eq!(cases(parse(&many, &limits).expect("parses")).len(), 10);
    }

    #[test]
    fn deeply_nested_reports_are_refused_without_exhausting_the_stack() {
        let levels = 50_000;
        let suites = format!("{}{}", "<testsuite>".repeat(levels), "</testsuite>".repeat(levels));
        assert_eq!(
            parse(&suites, &Limits::default()),
            Err(JunitError::TooDeep { limit: MAX_SUITE_DEPTH })
        );
        let elements = format!(
            "<testsuite><testcase name='t'><failure>{}x{}</failure></testcase></testsuite>",
            "<a>".repeat(levels),
            "</a>".repeat(levels)
        );
        let read = parse(&elements, &Limits::default()).expect("other elements may nest");
        assert_eq!(read[0].cases[0].status, TestStatus::Failed);
        let fine = format!(
            "{}<testcase name='deep'/>{}",
            "<testsuite>".repeat(MAX_SUITE_DEPTH),
            "</testsuite>".repeat(MAX_SUITE_DEPTH)
        );
        assert_eq!(cases(parse(&fine, &Limits::default()).expect("parses"))[0].name, "deep");
    }

    #[test]
    fn long_texts_are_cut_at_character_boundaries() {
        let long = "ä".repeat(100);
        let cut = truncate(&long, 11);
        assert!(cut.starts_with("äääää") && cut.ends_with("[truncated]"), "{cut}");
        let xml = format!(
            r#"<testsuite><testcase name="t"><failure message="{}"/></testcase></testsuite>"#,
            "x".repeat(50)
        );
        let limits = Limits { max_text: 20, ..Limits::default() };
        let case = &parse(&xml, &limits).expect("parses")[0].cases[0];
        assert!(case.message.as_deref().unwrap_or_default().ends_with("[truncated]"));
    }
}
