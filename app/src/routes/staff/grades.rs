//! The grade export: the page with its preview, and the file (a download is in the audit log:
//! it carries students' personal data out of the system).

use poem::{Request, Response, RouteMethod, get, handler};

use crate::{
    audit::{Action, Entry},
    db::{self, users::Role},
    error::AppError,
    extract::Ctx,
    grades::{self, Choice, Column, Counting, Format, Preset},
    paths,
    taskrepo::dates::day_start,
    views::staff::grades::{FormValues, GradesView, page},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![("/grades", get(grades_page)), ("/grades/download", get(download))]
}

/// The choices from the query string; what cannot be read is a message, the rest still holds.
fn read(query: &str, ctx: &Ctx) -> (FormValues, Choice, Option<String>) {
    let form = super::RepeatedForm::parse(query.as_bytes());
    let sent = !form.0.is_empty();
    let id = |key: &str| form.value(key).and_then(|value| value.parse::<i64>().ok());
    let defaults = Choice::default();
    let columns: Vec<Column> = form
        .0
        .iter()
        .filter(|(key, _)| key == "columns")
        .filter_map(|(_, value)| Column::parse(value))
        .collect();
    let mut values = FormValues {
        category: id("category"),
        group: id("group"),
        counting: form.value("counting").and_then(Counting::parse).unwrap_or(defaults.counting),
        // An unticked list arrives as nothing at all: only the first visit gets the defaults.
        columns: if sent { columns } else { defaults.columns },
        since: form.value("since").unwrap_or_default().trim().to_owned(),
        only_with_passes: form.value("only_with_passes").is_some(),
        preset: form.value("preset").and_then(Preset::parse).unwrap_or(Preset::Custom),
        format: form.value("format").and_then(Format::parse).unwrap_or(Format::Spreadsheet),
    };
    let mut problem = None;
    let since = match values.since.as_str() {
        "" => None,
        text => match day_start(text, &ctx.state.task_source.zone, false) {
            Ok(at) => Some(at),
            Err(message) => {
                problem = Some(format!("The first day: {message}. All solutions count."));
                values.since.clear();
                None
            }
        },
    };
    let choice = Choice {
        category: values.category,
        group: values.group,
        counting: values.counting,
        columns: values.columns.clone(),
        since,
        only_with_passes: values.only_with_passes,
        preset: values.preset,
    };
    (values, choice, problem)
}

#[handler]
async fn grades_page(ctx: Ctx, req: &Request) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let query = req.uri().query().unwrap_or_default();
    let (values, choice, problem) = read(query, &ctx);
    let (categories, groups) = super::category_and_group_choices(&ctx).await?;
    // The first visit shows the form; a sent form shows what the file will hold.
    let preview =
        if query.is_empty() { None } else { Some(grades::gather(&ctx.state.db, &choice).await?) };
    let download_link = format!("{}?{query}", paths::staff::GRADES_DOWNLOAD);
    let view = GradesView {
        is_admin: viewer.role == Role::Admin,
        categories: &categories,
        groups: &groups,
        values: &values,
        problem: problem.as_deref(),
        preview: preview.as_ref(),
        download: &download_link,
    };
    Ok(ctx.render("Grade export", page(&view)))
}

#[handler]
async fn download(ctx: Ctx, req: &Request) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let (values, choice, problem) = read(req.uri().query().unwrap_or_default(), &ctx);
    if let Some(problem) = problem {
        return Err(AppError::BadRequest(problem));
    }
    let table = grades::gather(&ctx.state.db, &choice).await?;
    let bytes = grades::write(&table, values.format);
    let scope = match choice.category {
        Some(id) => db::tasks::categories_for_staff(&ctx.state.db)
            .await?
            .into_iter()
            .find(|category| category.id == id)
            .map_or_else(
                || format!("category #{id}"),
                |category| format!("category {}", category.name),
            ),
        None => "every category".to_owned(),
    };
    let entry = Entry::new(
        Action::GradesExported,
        scope,
        format!("{} row(s), {}", table.rows.len(), choice.preset.as_str()),
    );
    db::audit::record(&ctx.state.db, staff.into(), &entry).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let name = match choice.preset {
        Preset::TudBonus => format!("bonus-points-{today}.csv"),
        Preset::Custom => format!("grades-{today}.csv"),
    };
    let content_type = match values.format {
        Format::Csv => "text/csv; charset=utf-8; header=present",
        Format::Spreadsheet => "text/csv; charset=utf-8",
    };
    Ok(Response::builder()
        .status(poem::http::StatusCode::OK)
        .content_type(content_type)
        .header(poem::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .header(poem::http::header::CACHE_CONTROL, "private, no-store")
        .body(bytes))
}
