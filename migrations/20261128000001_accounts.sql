-- Accounts, groups, courses of study and the live site settings.
--
-- Usernames and e-mail addresses are unique without regard to case: "Alice" and "alice" are one
-- person, as they were in INLOOP. We enforce that with unique indexes on lower(...) instead of
-- the citext extension, so the schema needs nothing beyond a stock PostgreSQL.

create table courses (
    id bigint generated always as identity primary key,
    name text not null check (length(name) between 1 and 100),
    created_at timestamptz not null default now()
);
create unique index courses_name_key on courses (lower(name));

-- The course every profile starts with, as in INLOOP.
insert into courses (name) values ('Other');

create table users (
    id bigint generated always as identity primary key,
    username text not null check (username ~ '^[A-Za-z0-9@.+_-]{1,150}$'),
    email text not null check (length(email) between 3 and 254),
    -- argon2id in PHC string format.
    password_hash text not null,
    role text not null default 'student' check (role in ('student', 'staff', 'admin')),
    -- False from signup until the activation link is used.
    is_active boolean not null default false,
    first_name text not null default '' check (length(first_name) <= 150),
    last_name text not null default '' check (length(last_name) <= 150),
    matriculation_number text not null default '' check (matriculation_number ~ '^[0-9]{0,20}$'),
    course_id bigint references courses (id) on delete set null,
    privacy_consent_at timestamptz,
    ownwork_confirmed_at timestamptz,
    created_at timestamptz not null default now(),
    last_login_at timestamptz
);
create unique index users_username_key on users (lower(username));
create unique index users_email_key on users (lower(email));

create table groups (
    id bigint generated always as identity primary key,
    name text not null check (name ~ '^[A-Za-z0-9 ._-]{1,80}$'),
    created_at timestamptz not null default now()
);
create unique index groups_name_key on groups (lower(name));

create table group_members (
    group_id bigint not null references groups (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    added_at timestamptz not null default now(),
    primary key (user_id, group_id)
);
create index group_members_group_idx on group_members (group_id);

-- Settings staff change while the server runs (INLOOP kept these in Redis through constance).
-- Exactly one row: the primary key can only be true.
create table site_settings (
    id boolean primary key default true check (id),
    signup_allowed boolean not null default false,
    -- A regular expression that signup e-mail addresses must contain a match of; empty allows all.
    email_pattern text not null default '',
    email_help_text text not null default '',
    email_error_message text not null default '',
    require_ownwork_declaration boolean not null default false,
    ownwork_declaration_intro text not null default '',
    ownwork_declaration text not null default 'I declare that I will solve the tasks on my own.',
    -- Space-separated group names; a user without a group joins a random one at login.
    auto_assign_groups text not null default '',
    privacy_statement text not null default
        'We store your name, e-mail address, matriculation number and your solutions to grade them. '
        'Course staff can see them. Nothing is passed on to anybody else.',
    updated_at timestamptz not null default now()
);
insert into site_settings default values;
