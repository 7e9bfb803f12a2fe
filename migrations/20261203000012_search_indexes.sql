-- Who has passed a task is asked by the task overview (every student, one count) and by its
-- first-pass column; only passed solutions are indexed, so the index stays a fraction of the table.
create index solutions_passed_idx on solutions (task_id, author_id, submitted_at) where verdict = 'passed';
-- A search for a student reads each matching student's solutions newest first.
create index solutions_author_submitted_idx on solutions (author_id, submitted_at desc, id desc);
