-- A user name is never an e-mail address: a login with an `@` is looked up by e-mail only, so a
-- name that looked like somebody's address could otherwise stand in for them. A trigger rather
-- than a check: names from before the rule stay usable (their owners log in by e-mail, and
-- their rows can still be updated), only a name being set is checked.
create function users_username_without_at() returns trigger
language plpgsql as $$
begin
    if strpos(new.username, '@') > 0 then
        raise exception 'users_username_without_at: a user name never holds an @ (%)', new.username
            using errcode = 'check_violation';
    end if;
    return new;
end
$$;

create trigger users_username_without_at
    before insert or update of username on users
    for each row execute function users_username_without_at();
