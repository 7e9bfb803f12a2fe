//! Plagiarism checks and their pairs as rows: starting, claiming and renewing a check, storing
//! what it found, the pages' lists, and staff's decisions.

use sqlx::{PgConnection, PgExecutor, types::Json};
use time::OffsetDateTime;

use crate::plagiarism::{Basis, CheckState, Decision, Stage, StoredRegion};

/// Starts a check of the task (by staff, or from the command line without an account);
/// `None` when one is open already.
pub async fn start(
    db: impl PgExecutor<'_>,
    task_id: i64,
    basis: Basis,
    threshold: f32,
    staff_id: Option<i64>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "insert into plagiarism_checks (task_id, basis, threshold, created_by)
         select id, $2, $3, $4 from tasks where id = $1
         on conflict (task_id) where state in ('queued', 'running') do nothing
         returning id",
        task_id,
        basis.as_str(),
        threshold,
        staff_id
    )
    .fetch_optional(db)
    .await
}

/// A check a worker took on.
#[derive(Debug)]
pub struct Claimed {
    pub id: i64,
    pub task_id: i64,
    pub basis: Basis,
    pub threshold: f32,
}

impl Claimed {
    fn new(id: i64, task_id: i64, basis: &str, threshold: f32) -> Claimed {
        Claimed { id, task_id, basis: Basis::parse(basis).unwrap_or(Basis::LastPassed), threshold }
    }
}

/// Takes the oldest waiting check, or one whose worker has been silent for `stale_seconds`.
pub async fn claim(
    db: impl PgExecutor<'_>,
    worker: &str,
    stale_seconds: i32,
) -> sqlx::Result<Option<Claimed>> {
    let row = sqlx::query!(
        "update plagiarism_checks set state = 'running', worker = $1, heartbeat_at = now(),
                started_at = coalesce(started_at, now()), stage = 'reading', steps_done = 0, steps_total = 0
         where id = (
             select id from plagiarism_checks
             where not cancel_requested and (state = 'queued'
                or (state = 'running' and heartbeat_at < now() - make_interval(secs => $2)))
             order by created_at, id
             for update skip locked
             limit 1)
         returning id, task_id, basis, threshold",
        worker,
        f64::from(stale_seconds)
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Claimed::new(row.id, row.task_id, &row.basis, row.threshold)))
}

/// Takes this waiting check (the command line runs the one it started); `None` when a web
/// server took it first.
pub async fn claim_one(
    db: impl PgExecutor<'_>,
    check_id: i64,
    worker: &str,
) -> sqlx::Result<Option<Claimed>> {
    let row = sqlx::query!(
        "update plagiarism_checks set state = 'running', worker = $2, heartbeat_at = now(),
                started_at = now(), stage = 'reading'
         where id = $1 and state = 'queued' and not cancel_requested
         returning id, task_id, basis, threshold",
        check_id,
        worker
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Claimed::new(row.id, row.task_id, &row.basis, row.threshold)))
}

/// A task's id and title by its address name.
pub async fn task_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<(i64, String)>> {
    let row = sqlx::query!("select id, title from tasks where slug = $1", slug)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| (row.id, row.title)))
}

/// Checks whose worker went silent while staff asked them to stop: nobody will, so they end.
pub async fn cancel_abandoned(db: impl PgExecutor<'_>, stale_seconds: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update plagiarism_checks set state = 'cancelled', finished_at = now()
         where cancel_requested and state = 'running'
           and heartbeat_at < now() - make_interval(secs => $1)",
        f64::from(stale_seconds)
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Renews the worker's hold and records its progress; whether staff asked it to stop, or
/// `None` when the check is no longer this worker's.
pub async fn heartbeat(
    db: impl PgExecutor<'_>,
    check_id: i64,
    worker: &str,
    stage: Stage,
    done: i64,
    total: i64,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        "update plagiarism_checks set heartbeat_at = now(), stage = $3, steps_done = $4, steps_total = $5
         where id = $1 and worker = $2 and state = 'running'
         returning cancel_requested",
        check_id,
        worker,
        stage.as_str(),
        done,
        total
    )
    .fetch_optional(db)
    .await
}

/// What one check needs to read: the task's place in the task directory and its templates.
#[derive(Debug)]
pub struct TaskToCheck {
    pub title: String,
    pub repository: String,
    pub system_name: String,
    pub has_solution: bool,
}

pub async fn task_to_check(
    db: impl PgExecutor<'_>,
    task_id: i64,
) -> sqlx::Result<Option<TaskToCheck>> {
    let row = sqlx::query!(
        "select t.title, r.name as repository, t.system_name, t.has_solution
         from tasks t join repositories r on r.id = t.repository_id where t.id = $1",
        task_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| TaskToCheck {
        title: row.title,
        repository: row.repository,
        system_name: row.system_name,
        has_solution: row.has_solution,
    }))
}

/// The solution compared for each student (staff's own are left out): their last passed one,
/// or their last one. Ordered by solution id.
pub async fn solutions_to_compare(
    db: impl PgExecutor<'_>,
    task_id: i64,
    basis: Basis,
) -> sqlx::Result<Vec<i64>> {
    let only_passed = basis == Basis::LastPassed;
    let ids = sqlx::query_scalar!(
        r#"select id as "id!" from (
               select distinct on (s.author_id) s.id
               from solutions s join users u on u.id = s.author_id
               where s.task_id = $1 and u.role = 'student' and (not $2 or s.verdict = 'passed')
               order by s.author_id, s.number desc) latest
           order by id"#,
        task_id,
        only_passed
    )
    .fetch_all(db)
    .await?;
    Ok(ids)
}

/// A pair as a check stores it.
#[derive(Debug)]
pub struct NewPair {
    pub solution_a: i64,
    pub solution_b: i64,
    pub similarity: f32,
    pub max_similarity: f32,
    pub matched_tokens: i32,
    pub regions: Vec<StoredRegion>,
    pub cut_short: bool,
    pub cluster: Option<i32>,
}

/// What a finished check found, besides its pairs.
#[derive(Debug)]
pub struct Figures {
    pub solutions: i32,
    pub pairs_screened: i64,
    pub pairs_compared: i32,
    pub candidates_capped: bool,
    pub capped_solutions: i32,
}

/// Stores a finished check's pairs and figures, if the check is still this worker's; whether
/// it was.
pub async fn store_done(
    conn: &mut PgConnection,
    check_id: i64,
    worker: &str,
    figures: &Figures,
    pairs: &[NewPair],
) -> sqlx::Result<bool> {
    let ours = sqlx::query_scalar!(
        "update plagiarism_checks set state = 'done', finished_at = now(), stage = 'storing',
                solutions = $3, pairs_screened = $4, pairs_compared = $5, candidates_capped = $6,
                capped_solutions = $7
         where id = $1 and worker = $2 and state = 'running' returning id",
        check_id,
        worker,
        figures.solutions,
        figures.pairs_screened,
        figures.pairs_compared,
        figures.candidates_capped,
        figures.capped_solutions
    )
    .fetch_optional(&mut *conn)
    .await?;
    if ours.is_none() {
        return Ok(false);
    }
    for chunk in pairs.chunks(1_000) {
        let column = |get: fn(&NewPair) -> i64| chunk.iter().map(get).collect::<Vec<i64>>();
        let regions: Vec<serde_json::Value> = chunk
            .iter()
            .map(|pair| serde_json::to_value(&pair.regions).unwrap_or_default())
            .collect();
        sqlx::query!(
            "insert into plagiarism_pairs
                 (check_id, solution_a, solution_b, similarity, max_similarity, matched_tokens, regions, cut_short, cluster)
             select $1, p.* from unnest($2::bigint[], $3::bigint[], $4::real[], $5::real[], $6::int[], $7::jsonb[], $8::bool[], $9::int[])
                 as p(a, b, similarity, max_similarity, matched, regions, cut_short, cluster)
             -- A solution deleted (with its account) while the check ran leaves its pairs out.
             where exists (select 1 from solutions s where s.id = p.a)
               and exists (select 1 from solutions s where s.id = p.b)",
            check_id,
            &column(|pair| pair.solution_a),
            &column(|pair| pair.solution_b),
            &chunk.iter().map(|pair| pair.similarity).collect::<Vec<f32>>(),
            &chunk.iter().map(|pair| pair.max_similarity).collect::<Vec<f32>>(),
            &chunk.iter().map(|pair| pair.matched_tokens).collect::<Vec<i32>>(),
            &regions,
            &chunk.iter().map(|pair| pair.cut_short).collect::<Vec<bool>>(),
            &chunk.iter().map(|pair| pair.cluster).collect::<Vec<Option<i32>>>() as &[Option<i32>],
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Ends a check that did not finish (failed or cancelled), if it is still this worker's.
pub async fn end(
    db: impl PgExecutor<'_>,
    check_id: i64,
    worker: &str,
    state: CheckState,
    message: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update plagiarism_checks set state = $3, message = left($4, 2000), finished_at = now()
         where id = $1 and worker = $2 and state = 'running'",
        check_id,
        worker,
        state.as_str(),
        message
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Asks a check to stop: one still waiting ends at once, a running one when its worker next
/// looks. What state it is in now (`None`: no such check).
pub async fn request_cancel(
    db: impl PgExecutor<'_>,
    check_id: i64,
) -> sqlx::Result<Option<CheckState>> {
    let state = sqlx::query_scalar!(
        "update plagiarism_checks
         set cancel_requested = cancel_requested or state in ('queued', 'running'),
             state = case when state = 'queued' then 'cancelled' else state end,
             finished_at = case when state = 'queued' then now() else finished_at end
         where id = $1 returning state",
        check_id
    )
    .fetch_optional(db)
    .await?;
    Ok(state.map(|state| CheckState::parse(&state).unwrap_or(CheckState::Failed)))
}

/// A check as its page and the list show it.
#[derive(Debug)]
pub struct Summary {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub basis: Basis,
    pub threshold: f32,
    pub state: CheckState,
    pub cancel_requested: bool,
    pub stage: Option<Stage>,
    pub steps_done: i64,
    pub steps_total: i64,
    pub solutions: i32,
    pub pairs_screened: i64,
    pub pairs_compared: i32,
    pub candidates_capped: bool,
    pub capped_solutions: i32,
    pub message: String,
    pub created_by: Option<String>,
    /// Who ran it: `web-…` a web server, `cli-…` the command line.
    pub worker: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub pairs: i64,
    pub confirmed: i64,
    pub undecided: i64,
}

macro_rules! summaries {
    ($db:expr, $where:literal, $($arg:expr),*) => {{
        sqlx::query!(
            "select c.id, c.task_id, t.title as task_title, c.basis, c.threshold, c.state, c.cancel_requested,
                    c.stage, c.steps_done, c.steps_total, c.solutions, c.pairs_screened, c.pairs_compared,
                    c.candidates_capped, c.capped_solutions, c.message, u.username as \"created_by?\", c.worker,
                    c.created_at, c.finished_at,
                    (select count(*) from plagiarism_pairs p where p.check_id = c.id) as \"pairs!\",
                    (select count(*) from plagiarism_pairs p where p.check_id = c.id and p.decision = 'confirmed') as \"confirmed!\",
                    (select count(*) from plagiarism_pairs p where p.check_id = c.id and p.decision is null) as \"undecided!\"
             from plagiarism_checks c join tasks t on t.id = c.task_id left join users u on u.id = c.created_by "
            + $where,
            $($arg),*
        )
        .fetch_all($db)
        .await?
        .into_iter()
        .map(|row| Summary {
            id: row.id,
            task_id: row.task_id,
            task_title: row.task_title,
            basis: Basis::parse(&row.basis).unwrap_or(Basis::LastPassed),
            threshold: row.threshold,
            state: CheckState::parse(&row.state).unwrap_or(CheckState::Failed),
            cancel_requested: row.cancel_requested,
            stage: Stage::parse(&row.stage),
            steps_done: row.steps_done,
            steps_total: row.steps_total,
            solutions: row.solutions,
            pairs_screened: row.pairs_screened,
            pairs_compared: row.pairs_compared,
            candidates_capped: row.candidates_capped,
            capped_solutions: row.capped_solutions,
            message: row.message,
            created_by: row.created_by,
            worker: row.worker,
            created_at: row.created_at,
            finished_at: row.finished_at,
            pairs: row.pairs,
            confirmed: row.confirmed,
            undecided: row.undecided,
        })
        .collect::<Vec<Summary>>()
    }};
}

pub async fn summary(db: impl PgExecutor<'_>, check_id: i64) -> sqlx::Result<Option<Summary>> {
    Ok(summaries!(db, "where c.id = $1", check_id).into_iter().next())
}

/// A task's latest check, if it had one.
pub async fn latest_of_task(
    db: impl PgExecutor<'_>,
    task_id: i64,
) -> sqlx::Result<Option<Summary>> {
    Ok(summaries!(
        db,
        "where c.task_id = $1 order by c.created_at desc, c.id desc limit 1",
        task_id
    )
    .into_iter()
    .next())
}

/// A page of checks, newest first.
pub async fn list(db: impl PgExecutor<'_>, offset: i64, limit: i64) -> sqlx::Result<Vec<Summary>> {
    Ok(summaries!(db, "order by c.created_at desc, c.id desc offset $1 limit $2", offset, limit))
}

pub async fn count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from plagiarism_checks"#).fetch_one(db).await
}

/// One side of a pair: a student's solution.
#[derive(Debug, Clone)]
pub struct PairSide {
    pub solution_id: i64,
    pub number: i32,
    pub user_id: i64,
    pub username: String,
    pub name: String,
}

/// A pair in a check's list.
#[derive(Debug)]
pub struct PairLine {
    pub id: i64,
    pub a: PairSide,
    pub b: PairSide,
    pub similarity: f32,
    pub max_similarity: f32,
    pub cut_short: bool,
    pub cluster: Option<i32>,
    pub decision: Option<Decision>,
}

macro_rules! pair_lines {
    ($db:expr, $where:literal, $($arg:expr),*) => {{
        sqlx::query!(
            "select p.id, p.similarity, p.max_similarity, p.cut_short, p.cluster, p.decision,
                    p.solution_a, sa.number as number_a, ua.id as user_a, ua.username as username_a,
                    trim(ua.first_name || ' ' || ua.last_name) as \"name_a!\",
                    p.solution_b, sb.number as number_b, ub.id as user_b, ub.username as username_b,
                    trim(ub.first_name || ' ' || ub.last_name) as \"name_b!\"
             from plagiarism_pairs p
             join solutions sa on sa.id = p.solution_a join users ua on ua.id = sa.author_id
             join solutions sb on sb.id = p.solution_b join users ub on ub.id = sb.author_id "
            + $where,
            $($arg),*
        )
        .fetch_all($db)
        .await?
        .into_iter()
        .map(|row| PairLine {
            id: row.id,
            a: PairSide { solution_id: row.solution_a, number: row.number_a, user_id: row.user_a, username: row.username_a, name: row.name_a },
            b: PairSide { solution_id: row.solution_b, number: row.number_b, user_id: row.user_b, username: row.username_b, name: row.name_b },
            similarity: row.similarity,
            max_similarity: row.max_similarity,
            cut_short: row.cut_short,
            cluster: row.cluster,
            decision: row.decision.as_deref().and_then(Decision::parse),
        })
        .collect::<Vec<PairLine>>()
    }};
}

/// A page of a check's pairs, most similar first.
pub async fn pairs(
    db: impl PgExecutor<'_>,
    check_id: i64,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<PairLine>> {
    Ok(pair_lines!(
        db,
        "where p.check_id = $1 order by p.similarity desc, p.id offset $2 limit $3",
        check_id,
        offset,
        limit
    ))
}

/// Every pair of a check that belongs to a cluster, by cluster.
pub async fn clustered_pairs(
    db: impl PgExecutor<'_>,
    check_id: i64,
) -> sqlx::Result<Vec<PairLine>> {
    Ok(pair_lines!(
        db,
        "where p.check_id = $1 and p.cluster is not null order by p.cluster, p.similarity desc, p.id",
        check_id
    ))
}

/// One pair with what its side-by-side view needs.
#[derive(Debug)]
pub struct PairDetail {
    pub line: PairLine,
    pub check_id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub matched_tokens: i32,
    pub regions: Vec<StoredRegion>,
    pub decided_by: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

pub async fn pair(db: &sqlx::PgPool, pair_id: i64) -> sqlx::Result<Option<PairDetail>> {
    let Some(line) = pair_lines!(db, "where p.id = $1", pair_id).into_iter().next() else {
        return Ok(None);
    };
    let row = sqlx::query!(
        r#"select p.check_id, c.task_id, t.title, p.matched_tokens, p.regions as "regions: Json<Vec<StoredRegion>>",
                  u.username as "decided_by?", p.decided_at
           from plagiarism_pairs p join plagiarism_checks c on c.id = p.check_id join tasks t on t.id = c.task_id
           left join users u on u.id = p.decided_by
           where p.id = $1"#,
        pair_id
    )
    .fetch_one(db)
    .await?;
    Ok(Some(PairDetail {
        line,
        check_id: row.check_id,
        task_id: row.task_id,
        task_title: row.title,
        matched_tokens: row.matched_tokens,
        regions: row.regions.0,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
    }))
}

/// Records staff's decision about a pair (`None`: undecided again); the decision before, or
/// `None` outside `Some` when there is no such pair.
pub async fn decide(
    conn: &mut PgConnection,
    pair_id: i64,
    decision: Option<Decision>,
    staff_id: i64,
) -> sqlx::Result<Option<Option<Decision>>> {
    let before = sqlx::query_scalar!(
        "select decision from plagiarism_pairs where id = $1 for update",
        pair_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = before else { return Ok(None) };
    sqlx::query!(
        "update plagiarism_pairs set decision = $2,
                decided_by = case when $2::text is null then null else $3::bigint end,
                decided_at = case when $2::text is null then null else now() end
         where id = $1",
        pair_id,
        decision.map(Decision::as_str),
        staff_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(before.as_deref().and_then(Decision::parse)))
}

/// The tasks each of these students has a confirmed plagiarism in: (student, task).
pub async fn confirmed_of(
    db: impl PgExecutor<'_>,
    user_ids: &[i64],
) -> sqlx::Result<Vec<(i64, i64)>> {
    let rows = sqlx::query!(
        r#"select distinct s.author_id as "author_id!", s.task_id as "task_id!"
           from plagiarism_pairs p
           join solutions s on s.id = p.solution_a or s.id = p.solution_b
           where p.decision = 'confirmed' and s.author_id = any($1)"#,
        user_ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.author_id, row.task_id)).collect())
}
