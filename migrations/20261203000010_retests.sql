-- Staff re-test solutions in batches (after a fix to a task's tests, say): each solution of the
-- batch is graded again at the task's current revision, behind the students' own submissions;
-- the new results wait here until staff have reviewed and applied them.
create table retests (
    id bigint generated always as identity primary key,
    task_id bigint not null references tasks (id) on delete cascade,
    -- Which solutions: every student's latest, every one, those that could not be tested, or
    -- the ones staff picked.
    scope text not null check (scope in ('latest', 'all', 'untested', 'selection')),
    -- running → review (every item done or given up) → applied or discarded.
    state text not null default 'running' check (state in ('running', 'review', 'applied', 'discarded')),
    -- The task's revision the solutions are graded at.
    revision text not null,
    created_by bigint references users (id) on delete set null,
    created_at timestamptz not null default now(),
    finished_at timestamptz,
    decided_by bigint references users (id) on delete set null,
    decided_at timestamptz
);
-- One open batch per task: a second would grade the same solutions twice.
create unique index retests_open_per_task on retests (task_id) where state in ('running', 'review');
create index retests_task_idx on retests (task_id, created_at desc);

create table retest_items (
    id bigint generated always as identity primary key,
    retest_id bigint not null references retests (id) on delete cascade,
    solution_id bigint not null references solutions (id) on delete cascade,
    -- The verdict when the batch began (null: none, it could not be tested).
    old_verdict text,
    -- waiting → dispatched → done, or error once the test machines lost it too often.
    status text not null default 'waiting' check (status in ('waiting', 'dispatched', 'done', 'error')),
    attempt integer not null default 0,
    token text,
    job_id text,
    dispatched_at timestamptz,
    lost integer not null default 0,
    handed_back integer not null default 0,
    -- The new result, stored as a result is and moved into `results` when staff apply the batch.
    runner text,
    verdict text,
    report jsonb,
    stdout text,
    stderr text,
    output_truncated boolean,
    duration_ms integer,
    finished_at timestamptz,
    unique (retest_id, solution_id)
);
create index retest_items_waiting_idx on retest_items (retest_id, id) where status = 'waiting';
create index retest_items_out_idx on retest_items (id) where status = 'dispatched';
