-- Plagiarism checks: staff have the students' solutions of a task compared with each other (by
-- a web server, in the background); the similar pairs wait here for staff to confirm or
-- dismiss them. A confirmed pair makes the task count as not passed for both students.
create table plagiarism_checks (
    id bigint generated always as identity primary key,
    task_id bigint not null references tasks (id) on delete cascade,
    -- Whose solutions are compared: each student's last passed one, or each student's last one.
    basis text not null check (basis in ('last_passed', 'last')),
    -- Pairs at or above this share of matched code (0–1) are kept.
    threshold real not null check (threshold > 0 and threshold <= 1),
    -- queued → running → done, failed or cancelled.
    state text not null default 'queued'
        check (state in ('queued', 'running', 'done', 'failed', 'cancelled')),
    cancel_requested boolean not null default false,
    -- How far a running check has got: its stage and the steps done of the stage's total.
    stage text not null default '' check (stage in ('', 'reading', 'screening', 'tiling', 'storing')),
    steps_done bigint not null default 0,
    steps_total bigint not null default 0,
    -- The server working on the check renews this; a check whose server went silent for a
    -- minute is taken over by another one (or by the same one, restarted).
    worker text,
    heartbeat_at timestamptz,
    -- What the check found, for staff to judge it by.
    solutions integer not null default 0,
    pairs_screened bigint not null default 0,
    pairs_compared integer not null default 0,
    candidates_capped boolean not null default false,
    capped_solutions integer not null default 0,
    -- Why it failed, in words for staff.
    message text not null default '' check (length(message) <= 2000),
    created_by bigint references users (id) on delete set null,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz
);
-- One open check per task: a second would only compare the same solutions again.
create unique index plagiarism_checks_open_per_task on plagiarism_checks (task_id)
    where state in ('queued', 'running');
create index plagiarism_checks_task_idx on plagiarism_checks (task_id, created_at desc);
create index plagiarism_checks_created_idx on plagiarism_checks (created_at desc, id desc);

create table plagiarism_pairs (
    id bigint generated always as identity primary key,
    check_id bigint not null references plagiarism_checks (id) on delete cascade,
    -- The two solutions, the smaller id first.
    solution_a bigint not null references solutions (id) on delete cascade,
    solution_b bigint not null references solutions (id) on delete cascade,
    similarity real not null check (similarity between 0 and 1),
    -- Matched code over the smaller solution: high when one contains the other.
    max_similarity real not null,
    matched_tokens integer not null,
    -- The matched regions: [[file_a, start_a, end_a, file_b, start_b, end_b], …], byte offsets
    -- into the solutions' files taken in the order of their names.
    regions jsonb not null,
    -- The comparison ran out of its budget (the similarity is at least this).
    cut_short boolean not null default false,
    -- The pair's cluster (more than two solutions alike) within its check, numbered from 1.
    cluster integer,
    decision text check (decision in ('confirmed', 'dismissed')),
    decided_by bigint references users (id) on delete set null,
    decided_at timestamptz,
    check (solution_a < solution_b),
    unique (check_id, solution_a, solution_b)
);
create index plagiarism_pairs_check_idx on plagiarism_pairs (check_id, similarity desc, id);
create index plagiarism_pairs_confirmed_a_idx on plagiarism_pairs (solution_a) where decision = 'confirmed';
create index plagiarism_pairs_confirmed_b_idx on plagiarism_pairs (solution_b) where decision = 'confirmed';
