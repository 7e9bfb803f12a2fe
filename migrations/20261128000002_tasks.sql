-- Task repositories, the tasks loaded from them, and their categories.
--
-- PostgreSQL holds what students see; the repository's files stay in the task directory, which
-- runner hosts share. A task that disappears from its repository, or is disabled there, is kept
-- (solutions refer to it) but hidden from students.

create table repositories (
    id bigint generated always as identity primary key,
    -- Also the name of its folder in the task directory.
    name text not null unique check (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    url text not null check (length(url) between 1 and 2000),
    branch text not null default 'main' check (branch ~ '^[A-Za-z0-9._/-]{1,200}$'),
    -- Shared with the Git host to sign (GitHub) or authenticate (GitLab) webhook calls.
    webhook_secret text not null,
    -- The commit whose files students see now.
    revision text,
    synced_at timestamptz,
    sync_status text not null default 'never' check (sync_status in ('never', 'ok', 'failed')),
    sync_message text not null default '',
    created_at timestamptz not null default now()
);

create table categories (
    id bigint generated always as identity primary key,
    name text not null check (length(name) between 1 and 100),
    slug text not null unique,
    -- Lower values first; staff edit it, imports never touch it.
    display_order integer not null default 0,
    description text not null default '',
    created_at timestamptz not null default now()
);
create unique index categories_name_key on categories (name);

create table tasks (
    id bigint generated always as identity primary key,
    repository_id bigint not null references repositories (id) on delete cascade,
    -- The task's folder name in the repository (INLOOP's "system name").
    system_name text not null,
    slug text not null,
    title text not null check (length(title) between 1 and 200),
    category_id bigint not null references categories (id),
    -- The Markdown of task.md.
    description text not null,
    pubdate timestamptz not null,
    deadline timestamptz,
    -- Null: the site-wide limit; -1: unlimited.
    max_submissions integer check (max_submissions is null or max_submissions >= -1),
    -- The group named in meta.json; only its members see the task.
    group_name text,
    runner text not null,
    -- File name patterns a solution may contain.
    file_patterns text[] not null default '{}',
    limits jsonb,
    has_solution boolean not null default false,
    -- Disabled in meta.json, or gone from the repository: hidden from students, kept for solutions.
    disabled boolean not null default false,
    removed boolean not null default false,
    revision text not null,
    content_hash text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (repository_id, system_name)
);
create unique index tasks_slug_key on tasks (slug);
create index tasks_category_idx on tasks (category_id);

-- Starter files for the editor, replaced on every import.
create table task_templates (
    task_id bigint not null references tasks (id) on delete cascade,
    name text not null,
    contents text not null,
    primary key (task_id, name)
);

-- What the last sync of a repository found wrong, per task folder; replaced on every sync.
create table sync_problems (
    id bigint generated always as identity primary key,
    repository_id bigint not null references repositories (id) on delete cascade,
    task_name text not null,
    message text not null,
    created_at timestamptz not null default now()
);
create index sync_problems_repository_idx on sync_problems (repository_id);
