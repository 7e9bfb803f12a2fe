-- Solutions, their files, grading attempts and results.
--
-- A solution is stored with its files in one transaction before any job exists; Redis only
-- carries jobs, results and events, so losing Redis loses no submission (the reconciler sends
-- again what has no result). A run lost to a dead runner never counts against the limit.

create table solutions (
    id bigint generated always as identity primary key,
    task_id bigint not null references tasks (id) on delete cascade,
    author_id bigint not null references users (id) on delete cascade,
    -- #1, #2, ... per author and task.
    number integer not null check (number > 0),
    submitted_at timestamptz not null default now(),
    -- The task repository revision the solution is graded against.
    revision text not null,
    -- queued: stored, waiting for its turn; dispatched: a job is out; done: graded; error: could not be graded.
    status text not null default 'queued' check (status in ('queued', 'dispatched', 'done', 'error')),
    verdict text check (verdict in ('passed', 'failed', 'compile_error', 'timeout', 'memory_exceeded', 'crashed', 'system_error')),
    -- The current job's attempt number, and when it was sent.
    attempt integer not null default 0,
    dispatched_at timestamptz,
    -- Why a solution could not be graded, in words for the student.
    error_message text,
    unique (author_id, task_id, number)
);
create index solutions_task_author_idx on solutions (task_id, author_id, number desc);
create index solutions_open_idx on solutions (status, submitted_at) where status in ('queued', 'dispatched');

create table solution_files (
    solution_id bigint not null references solutions (id) on delete cascade,
    name text not null,
    contents bytea not null,
    primary key (solution_id, name)
);

-- Every job sent for a solution, for staff: which runner, how it ended.
create table grading_attempts (
    solution_id bigint not null references solutions (id) on delete cascade,
    attempt integer not null,
    dispatched_at timestamptz not null default now(),
    finished_at timestamptz,
    runner text,
    outcome text check (outcome in ('graded', 'lost', 'quarantined')),
    primary key (solution_id, attempt)
);

-- One result per solution: the first result of any of its attempts wins.
create table results (
    solution_id bigint primary key references solutions (id) on delete cascade,
    attempt integer not null,
    runner text not null,
    verdict text not null,
    report jsonb not null,
    stdout text not null default '',
    stderr text not null default '',
    output_truncated boolean not null default false,
    duration_ms integer not null default 0,
    created_at timestamptz not null default now()
);

-- The site-wide submission rules INLOOP had as live settings.
alter table site_settings
    add column deadline_tolerance_seconds integer not null default 0 check (deadline_tolerance_seconds >= 0),
    add column max_submissions integer not null default -1 check (max_submissions >= -1);
