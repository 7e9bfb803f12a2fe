-- Grading one can trust.
--
-- Every attempt carries a random token that its result must bring back, so a result is taken
-- only for the attempt that is out, never for another (forged, late or superseded). The jobs
-- stream's entry id lets the reconciler measure a lease from the moment a runner took the job
-- (its pending idle time) instead of from the dispatch, so a queue that waits is never "lost".
-- `problem` tells staff why an attempt ended without a verdict.

alter table grading_attempts
    add column token text,
    add column job_id text,
    add column problem text;

alter table grading_attempts drop constraint grading_attempts_outcome_check;
alter table grading_attempts add constraint grading_attempts_outcome_check
    check (outcome in ('graded', 'lost', 'quarantined', 'handed_back', 'superseded', 'undeliverable'));

-- The reference check that is out: only its result (same token) is stored, and it names the
-- revision it checked, so a late result for an older revision changes nothing.
alter table tasks
    add column reference_token text,
    add column reference_job_id text,
    add column reference_revision text,
    add column reference_lost integer not null default 0;

-- Lost attempts count towards quarantine from here on: a solution staff have tested again
-- starts afresh.
alter table solutions add column counted_from_attempt integer not null default 1;

-- When staff have a solution tested again, the result it had is kept here.
create table superseded_results (
    id bigint generated always as identity primary key,
    solution_id bigint not null references solutions (id) on delete cascade,
    attempt integer not null,
    runner text not null,
    verdict text not null,
    report jsonb not null,
    stdout text not null,
    stderr text not null,
    output_truncated boolean not null,
    duration_ms integer not null,
    created_at timestamptz not null,
    superseded_at timestamptz not null default now(),
    superseded_by bigint references users (id) on delete set null
);
create index superseded_results_solution_idx on superseded_results (solution_id, superseded_at);
