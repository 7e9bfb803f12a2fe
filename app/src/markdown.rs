//! Markdown written by staff, rendered to HTML and sanitised before it reaches a page.

use maud::{Markup, PreEscaped};
use pulldown_cmark::{Options, Parser, html};

pub fn render(source: &str) -> Markup {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(source, options));
    PreEscaped(ammonia::clean(&unsafe_html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_javascript_links_are_removed() {
        let html = render("Hi <script>alert(1)</script> [x](javascript:alert(1)) `@example.org`")
            .into_string();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<code>@example.org</code>"), "{html}");
    }
}
