-- Staff change a task's dates, limit, group or state without a commit, and give one student more
-- time or more submissions.
--
-- A task's pubdate, deadline, max_submissions, group_name and disabled are what applies: the
-- repository's value unless staff overrode it. The repository's own values are kept beside them
-- (repo_*), so that a sync updates those and an override outlives it.
alter table tasks
    add column repo_pubdate timestamptz,
    add column repo_deadline timestamptz,
    add column repo_max_submissions integer
        check (repo_max_submissions is null or repo_max_submissions >= -1),
    add column repo_group_name text,
    add column repo_disabled boolean;
update tasks set repo_pubdate = pubdate, repo_deadline = deadline,
                 repo_max_submissions = max_submissions, repo_group_name = group_name,
                 repo_disabled = disabled;
alter table tasks
    alter column repo_pubdate set not null,
    alter column repo_disabled set not null;

-- One row per task with any override; a field overrides only where its flag (or, for pubdate and
-- disabled, its value) is set, since "no deadline" and "the site's limit" are values too.
create table task_overrides (
    task_id bigint primary key references tasks (id) on delete cascade,
    pubdate timestamptz,
    overrides_deadline boolean not null default false,
    deadline timestamptz,
    overrides_max_submissions boolean not null default false,
    max_submissions integer check (max_submissions is null or max_submissions >= -1),
    overrides_group boolean not null default false,
    group_name text check (group_name is null or length(group_name) between 1 and 150),
    disabled boolean,
    updated_by bigint references users (id) on delete set null,
    updated_at timestamptz not null default now(),
    check (overrides_deadline or deadline is null),
    check (overrides_max_submissions or max_submissions is null),
    check (overrides_group or group_name is null)
);

-- More time or more submissions for one student, for one task or for every task of a category.
-- Where several apply, the latest deadline wins and the extra submissions add up; an extension
-- never moves a deadline earlier and gives no deadline to a task without one.
create table extensions (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    task_id bigint references tasks (id) on delete cascade,
    category_id bigint references categories (id) on delete cascade,
    deadline timestamptz,
    extra_submissions integer not null default 0 check (extra_submissions between 0 and 1000),
    reason text not null default '' check (length(reason) <= 500),
    granted_by bigint references users (id) on delete set null,
    granted_at timestamptz not null default now(),
    check ((task_id is null) <> (category_id is null)),
    check (deadline is not null or extra_submissions > 0)
);
create unique index extensions_task_key on extensions (user_id, task_id) where task_id is not null;
create unique index extensions_category_key on extensions (user_id, category_id)
    where category_id is not null;
create index extensions_user_idx on extensions (user_id);
