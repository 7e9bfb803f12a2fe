-- Pages the site's admins write in Markdown, linked from every page's footer.
alter table site_settings
    add column legal_notice text not null default '' check (length(legal_notice) <= 100000),
    add column help_page text not null default '' check (length(help_page) <= 100000);
