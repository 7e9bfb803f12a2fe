//! The course's roster as staff keep it: what a user name and an e-mail address may be, and a
//! list of students to import read from CSV, row by row, into accounts to create or the reasons
//! a row cannot be one. No database here: what is taken already is handed in.

use std::collections::HashSet;

/// Most rows one import takes (a course of 1,000 students, a few times over).
pub const MOST_ROWS: usize = 5_000;
/// Most bytes of CSV one import reads.
pub const MOST_BYTES: usize = 2 << 20;
const MOST_NAME_CHARS: usize = 150;
const MOST_MATRICULATION_DIGITS: usize = 20;

/// What a user name may be: what the `users` table takes, and never an e-mail address, which
/// would log in as (and reset the password of) whoever has that address.
pub fn valid_username(username: &str) -> bool {
    !username.is_empty()
        && username.chars().count() <= MOST_NAME_CHARS
        && !username.contains('@')
        && username.chars().all(|c| c.is_ascii_alphanumeric() || ".+-_".contains(c))
}

pub fn valid_email(email: &str) -> bool {
    email.len() <= 254 && email.parse::<lettre::Address>().is_ok()
}

pub fn valid_matriculation_number(number: &str) -> bool {
    number.len() <= MOST_MATRICULATION_DIGITS && number.chars().all(|c| c.is_ascii_digit())
}

pub fn valid_person_name(name: &str) -> bool {
    name.chars().count() <= MOST_NAME_CHARS && !name.chars().any(char::is_control)
}

/// One account to create.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewStudent {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
    /// The group's own name, as it is spelled in the database.
    pub group: Option<String>,
}

/// A row of the file as read, and what is wrong with it (nothing: it can be imported).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The line in the file, counting the header as line 1.
    pub line: u64,
    pub student: NewStudent,
    pub problems: Vec<String>,
}

/// What is in the database already, for the checks.
pub struct Existing<'a> {
    /// Lower-cased.
    pub usernames: &'a HashSet<String>,
    /// Lower-cased.
    pub emails: &'a HashSet<String>,
    pub groups: &'a [String],
}

/// Why a file cannot be read at all.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty: give a header line and one line per student.")]
    Empty,
    #[error("The file is larger than {} MB.", MOST_BYTES >> 20)]
    TooLarge,
    #[error("The file has more than {MOST_ROWS} students: import them in parts.")]
    TooManyRows,
    #[error("The header line lacks the column {0}.")]
    MissingColumn(&'static str),
    #[error("The header line has a column {0:?} we do not know; the columns are {COLUMNS}.")]
    UnknownColumn(String),
    #[error("Line {line} cannot be read: {message}")]
    Unreadable { line: u64, message: String },
}

const COLUMNS: &str = "username, email, first_name, last_name, matriculation_number, group";

/// The columns a header line names, in its order (unknown ones refused).
fn columns(header: &csv::StringRecord) -> Result<Vec<usize>, FileError> {
    const KNOWN: [&str; 6] =
        ["username", "email", "first_name", "last_name", "matriculation_number", "group"];
    let mut order = Vec::new();
    for name in header {
        let name = name.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        match KNOWN.iter().position(|known| *known == name) {
            Some(index) => order.push(index),
            None if name.is_empty() => order.push(usize::MAX),
            None => return Err(FileError::UnknownColumn(name)),
        }
    }
    for (index, required) in [(0, "username"), (1, "email")] {
        if !order.contains(&index) {
            return Err(FileError::MissingColumn(required));
        }
    }
    Ok(order)
}

/// Reads the students of a CSV file (comma or semicolon separated, with a header line) and
/// checks every row against the rules, the database and the rows above it.
pub fn read(text: &str, existing: &Existing<'_>) -> Result<Vec<Row>, FileError> {
    if text.len() > MOST_BYTES {
        return Err(FileError::TooLarge);
    }
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.trim().is_empty() {
        return Err(FileError::Empty);
    }
    // Spreadsheets in German locales write semicolons.
    let delimiter =
        if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|err| FileError::Unreadable { line: 1, message: err.to_string() })?
        .clone();
    let order = columns(&header)?;
    let mut students = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| FileError::Unreadable {
            line: err.position().map_or(0, |position| position.line()),
            message: err.to_string(),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if students.len() == MOST_ROWS {
            return Err(FileError::TooManyRows);
        }
        let line = record.position().map_or(0, |position| position.line());
        let mut fields: [String; 6] = Default::default();
        for (value, column) in record.iter().zip(&order) {
            if let Some(field) = fields.get_mut(*column) {
                *field = value.to_owned();
            }
        }
        let [username, email, first_name, last_name, matriculation_number, group] = fields;
        let group = (!group.is_empty()).then_some(group);
        students.push((
            line,
            NewStudent { username, email, first_name, last_name, matriculation_number, group },
        ));
    }
    if students.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(check(students, existing))
}

/// Checks students (by their line) against the rules, the database and the lines above; a
/// group named as the database spells it once found.
pub fn check(students: Vec<(u64, NewStudent)>, existing: &Existing<'_>) -> Vec<Row> {
    let mut seen_usernames = HashSet::new();
    let mut seen_emails = HashSet::new();
    let mut rows = Vec::with_capacity(students.len());
    for (line, mut student) in students {
        let NewStudent { username, email, first_name, last_name, matriculation_number, .. } =
            &student;
        let mut problems = Vec::new();
        if !valid_username(username) {
            problems.push(format!(
                "{username:?} is not a user name: up to {MOST_NAME_CHARS} letters, digits and . + - _"
            ));
        } else if existing.usernames.contains(&username.to_lowercase()) {
            problems.push(format!("the user name {username} is taken"));
        } else if !seen_usernames.insert(username.to_lowercase()) {
            problems.push(format!("the user name {username} is on an earlier line too"));
        }
        if !valid_email(email) {
            problems.push(format!("{email:?} is not an e-mail address"));
        } else if existing.emails.contains(&email.to_lowercase()) {
            problems.push(format!("the e-mail address {email} has an account already"));
        } else if !seen_emails.insert(email.to_lowercase()) {
            problems.push(format!("the e-mail address {email} is on an earlier line too"));
        }
        for (field, value) in [("first name", first_name), ("last name", last_name)] {
            if !valid_person_name(value) {
                problems.push(format!(
                    "the {field} is longer than {MOST_NAME_CHARS} characters or has control characters"
                ));
            }
        }
        if !valid_matriculation_number(matriculation_number) {
            problems.push(format!(
                "{matriculation_number:?} is not a matriculation number (up to {MOST_MATRICULATION_DIGITS} digits)"
            ));
        }
        student.group = match student.group.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                match existing.groups.iter().find(|known| known.eq_ignore_ascii_case(name)) {
                    Some(known) => Some(known.clone()),
                    None => {
                        problems.push(format!("there is no group {name:?}"));
                        None
                    }
                }
            }
        };
        rows.push(Row { line, student, problems });
    }
    rows
}

/// Spreads students over groups so that the groups end up as even as they can (INLOOP's
/// `assign_groups`): each student, in the order given (shuffle it first), joins a group that has
/// the fewest members then. `groups` are `(id, members now)`; the result, by group, in the
/// groups' order.
pub fn spread(students: &[i64], groups: &[(i64, i64)]) -> Vec<(i64, Vec<i64>)> {
    let mut sizes: Vec<(i64, i64, Vec<i64>)> =
        groups.iter().map(|(id, members)| (*id, *members, Vec::new())).collect();
    for student in students {
        let Some(smallest) = sizes.iter_mut().min_by_key(|(_, size, _)| *size) else { break };
        smallest.1 += 1;
        smallest.2.push(*student);
    }
    sizes.into_iter().map(|(id, _, joined)| (id, joined)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing() -> (HashSet<String>, HashSet<String>, Vec<String>) {
        (
            HashSet::from(["ada".to_owned()]),
            HashSet::from(["ada@example.org".to_owned()]),
            vec!["Tuesday".to_owned()],
        )
    }

    fn read_with(text: &str) -> Result<Vec<Row>, FileError> {
        let (usernames, emails, groups) = existing();
        read(text, &Existing { usernames: &usernames, emails: &emails, groups: &groups })
    }

    #[test]
    fn good_rows_become_students_in_either_separator_and_any_column_order() {
        let rows =
            read_with("email,username,group,first_name\nbob@example.org, bob ,tuesday,Bob\n\n")
                .expect("readable");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert!(rows[0].problems.is_empty(), "{:?}", rows[0].problems);
        assert_eq!(rows[0].student.username, "bob");
        assert_eq!(rows[0].student.group.as_deref(), Some("Tuesday"));
        let semicolons =
            read_with("\u{feff}username;email;last_name\ncy;cy@example.org;Müller, Jr.\n")
                .expect("readable");
        assert_eq!(semicolons[0].student.last_name, "Müller, Jr.");
    }

    #[test]
    fn every_problem_of_a_row_is_named() {
        let rows = read_with(
            "username,email,matriculation_number,group\n\
             ada,ada@example.org,12a,Friday\n\
             eve@example.org,not-an-address,,\n\
             dan,dan@example.org,1,\n\
             DAN,Dan@Example.org,2,\n",
        )
        .expect("readable");
        assert_eq!(
            rows[0].problems,
            [
                "the user name ada is taken",
                "the e-mail address ada@example.org has an account already",
                "\"12a\" is not a matriculation number (up to 20 digits)",
                "there is no group \"Friday\""
            ]
        );
        assert_eq!(
            rows[1].problems.len(),
            2,
            "an e-mail address is no user name: {:?}",
            rows[1].problems
        );
        assert!(rows[2].problems.is_empty());
        assert_eq!(
            rows[3].problems,
            [
                "the user name DAN is on an earlier line too",
                "the e-mail address Dan@Example.org is on an earlier line too"
            ]
        );
    }

    #[test]
    fn students_are_spread_to_even_the_groups_out() {
        let students: Vec<i64> = (1..=10).collect();
        let spread = spread(&students, &[(1, 4), (2, 0), (3, 1)]);
        let after: Vec<usize> = spread.iter().map(|(_, joined)| joined.len()).collect();
        // 4, 0 and 1 members, 10 more: 5, 5 and 5.
        assert_eq!(after, [1, 5, 4]);
        let mut everybody: Vec<i64> = spread.into_iter().flat_map(|(_, joined)| joined).collect();
        everybody.sort();
        assert_eq!(everybody, students, "each student joins exactly one group");
        assert!(super::spread(&students, &[]).is_empty());
    }

    #[test]
    fn a_file_that_cannot_be_a_roster_is_refused_as_a_whole() {
        assert_eq!(read_with(""), Err(FileError::Empty));
        assert_eq!(read_with("username,email\n"), Err(FileError::Empty));
        assert_eq!(read_with("username,name\nx,y\n"), Err(FileError::UnknownColumn("name".into())));
        assert_eq!(read_with("username\nx\n"), Err(FileError::MissingColumn("email")));
        let many: String = std::iter::once("username,email\n".to_owned())
            .chain((0..=MOST_ROWS).map(|n| format!("u{n},u{n}@example.org\n")))
            .collect();
        assert_eq!(read_with(&many), Err(FileError::TooManyRows));
        // An unclosed quote swallows the rest of the file into one field: a row with problems.
        let unclosed = read_with("username,email\n\"open,x\ny,y@example.org\n").expect("read");
        assert_eq!(unclosed.len(), 1);
        assert!(!unclosed[0].problems.is_empty());
    }
}
