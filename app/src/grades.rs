//! The grade export: who passed which task, by the rule staff choose, as a table and as CSV
//! (plain, or for spreadsheets: UTF-8 with a byte-order mark, semicolons). A confirmed
//! plagiarism makes a task count as not passed. INLOOP's TU Dresden bonus-point file is a
//! preset. The staff page and `inloop export grades` both come here.

use std::collections::{HashMap, HashSet};

use inloop_plugin_api::report::Verdict;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::db::{self, grades::Student};

/// Which of a student's solutions decides whether a task is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counting {
    /// The last one handed in by the student's deadline.
    LastInTime,
    /// Any passed one handed in by the deadline.
    Best,
}

impl Counting {
    pub const ALL: [Counting; 2] = [Counting::LastInTime, Counting::Best];

    pub fn as_str(self) -> &'static str {
        match self {
            Counting::LastInTime => "last",
            Counting::Best => "best",
        }
    }

    pub fn parse(word: &str) -> Option<Counting> {
        Counting::ALL.into_iter().find(|counting| counting.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Counting::LastInTime => "the last solution handed in by the deadline",
            Counting::Best => "the best solution handed in by the deadline",
        }
    }
}

/// A column about the student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Username,
    FirstName,
    LastName,
    Email,
    MatriculationNumber,
    Groups,
    CourseOfStudy,
}

impl Column {
    pub const ALL: [Column; 7] = [
        Column::Username,
        Column::FirstName,
        Column::LastName,
        Column::Email,
        Column::MatriculationNumber,
        Column::Groups,
        Column::CourseOfStudy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Column::Username => "username",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Email => "email",
            Column::MatriculationNumber => "matriculation_number",
            Column::Groups => "groups",
            Column::CourseOfStudy => "course",
        }
    }

    pub fn parse(word: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|column| column.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Column::Username => "User name",
            Column::FirstName => "First name",
            Column::LastName => "Last name",
            Column::Email => "E-mail address",
            Column::MatriculationNumber => "Matriculation number",
            Column::Groups => "Groups",
            Column::CourseOfStudy => "Course of study",
        }
    }

    fn of(self, student: &Student) -> &str {
        match self {
            Column::Username => &student.username,
            Column::FirstName => &student.first_name,
            Column::LastName => &student.last_name,
            Column::Email => &student.email,
            Column::MatriculationNumber => &student.matriculation_number,
            Column::Groups => &student.groups,
            Column::CourseOfStudy => &student.course,
        }
    }
}

/// How the file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180: commas, for scripts.
    Csv,
    /// What spreadsheets open without asking: UTF-8 with a byte-order mark, semicolons, CRLF.
    Spreadsheet,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Spreadsheet => "spreadsheet",
        }
    }

    pub fn parse(word: &str) -> Option<Format> {
        [Format::Csv, Format::Spreadsheet].into_iter().find(|format| format.as_str() == word)
    }
}

/// A ready-made set of choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Staff's own choice of columns, a column per task and the number passed.
    Custom,
    /// INLOOP's bonus-point file (TU Dresden): last name, first name, user name, e-mail,
    /// matriculation number, course, points; points are the tasks passed, at most 10; no
    /// header; students without points left out; names missing guessed from TU Dresden
    /// mailbox addresses.
    TudBonus,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Custom => "custom",
            Preset::TudBonus => "tud-bonus",
        }
    }

    pub fn parse(word: &str) -> Option<Preset> {
        [Preset::Custom, Preset::TudBonus].into_iter().find(|preset| preset.as_str() == word)
    }
}

/// The most bonus points INLOOP's preset gives.
pub const TUD_BONUS_CAP: usize = 10;

/// Everything an export is made of.
#[derive(Clone, Debug)]
pub struct Choice {
    pub category: Option<i64>,
    pub group: Option<i64>,
    pub counting: Counting,
    pub columns: Vec<Column>,
    pub since: Option<OffsetDateTime>,
    /// Leave out students who passed nothing.
    pub only_with_passes: bool,
    pub preset: Preset,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            category: None,
            group: None,
            counting: Counting::LastInTime,
            columns: vec![
                Column::Username,
                Column::FirstName,
                Column::LastName,
                Column::MatriculationNumber,
            ],
            since: None,
            only_with_passes: false,
            preset: Preset::Custom,
        }
    }
}

/// What one student has of one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    NotPassed,
    /// Passed, but a pair with it was confirmed as plagiarism: counts as not passed.
    Plagiarism,
    /// No solution that counts.
    Nothing,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::NotPassed => "not passed",
            Outcome::Plagiarism => "plagiarism",
            Outcome::Nothing => "",
        }
    }

    /// The rule: the counted solution (or any, for `Best`) passed, and no confirmed plagiarism.
    pub fn of(facts: Option<&db::grades::Facts>, counting: Counting, plagiarism: bool) -> Outcome {
        let Some(facts) = facts.filter(|facts| facts.counted > 0) else {
            return if plagiarism { Outcome::Plagiarism } else { Outcome::Nothing };
        };
        let passed = match counting {
            Counting::LastInTime => facts.last_verdict == Some(Verdict::Passed),
            Counting::Best => facts.any_passed,
        };
        match (passed, plagiarism) {
            (_, true) => Outcome::Plagiarism,
            (true, false) => Outcome::Passed,
            (false, false) => Outcome::NotPassed,
        }
    }
}

/// The export as rows of cells, before it is written in a format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
    /// Tasks and students it covers, for the page to say.
    pub tasks: usize,
    pub students: usize,
}

/// Reads what the export needs and builds its table.
pub async fn gather(db: &PgPool, choice: &Choice) -> sqlx::Result<Table> {
    let students = db::grades::students(db, choice.group).await?;
    let tasks = db::grades::tasks(db, choice.category).await?;
    let task_ids: Vec<i64> = tasks.iter().map(|task| task.id).collect();
    let tolerance = db::site_settings::load(db).await?.deadline_tolerance_seconds;
    let facts = db::grades::facts(db, &task_ids, choice.since, tolerance).await?;
    let student_ids: Vec<i64> = students.iter().map(|student| student.id).collect();
    let plagiarism: HashSet<(i64, i64)> =
        db::plagiarism::confirmed_of(db, &student_ids).await?.into_iter().collect();
    Ok(build(choice, &students, &tasks, &facts, &plagiarism))
}

/// The table, from what was read: a pure function of its inputs.
pub fn build(
    choice: &Choice,
    students: &[Student],
    tasks: &[db::grades::TaskColumn],
    facts: &[db::grades::Facts],
    plagiarism: &HashSet<(i64, i64)>,
) -> Table {
    // INLOOP's bonus rule counts any passed solution.
    let counting = if choice.preset == Preset::TudBonus { Counting::Best } else { choice.counting };
    let by_pair: HashMap<(i64, i64), &db::grades::Facts> =
        facts.iter().map(|facts| ((facts.student_id, facts.task_id), facts)).collect();
    let outcomes = |student: &Student| -> Vec<Outcome> {
        tasks
            .iter()
            .map(|task| {
                let key = (student.id, task.id);
                Outcome::of(by_pair.get(&key).copied(), counting, plagiarism.contains(&key))
            })
            .collect()
    };
    match choice.preset {
        Preset::Custom => {
            let mut header: Vec<String> =
                choice.columns.iter().map(|column| column.as_str().to_owned()).collect();
            header.extend(tasks.iter().map(|task| task.slug.clone()));
            header.push("passed".to_owned());
            let mut rows = Vec::new();
            for student in students {
                let outcomes = outcomes(student);
                let passed = outcomes.iter().filter(|outcome| **outcome == Outcome::Passed).count();
                if choice.only_with_passes && passed == 0 {
                    continue;
                }
                let mut row: Vec<String> =
                    choice.columns.iter().map(|column| guard(column.of(student))).collect();
                row.extend(outcomes.iter().map(|outcome| outcome.word().to_owned()));
                row.push(passed.to_string());
                rows.push(row);
            }
            Table { header: Some(header), rows, tasks: tasks.len(), students: students.len() }
        }
        Preset::TudBonus => {
            let mut rows = Vec::new();
            for student in students {
                let points = outcomes(student)
                    .iter()
                    .filter(|outcome| **outcome == Outcome::Passed)
                    .count()
                    .min(TUD_BONUS_CAP);
                if points == 0 && choice.only_with_passes {
                    continue;
                }
                let guessed = guess_name(&student.email);
                let (first, last) =
                    match (&guessed, student.first_name.is_empty() && student.last_name.is_empty())
                    {
                        (Some((first, last)), true) => (first.as_str(), last.as_str()),
                        _ => (student.first_name.as_str(), student.last_name.as_str()),
                    };
                rows.push(vec![
                    guard(last),
                    guard(first),
                    guard(&student.username),
                    guard(&student.email),
                    guard(&student.matriculation_number),
                    guard(&student.course),
                    points.to_string(),
                ]);
            }
            rows.sort();
            Table { header: None, rows, tasks: tasks.len(), students: students.len() }
        }
    }
}

/// A cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice
/// against CSV injection); everything else is left alone.
fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// `chuck.norris1@mailbox.tu-dresden.de` → ("Chuck", "Norris"); underscores are spaces and
/// every word is capitalised; other addresses give nothing.
pub fn guess_name(email: &str) -> Option<(String, String)> {
    let local = email.strip_suffix("@mailbox.tu-dresden.de")?;
    let local = local.trim_end_matches(|c: char| c.is_ascii_digit());
    let (first, last) = local.split_once('.')?;
    let words = |part: &str| -> String {
        part.split('_')
            .filter(|word| !word.is_empty())
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (first, last) = (words(first), words(last));
    (!first.is_empty() && !last.is_empty()).then_some((first, last))
}

/// The table as a file in `format`.
pub fn write(table: &Table, format: Format) -> Vec<u8> {
    let (delimiter, terminator, bom): (u8, csv::Terminator, &[u8]) = match format {
        Format::Csv => (b',', csv::Terminator::Any(b'\n'), b""),
        Format::Spreadsheet => (b';', csv::Terminator::CRLF, "\u{feff}".as_bytes()),
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .flexible(false)
        .from_writer(bom.to_vec());
    // Writing into memory cannot fail; a row of another length cannot happen (one builder).
    if let Some(header) = &table.header {
        let _ = writer.write_record(header);
    }
    for row in &table.rows {
        let _ = writer.write_record(row);
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::grades::{Facts, TaskColumn};

    fn student(id: i64, username: &str, first: &str, last: &str, email: &str) -> Student {
        Student {
            id,
            username: username.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            matriculation_number: format!("40{id}"),
            groups: "Monday".into(),
            course: "Informatik".into(),
        }
    }

    fn task(id: i64, slug: &str) -> TaskColumn {
        TaskColumn { id, slug: slug.into(), title: slug.into() }
    }

    fn facts(student_id: i64, task_id: i64, any_passed: bool, last: Option<Verdict>) -> Facts {
        Facts { student_id, task_id, counted: 1, any_passed, last_verdict: last }
    }

    #[test]
    fn the_counting_rule_and_plagiarism_decide_each_task() {
        let failed_last = facts(1, 1, true, Some(Verdict::Failed));
        assert_eq!(
            Outcome::of(Some(&failed_last), Counting::LastInTime, false),
            Outcome::NotPassed
        );
        assert_eq!(Outcome::of(Some(&failed_last), Counting::Best, false), Outcome::Passed);
        assert_eq!(Outcome::of(Some(&failed_last), Counting::Best, true), Outcome::Plagiarism);
        assert_eq!(Outcome::of(None, Counting::Best, false), Outcome::Nothing);
        let none_counts = Facts { counted: 0, ..facts(1, 1, false, None) };
        assert_eq!(Outcome::of(Some(&none_counts), Counting::Best, false), Outcome::Nothing);
    }

    #[test]
    fn the_custom_export_has_the_chosen_columns_a_column_per_task_and_a_total() {
        let students = [
            student(1, "ada", "Ada", "Lovelace", "ada@example.org"),
            student(2, "bob", "Bob", "=cmd()", "b@x"),
        ];
        let tasks = [task(1, "counter"), task(2, "fib")];
        let facts = [
            facts(1, 1, true, Some(Verdict::Passed)),
            facts(1, 2, true, Some(Verdict::Passed)),
            facts(2, 1, false, Some(Verdict::Failed)),
        ];
        let plagiarism: HashSet<(i64, i64)> = [(1, 2)].into_iter().collect();
        let choice =
            Choice { columns: vec![Column::Username, Column::LastName], ..Choice::default() };
        let table = build(&choice, &students, &tasks, &facts, &plagiarism);
        let csv = String::from_utf8(write(&table, Format::Csv)).expect("UTF-8");
        assert_eq!(
            csv,
            "username,last_name,counter,fib,passed\nada,Lovelace,passed,plagiarism,1\nbob,'=cmd(),not passed,,0\n"
        );
        let only = Choice { only_with_passes: true, ..choice };
        assert_eq!(build(&only, &students, &tasks, &facts, &plagiarism).rows.len(), 1);
    }

    #[test]
    fn the_spreadsheet_variant_has_a_bom_semicolons_and_crlf() {
        let table = Table {
            header: Some(vec!["a".into(), "b c".into()]),
            rows: vec![vec!["ü;".into(), "x".into()]],
            tasks: 0,
            students: 0,
        };
        let bytes = write(&table, Format::Spreadsheet);
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        assert_eq!(String::from_utf8_lossy(&bytes[3..]), "a;b c\r\n\"ü;\";x\r\n");
    }

    #[test]
    fn the_tud_preset_is_inloops_bonus_file() {
        let students = [
            student(1, "s1", "", "", "chuck.norris1@mailbox.tu-dresden.de"),
            student(2, "s2", "Bea", "Zed", "bea@example.org"),
            student(3, "s3", "Cy", "Nobody", "cy@example.org"),
        ];
        let tasks: Vec<TaskColumn> = (1..=12).map(|id| task(id, &format!("t{id}"))).collect();
        let mut all = Vec::new();
        for task in 1..=12 {
            all.push(facts(1, task, true, Some(Verdict::Passed)));
        }
        all.push(facts(2, 1, true, Some(Verdict::Passed)));
        all.push(facts(2, 2, true, Some(Verdict::Passed)));
        let plagiarism: HashSet<(i64, i64)> = [(2, 2)].into_iter().collect();
        let choice = Choice {
            preset: Preset::TudBonus,
            counting: Counting::Best,
            only_with_passes: true,
            ..Choice::default()
        };
        let table = build(&choice, &students, &tasks, &all, &plagiarism);
        let csv = String::from_utf8(write(&table, Format::Csv)).expect("UTF-8");
        assert_eq!(
            csv,
            "Norris,Chuck,s1,chuck.norris1@mailbox.tu-dresden.de,401,Informatik,10\nZed,Bea,s2,bea@example.org,402,Informatik,1\n"
        );
        let zeroes = Choice { only_with_passes: false, ..choice };
        assert_eq!(build(&zeroes, &students, &tasks, &all, &plagiarism).rows.len(), 3);
    }

    #[test]
    fn names_are_guessed_from_tu_dresden_mailbox_addresses_only() {
        assert_eq!(
            guess_name("chuck.norris1@mailbox.tu-dresden.de"),
            Some(("Chuck".into(), "Norris".into()))
        );
        assert_eq!(
            guess_name("ed.van_schleck1@mailbox.tu-dresden.de"),
            Some(("Ed".into(), "Van Schleck".into()))
        );
        assert_eq!(guess_name("chuck.norris@example.org"), None);
        assert_eq!(guess_name("chucknorris@mailbox.tu-dresden.de"), None);
    }
}
