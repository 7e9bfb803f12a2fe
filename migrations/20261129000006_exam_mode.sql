-- Exam mode: with immediate feedback off, solutions are stored and not tested (INLOOP's
-- IMMEDIATE_FEEDBACK). Such a solution is 'saved' and never goes to the runners.
alter table site_settings add column immediate_feedback boolean not null default true;

alter table solutions drop constraint solutions_status_check;
alter table solutions add constraint solutions_status_check
    check (status in ('queued', 'dispatched', 'done', 'error', 'saved'));
