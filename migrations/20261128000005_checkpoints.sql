-- Checkpoints: the editor's saved work of one student on one task, so that closing the browser
-- or switching computers loses nothing. Only the latest state is kept; submitted solutions are
-- the history. Files are stored as a JSON array of {"name", "contents"} in the editor's order.

create table checkpoints (
    user_id bigint not null references users (id) on delete cascade,
    task_id bigint not null references tasks (id) on delete cascade,
    saved_at timestamptz not null default now(),
    files jsonb not null check (jsonb_typeof(files) = 'array'),
    primary key (user_id, task_id)
);
