-- A user name is never an e-mail address: a login with an `@` is looked up by e-mail only, so a
-- name that looked like somebody's address could otherwise stand in for them. Rows from before
-- (none are made so since the rule in the code) are left as they are, new ones are checked.
alter table users
    add constraint users_username_without_at check (strpos(username, '@') = 0) not valid;
