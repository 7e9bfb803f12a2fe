-- Each task's reference solution (its solution/ folder) is graded after every change, so staff
-- learn of broken tests before students do.

alter table tasks
    add column reference_hash text,
    add column reference_verdict text check (reference_verdict in
        ('pending', 'passed', 'failed', 'compile_error', 'timeout', 'memory_exceeded', 'crashed', 'system_error')),
    add column reference_report jsonb,
    add column reference_output text,
    add column reference_dispatched_at timestamptz,
    add column reference_checked_at timestamptz;

alter table site_settings
    add column hide_failing_tasks boolean not null default false;
