//! Markdown written by staff, rendered to HTML and sanitised before it reaches a page.

use std::{collections::HashSet, sync::LazyLock};

use maud::{Markup, PreEscaped};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Short texts (settings, messages): Markdown to sanitised HTML.
pub fn render(source: &str) -> Markup {
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(source, options()));
    PreEscaped(SANITIZER.clean(&unsafe_html).to_string())
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tag_attributes("code", &["class"])
        .add_tag_attributes("h1", &["id"])
        .add_tag_attributes("h2", &["id"])
        .add_tag_attributes("h3", &["id"])
        .add_tag_attributes("h4", &["id"])
        .add_tag_attributes("h5", &["id"])
        .add_tag_attributes("h6", &["id"])
        .add_tag_attributes("td", &["style"])
        .add_tag_attributes("th", &["style"])
        .filter_style_properties(["text-align"].into())
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// Where a task's relative links point.
pub struct TaskLinks<'a> {
    /// `/tasks/<slug>`
    pub base: &'a str,
    /// Appended to image URLs (`?v=<revision>`), so a new revision is fetched anew.
    pub version: &'a str,
}

/// A task's text: heading anchors, relative `images/…` and `attachments/…` links pointing at the
/// task's file routes, everything sanitised.
pub fn render_task(source: &str, links: &TaskLinks<'_>) -> Markup {
    let mut used_ids = HashSet::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut heading: Option<(usize, String)> = None;
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                heading = Some((events.len(), String::new()));
                events.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, text)) = heading.take()
                    && let Event::Start(Tag::Heading { id, .. }) = &mut events[start]
                    && id.is_none()
                {
                    *id = Some(CowStr::from(unique_id(&text, &mut used_ids)));
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Text(text) | Event::Code(text) if heading.is_some() => {
                if let Some((_, collected)) = heading.as_mut() {
                    collected.push_str(&text);
                }
                events.push(Event::Text(text));
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = CowStr::from(rewrite(&dest_url, links, true));
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = CowStr::from(rewrite(&dest_url, links, false));
                events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            // Raw HTML in task texts is shown as text, never interpreted.
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            other => events.push(other),
        }
    }
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    PreEscaped(SANITIZER.clean(&unsafe_html).to_string())
}

fn unique_id(text: &str, used: &mut HashSet<String>) -> String {
    let base = match crate::taskrepo::slug::slugify(text) {
        slug if slug.is_empty() => "section".to_owned(),
        slug => slug,
    };
    let mut id = base.clone();
    let mut counter = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{counter}");
        counter += 1;
    }
    id
}

/// `images/a.png` → `/tasks/<slug>/images/a.png?v=…`; absolute URLs and anchors stay as written.
fn rewrite(url: &str, links: &TaskLinks<'_>, is_image: bool) -> String {
    let trimmed = url.trim_start_matches("./");
    let is_relative = !(trimmed.is_empty()
        || trimmed.starts_with('#')
        || trimmed.starts_with('/')
        || trimmed.starts_with("//")
        || trimmed.split_once(':').is_some_and(|(scheme, _)| {
            scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }));
    if !is_relative || !(trimmed.starts_with("images/") || trimmed.starts_with("attachments/")) {
        return url.to_owned();
    }
    if is_image {
        format!("{}/{trimmed}?v={}", links.base, links.version)
    } else {
        format!("{}/{trimmed}", links.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(source: &str) -> String {
        render_task(source, &TaskLinks { base: "/tasks/taxi", version: "abc123" }).into_string()
    }

    #[test]
    fn task_texts_get_anchors_rewritten_links_and_code_classes() {
        let html = task(
            "# The Taxi\n## Part 1\n## Part 1\n\n![map](images/map.png) [code](attachments/Taxi.java) \
            [site](https://example.org) ![remote](https://example.org/x.png)\n\n```java\nclass Taxi {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains(r#"<h1 id="the-taxi">"#), "{html}");
        assert!(
            html.contains(r#"<h2 id="part-1">"#) && html.contains(r#"<h2 id="part-1-2">"#),
            "{html}"
        );
        assert!(html.contains(r#"src="/tasks/taxi/images/map.png?v=abc123""#), "{html}");
        assert!(html.contains(r#"href="/tasks/taxi/attachments/Taxi.java""#), "{html}");
        assert!(html.contains(r#"src="https://example.org/x.png""#), "{html}");
        assert!(html.contains(r#"<code class="language-java">"#), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn raw_html_and_scripts_in_task_texts_are_defused() {
        let html = task(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))",
        );
        assert!(!html.contains("<script") && !html.contains("<img src=\"x\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "shown as text: {html}");
    }

    #[test]
    fn scripts_and_javascript_links_are_removed() {
        let html = render("Hi <script>alert(1)</script> [x](javascript:alert(1)) `@example.org`")
            .into_string();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<code>@example.org</code>"), "{html}");
    }
}
