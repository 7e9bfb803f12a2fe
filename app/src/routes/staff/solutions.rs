//! Finding students' work: the filtered list of solutions and a task's overview of every
//! student. One student's work is on their account page ([`super::users`]).

use poem::{
    Response, RouteMethod, get, handler,
    web::{Path, Query},
};
use serde::Deserialize;

use crate::{
    db::{self, search::Standing, users::Role},
    error::AppError,
    extract::Ctx,
    finding::{Outcome, SolutionQuery},
    http::url_encode,
    overrides::TaskOverrides,
    paths,
    taskrepo::dates::{Zone, display},
    views::staff::course as views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/solutions", get(solutions_page)),
        ("/tasks/:id", get(task_overview)),
        ("/tasks/:id/download", get(task_download)),
    ]
}

const PER_PAGE: i64 = 50;

fn with_any(choices: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut all = vec![(String::new(), "any".to_owned())];
    all.extend(choices);
    all
}

async fn group_choices(ctx: &Ctx) -> Result<Vec<(String, String)>, AppError> {
    Ok(with_any(
        db::groups::list(&ctx.state.db)
            .await?
            .into_iter()
            .map(|group| (group.id.to_string(), group.name)),
    ))
}

pub(super) fn found_row(found: db::search::FoundSolution, zone: &Zone) -> views::FoundRow {
    views::FoundRow {
        id: found.id,
        number: found.number,
        submitted: display(found.submitted_at, zone),
        outcome: Outcome::of(found.status, found.verdict),
        task_id: found.task_id,
        task_title: found.task_title,
        author_id: found.author_id,
        username: found.username,
        name: format!("{} {}", found.first_name, found.last_name).trim().to_owned(),
        matriculation_number: found.matriculation_number,
    }
}

pub(super) fn standing_row(standing: Standing, zone: &Zone) -> views::StandingRow {
    views::StandingRow {
        task_id: standing.task_id,
        task_slug: standing.task_slug,
        task_title: standing.task_title,
        user_id: standing.user_id,
        username: standing.username,
        name: format!("{} {}", standing.first_name, standing.last_name).trim().to_owned(),
        matriculation_number: standing.matriculation_number,
        attempts: standing.attempts,
        latest: standing
            .latest_id
            .zip(standing.latest_status)
            .map(|(id, status)| (id, Outcome::of(status, standing.latest_verdict))),
        latest_at: standing.latest_at.map(|at| display(at, zone)),
        first_passed: standing.first_passed_at.map(|at| display(at, zone)),
    }
}

/// The list's address with every filter the query has, for the page links.
fn list_address(query: &SolutionQuery) -> String {
    let parts = [
        ("task", &query.task),
        ("category", &query.category),
        ("group", &query.group),
        ("student", &query.student),
        ("outcome", &query.outcome),
        ("from", &query.from),
        ("until", &query.until),
        ("sort", &query.sort),
    ];
    let filled: Vec<String> = parts
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(key, value)| format!("{key}={}", url_encode(value.trim())))
        .collect();
    if filled.is_empty() {
        paths::staff::SOLUTIONS.to_owned()
    } else {
        format!("{}?{}", paths::staff::SOLUTIONS, filled.join("&"))
    }
}

#[handler]
async fn solutions_page(
    ctx: Ctx,
    Query(query): Query<SolutionQuery>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let (filter, problems) = query.filter(zone);
    let search = filter.search();
    // The count comes with the first page; a page beyond the last is asked for again.
    let mut page = query.page(i64::MAX / PER_PAGE);
    let (mut found, total) =
        db::search::solutions(&ctx.state.db, &search, (page - 1) * PER_PAGE, PER_PAGE).await?;
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    if page > pages.max(1) {
        page = pages.max(1);
        found =
            db::search::solutions(&ctx.state.db, &search, (page - 1) * PER_PAGE, PER_PAGE).await?.0;
    }
    let rows: Vec<views::FoundRow> =
        found.into_iter().map(|found| found_row(found, zone)).collect();
    let tasks = db::search::task_choices(&ctx.state.db).await?;
    let categories = db::tasks::categories_for_staff(&ctx.state.db).await?;
    let choices = views::FilterChoices {
        tasks: with_any(
            tasks
                .into_iter()
                .map(|task| (task.id.to_string(), format!("{} › {}", task.category, task.title))),
        ),
        categories: with_any(
            categories.into_iter().map(|category| (category.id.to_string(), category.name)),
        ),
        groups: group_choices(&ctx).await?,
    };
    let base_url = list_address(&query);
    let csrf_token = ctx.csrf_token();
    let view = views::SolutionsView {
        retest_task: filter.task,
        csrf_token: &csrf_token,
        is_admin: viewer.role == Role::Admin,
        query: &query,
        problems: &problems,
        choices: &choices,
        rows: &rows,
        total,
        page,
        pages,
        base_url: &base_url,
    };
    Ok(ctx.render("Solutions", views::solutions(&view)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverviewQuery {
    group: String,
    student: String,
    page: Option<i64>,
}

#[handler]
async fn task_overview(
    ctx: Ctx,
    Path(task_id): Path<i64>,
    Query(query): Query<OverviewQuery>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let task = db::search::task_choice(&ctx.state.db, task_id).await?.ok_or(AppError::NotFound)?;
    let group = query.group.trim().parse::<i64>().ok();
    let student: String =
        query.student.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let requested = query.page.unwrap_or(1).max(1);
    let (first, counts) = db::search::standings_in_task(
        &ctx.state.db,
        task_id,
        group,
        &student,
        (requested.min(i64::MAX / PER_PAGE) - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    let (total, passed) = (counts.students, counts.passed);
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let page = requested.min(pages.max(1));
    let standings = if page == requested {
        first
    } else {
        db::search::standings_in_task(
            &ctx.state.db,
            task_id,
            group,
            &student,
            (page - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?
        .0
    };
    let rows: Vec<views::StandingRow> =
        standings.into_iter().map(|standing| standing_row(standing, zone)).collect();
    let address = paths::staff::task_overview(task_id);
    let base_url = format!(
        "{address}?group={}&student={}",
        group.map(|id| id.to_string()).unwrap_or_default(),
        url_encode(&student)
    );
    let group_text = group.map(|id| id.to_string()).unwrap_or_default();
    let csrf_token = ctx.csrf_token();
    let retests: Vec<_> = db::retests::of_task(&ctx.state.db, task_id)
        .await?
        .into_iter()
        .map(|summary| super::retest::batch_line(summary, zone))
        .collect();
    let settings = db::overrides::task_settings(&ctx.state.db, task_id).await?;
    let overrides =
        TaskOverrides::from_row(settings.as_ref().and_then(|row| row.overrides.as_ref()));
    let overridden = overrides.overridden_fields();
    let extensions: Vec<_> = db::overrides::extensions_in_task(&ctx.state.db, task_id)
        .await?
        .into_iter()
        .map(|row| super::overrides::extension_line(row, zone))
        .collect();
    let view = views::TaskOverviewView {
        is_admin: viewer.role == Role::Admin,
        task_id,
        task_slug: &task.slug,
        task_title: &task.title,
        group: &group_text,
        student: &student,
        groups: group_choices(&ctx).await?,
        rows: &rows,
        total,
        passed,
        page,
        pages,
        base_url: &base_url,
        overridden: &overridden,
        extensions: &extensions,
        csrf_token: &csrf_token,
        retests: &retests,
        last_check: db::plagiarism::latest_of_task(&ctx.state.db, task_id).await?.map(|check| {
            views::LastCheck {
                id: check.id,
                when: display(check.created_at, &ctx.state.task_source.zone),
                state: check.state.label(),
                pairs: check.pairs,
                confirmed: check.confirmed,
                undecided: check.undecided,
            }
        }),
    };
    Ok(ctx.render(&task.title, views::task_overview(&view)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DownloadQuery {
    /// `passed`: each student's latest passed solution; otherwise their latest.
    which: String,
}

/// Solutions whose files are read from the database at once while the archive is written.
const DOWNLOAD_CHUNK: usize = 200;

/// A folder name for a student in the archive: never `..` or hidden.
fn student_folder(username: &str) -> String {
    if inloop_protocol::names::is_safe_path_component(username) {
        username.to_owned()
    } else {
        format!("_{}", username.trim_start_matches('.'))
    }
}

/// Every student's latest (or latest passed) solution of a task as one zip, with an index
/// (`solutions.csv`). Written to an unlinked temporary file first, so that memory stays small
/// and the browser knows the size (and shows its progress).
#[handler]
async fn task_download(
    ctx: Ctx,
    Path(task_id): Path<i64>,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let task = db::search::task_choice(&ctx.state.db, task_id).await?.ok_or(AppError::NotFound)?;
    let only_passed = query.which == "passed";
    let handed = db::search::latest_of_each_student(&ctx.state.db, task_id, only_passed).await?;
    let zone = ctx.state.task_source.zone.clone();
    let db = ctx.state.db.clone();
    let slug = task.slug.clone();
    let runtime = tokio::runtime::Handle::current();
    let count = handed.len();
    let file = tokio::task::spawn_blocking(move || -> anyhow::Result<std::fs::File> {
        use std::io::{Seek, Write};
        let path = std::env::temp_dir()
            .join(format!("inloop-download-{}.zip", uuid::Uuid::new_v4().simple()));
        let file =
            std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
        // Unlinked at once: the open file is all there is, and it goes when it is closed.
        std::fs::remove_file(&path)?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut index = csv::Writer::from_writer(Vec::new());
        index.write_record([
            "username",
            "first_name",
            "last_name",
            "matriculation_number",
            "solution",
            "submitted",
            "verdict",
            "folder",
        ])?;
        for chunk in handed.chunks(DOWNLOAD_CHUNK) {
            let ids: Vec<i64> = chunk.iter().map(|solution| solution.solution_id).collect();
            let files = runtime.block_on(db::search::files_of(&db, &ids))?;
            for solution in chunk {
                let folder = format!("{slug}/{}", student_folder(&solution.username));
                for (_, name, contents) in
                    files.iter().filter(|(id, _, _)| *id == solution.solution_id)
                {
                    zip.start_file(format!("{folder}/{name}"), options)?;
                    zip.write_all(contents)?;
                }
                index.write_record([
                    solution.username.as_str(),
                    &solution.first_name,
                    &solution.last_name,
                    &solution.matriculation_number,
                    &format!("#{}", solution.number),
                    &display(solution.submitted_at, &zone),
                    solution.verdict.map_or("", |verdict| verdict.as_str()),
                    &folder,
                ])?;
            }
        }
        zip.start_file(format!("{slug}/solutions.csv"), options)?;
        zip.write_all(&index.into_inner().map_err(|err| anyhow::anyhow!("{err}"))?)?;
        let mut file = zip.finish()?;
        file.rewind()?;
        Ok(file)
    })
    .await
    .map_err(|err| AppError::Internal(err.into()))?
    .map_err(AppError::Internal)?;
    let size = file.metadata().map_err(|err| AppError::Internal(err.into()))?.len();
    tracing::info!(
        by = staff.id,
        task_id,
        solutions = count,
        bytes = size,
        "staff downloaded a task's solutions"
    );
    let name = format!("{}-{}.zip", task.slug, if only_passed { "passed" } else { "latest" });
    Ok(Response::builder()
        .status(poem::http::StatusCode::OK)
        .content_type("application/zip")
        .header(poem::http::header::CONTENT_LENGTH, size)
        .header(poem::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .header(poem::http::header::CACHE_CONTROL, "private, no-store")
        .body(poem::Body::from_async_read(tokio::fs::File::from_std(file))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_students_folder_never_leaves_the_archive() {
        assert_eq!(student_folder("ada"), "ada");
        assert_eq!(student_folder(".."), "_");
        assert_eq!(student_folder(".hidden"), "_hidden");
    }

    #[test]
    fn page_links_keep_the_filter_and_nothing_empty() {
        let query =
            SolutionQuery { task: "3".into(), student: "Ada L".into(), ..SolutionQuery::default() };
        assert_eq!(list_address(&query), "/staff/solutions?task=3&student=Ada%20L");
        assert_eq!(list_address(&SolutionQuery::default()), "/staff/solutions");
    }
}
