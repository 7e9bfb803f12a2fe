//! What staff look for among the course's solutions: the filters of the staff solution list,
//! read from the query string into typed values (with a message for each one that cannot be).

use inloop_plugin_api::report::Verdict;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    db::{
        search::{Order, SolutionSearch},
        solutions::SolutionStatus,
    },
    taskrepo::dates,
};

/// Where a solution stands, as staff filter by it: a verdict, or one of the states before one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Verdict(Verdict),
    /// Queued or with the runners.
    Waiting,
    /// Stored while feedback was off, never sent.
    Saved,
    /// Given up on: it could not be tested.
    NotTested,
}

impl Outcome {
    /// Every outcome, in the order a filter offers them.
    pub fn all() -> Vec<Outcome> {
        let mut all: Vec<Outcome> = Verdict::ALL.into_iter().map(Outcome::Verdict).collect();
        all.extend([Outcome::Waiting, Outcome::Saved, Outcome::NotTested]);
        all
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Verdict(verdict) => verdict.as_str(),
            Outcome::Waiting => "waiting",
            Outcome::Saved => "saved",
            Outcome::NotTested => "not_tested",
        }
    }

    pub fn parse(word: &str) -> Option<Outcome> {
        Outcome::all().into_iter().find(|outcome| outcome.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Verdict(verdict) => verdict.label(),
            Outcome::Waiting => "waiting to be tested",
            Outcome::Saved => "saved, not tested (feedback off)",
            Outcome::NotTested => "could not be tested",
        }
    }

    /// The statuses a solution with this outcome has.
    pub fn statuses(self) -> Vec<SolutionStatus> {
        match self {
            Outcome::Verdict(_) => vec![SolutionStatus::Done],
            Outcome::Waiting => vec![SolutionStatus::Queued, SolutionStatus::Dispatched],
            Outcome::Saved => vec![SolutionStatus::Saved],
            Outcome::NotTested => vec![SolutionStatus::Error],
        }
    }

    /// The outcome of a solution in this status with this verdict.
    pub fn of(status: SolutionStatus, verdict: Option<Verdict>) -> Outcome {
        match (status, verdict) {
            (_, Some(verdict)) => Outcome::Verdict(verdict),
            (SolutionStatus::Saved, None) => Outcome::Saved,
            (SolutionStatus::Error, None) => Outcome::NotTested,
            _ => Outcome::Waiting,
        }
    }

    pub fn verdict(self) -> Option<Verdict> {
        match self {
            Outcome::Verdict(verdict) => Some(verdict),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }
}

/// The list's filter as the query string has it: text, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SolutionQuery {
    pub task: String,
    pub category: String,
    pub group: String,
    /// Part of a student's name or user name, or a whole matriculation number.
    pub student: String,
    pub outcome: String,
    /// A day, `2026-12-01`, in the site's zone; `until` includes its day.
    pub from: String,
    pub until: String,
    pub sort: String,
    pub page: Option<i64>,
}

/// The filter, typed. Empty parts filter nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SolutionFilter {
    pub task: Option<i64>,
    pub category: Option<i64>,
    pub group: Option<i64>,
    pub student: String,
    pub outcome: Option<Outcome>,
    pub from: Option<OffsetDateTime>,
    /// Exclusive: the start of the day after the last one asked for.
    pub until: Option<OffsetDateTime>,
    pub sort: Sort,
}

impl SolutionFilter {
    /// The search the database runs for this filter.
    pub fn search(&self) -> SolutionSearch {
        SolutionSearch {
            task: self.task,
            category: self.category,
            group: self.group,
            student: self.student.clone(),
            statuses: self.outcome.map(Outcome::statuses),
            verdict: self.outcome.and_then(Outcome::verdict),
            from: self.from,
            until: self.until,
            author: None,
            order: match self.sort {
                Sort::Newest => Order::NewestFirst,
                Sort::Oldest => Order::OldestFirst,
            },
        }
    }
}

/// A part of the filter that could not be read, and what to type instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterProblem {
    pub field: &'static str,
    pub message: String,
}

impl SolutionQuery {
    /// The typed filter, leaving out (and naming) every part that cannot be read.
    pub fn filter(&self, zone: &dates::Zone) -> (SolutionFilter, Vec<FilterProblem>) {
        let mut problems = Vec::new();
        let mut id = |field: &'static str, text: &str| -> Option<i64> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = text.parse::<i64>().ok().filter(|id| *id > 0);
            if parsed.is_none() {
                problems.push(FilterProblem {
                    field,
                    message: format!("Choose a {field} from the list."),
                });
            }
            parsed
        };
        let task = id("task", &self.task);
        let category = id("category", &self.category);
        let group = id("group", &self.group);
        let outcome = match self.outcome.trim() {
            "" => None,
            word => {
                let parsed = Outcome::parse(word);
                if parsed.is_none() {
                    problems.push(FilterProblem {
                        field: "outcome",
                        message: "Choose an outcome from the list.".to_owned(),
                    });
                }
                parsed
            }
        };
        let mut day = |field: &'static str, text: &str, next_day: bool| match text.trim() {
            "" => None,
            text => match dates::day_start(text, zone, next_day) {
                Ok(at) => Some(at),
                Err(message) => {
                    problems.push(FilterProblem { field, message });
                    None
                }
            },
        };
        let from = day("from", &self.from, false);
        let until = day("until", &self.until, true);
        if let (Some(from), Some(until)) = (from, until)
            && until <= from
        {
            problems.push(FilterProblem {
                field: "until",
                message: "The last day comes before the first.".to_owned(),
            });
        }
        let sort = if self.sort == Sort::Oldest.as_str() { Sort::Oldest } else { Sort::Newest };
        let student: String =
            self.student.trim().chars().filter(|c| !c.is_control()).take(100).collect();
        (SolutionFilter { task, category, group, student, outcome, from, until, sort }, problems)
    }

    /// The page asked for, at least 1 and at most `pages` (so that an absurd number is the
    /// last page, not an error).
    pub fn page(&self, pages: i64) -> i64 {
        self.page.unwrap_or(1).clamp(1, pages.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> dates::Zone {
        dates::Zone::named("Europe/Berlin").expect("Berlin")
    }

    #[test]
    fn every_outcome_reads_back_as_itself() {
        for outcome in Outcome::all() {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::all().len(), Verdict::ALL.len() + 3);
    }

    #[test]
    fn an_empty_query_filters_nothing() {
        let (filter, problems) = SolutionQuery::default().filter(&berlin());
        assert_eq!(filter, SolutionFilter::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn parts_that_cannot_be_read_are_named_and_left_out() {
        let query = SolutionQuery {
            task: "7".into(),
            group: "'; drop table users".into(),
            outcome: "excellent".into(),
            from: "2026-12-05".into(),
            until: "2026-12-01".into(),
            student: " Ada\u{0}Lovelace ".into(),
            ..SolutionQuery::default()
        };
        let (filter, problems) = query.filter(&berlin());
        assert_eq!(filter.task, Some(7));
        assert_eq!(filter.group, None);
        assert_eq!(filter.outcome, None);
        assert_eq!(filter.student, "AdaLovelace");
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["group", "outcome", "until"]);
    }

    #[test]
    fn the_page_stays_within_the_pages_there_are() {
        let query = SolutionQuery { page: Some(i64::MAX), ..SolutionQuery::default() };
        assert_eq!(query.page(4), 4);
        assert_eq!(SolutionQuery { page: Some(-3), ..SolutionQuery::default() }.page(4), 1);
        assert_eq!(query.page(0), 1);
    }
}
