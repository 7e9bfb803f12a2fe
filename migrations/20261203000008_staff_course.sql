-- What staff changed, for staff to read later. The actor's name is copied so that an entry
-- still says who acted once that account is gone.
create table audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    actor_id bigint references users (id) on delete set null,
    actor_name text not null,
    action text not null check (action ~ '^[a-z_]{1,60}$'),
    subject text not null default '' check (length(subject) <= 300),
    details text not null default '' check (length(details) <= 4000)
);
create index audit_log_at_idx on audit_log (at desc, id desc);
create index audit_log_actor_idx on audit_log (actor_id, at desc);

-- The staff list of solutions: newest first, across the course or within one task.
create index solutions_submitted_idx on solutions (submitted_at desc, id desc);
create index solutions_task_submitted_idx on solutions (task_id, submitted_at desc, id desc);
