-- A term's worth of work for the staff-page benchmark: 1,000 students in two groups, 20 tasks,
-- 10 graded solutions each (200,000 solutions), in the course `inloop.sh bench-staff` set up.
insert into repositories (name, url, branch, webhook_secret)
    values ('bench', 'file:///nonexistent', 'main', 'bench') on conflict do nothing;
insert into categories (name, slug) values ('Bench', 'bench') on conflict do nothing;
insert into tasks (repository_id, system_name, slug, title, category_id, description, pubdate, runner,
                   revision, content_hash, repo_pubdate, repo_disabled)
select (select id from repositories where name = 'bench'), 'task' || n, 'bench-task-' || n, 'Bench task ' || n,
       (select id from categories where slug = 'bench'), 'A task.', now() - interval '30 days', 'python',
       repeat('a', 40), 'bench', now() - interval '30 days', false
from generate_series(1, 20) n on conflict do nothing;
insert into users (username, email, password_hash, role, is_active, first_name, last_name, matriculation_number)
select 'student' || n, 'student' || n || '@example.org', '!no password yet', 'student', true,
       'First' || n, 'Last' || n, (4000000 + n)::text
from generate_series(1, 1000) n on conflict do nothing;
insert into groups (name) values ('Monday'), ('Thursday') on conflict do nothing;
insert into group_members (user_id, group_id)
select u.id, (select id from groups where name = case when u.id % 2 = 0 then 'Monday' else 'Thursday' end)
from users u where u.username like 'student%' on conflict do nothing;
insert into solutions (task_id, author_id, number, submitted_at, revision, status, verdict, attempt)
select t.id, u.id, k, now() - (random() * interval '30 days'), repeat('a', 40), 'done',
       (array['passed', 'failed', 'compile_error', 'timeout'])[1 + floor(random() * 4)::int], 1
from tasks t cross join users u cross join generate_series(1, 10) k
where t.slug like 'bench-task-%' and u.username like 'student%'
  and not exists (select 1 from solutions);
-- Vacuumed as autovacuum would have left a term's tables, so that it does not run during the
-- measurement (and index-only scans see an up-to-date visibility map).
vacuum analyze;
