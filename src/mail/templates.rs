//! Message templates, each a subject, a plain-text and an HTML file under `templates/`:
//! `reminder.*` (one item), `urge.*` (a supervisor's 督办 of one item, with its note),
//! `digest.*` (a person's weekly list) and `report_calendar.*`
//! (January: earlier reports' shortcomings still open). Built in, and overridable by files
//! of the same names in `RECTIFY_TEMPLATE_DIR`.
//!
//! Placeholders are `{{name}}`, replaced by value (HTML-escaped in the HTML template, except
//! values whose name ends in `_html`, which the service has escaped itself). Written by
//! hand: the templates need substitution only, and a template engine would add a language
//! deployers must learn and a dependency to keep.

use std::path::Path;

/// One message's three templates.
#[derive(Clone, Debug)]
pub struct Template {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every message template.
#[derive(Clone, Debug)]
pub struct Templates {
    pub reminder: Template,
    pub urge: Template,
    pub digest: Template,
    pub report_calendar: Template,
}

macro_rules! built_in {
    ($name:literal) => {
        Template {
            subject: include_str!(concat!("../../templates/", $name, ".subject.txt")).to_owned(),
            text: include_str!(concat!("../../templates/", $name, ".txt")).to_owned(),
            html: include_str!(concat!("../../templates/", $name, ".html")).to_owned(),
        }
    };
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            reminder: built_in!("reminder"),
            urge: built_in!("urge"),
            digest: built_in!("digest"),
            report_calendar: built_in!("report_calendar"),
        }
    }
}

impl Templates {
    /// The built-in templates, each replaced by its file in `dir` when present.
    pub fn load(dir: Option<&Path>) -> std::io::Result<Self> {
        let mut t = Self::default();
        if let Some(dir) = dir {
            for (name, template) in [
                ("reminder", &mut t.reminder),
                ("urge", &mut t.urge),
                ("digest", &mut t.digest),
                ("report_calendar", &mut t.report_calendar),
            ] {
                for (suffix, slot) in [
                    ("subject.txt", &mut template.subject),
                    ("txt", &mut template.text),
                    ("html", &mut template.html),
                ] {
                    let path = dir.join(format!("{name}.{suffix}"));
                    if path.exists() {
                        *slot = std::fs::read_to_string(path)?;
                    }
                }
            }
        }
        Ok(t)
    }
}

impl Template {
    /// Renders (subject, text, html) with `values`.
    pub fn render(&self, values: &[(&str, String)]) -> (String, String, String) {
        let subject = substitute(&self.subject, values, false);
        (
            subject.trim().replace(['\r', '\n'], " "),
            substitute(&self.text, values, false),
            substitute(&self.html, values, true),
        )
    }
}

/// Replaces every `{{name}}` by its value; an unknown name is left as it is, visibly.
pub fn substitute(template: &str, values: &[(&str, String)], html: bool) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) if html && !name.ends_with("_html") => {
                        out.push_str(&escape_html(v))
                    }
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_and_escaped_in_html() {
        let values = [
            ("name", "张<三>".to_owned()),
            ("list_html", "<li>a</li>".to_owned()),
        ];
        assert_eq!(substitute("{{list_html}}", &values, true), "<li>a</li>");
        assert_eq!(substitute("您好{{ name }}", &values, false), "您好张<三>");
        assert_eq!(
            substitute("<b>{{name}}</b>", &values, true),
            "<b>张&lt;三&gt;</b>"
        );
        assert_eq!(
            substitute("{{unknown}} {{name", &values, false),
            "{{unknown}} {{name"
        );
    }

    #[test]
    fn the_built_in_templates_render_every_placeholder_they_use() {
        let t = Templates::default();
        let names = [
            "item_title_short",
            "headline",
            "recipient_name",
            "lead_line",
            "item_title",
            "shortcoming_line",
            "shortcoming",
            "due_on",
            "days_line",
            "state_label",
            "level_label",
            "item_url",
            "shortcoming_row_html",
            "note",
            "urged_by",
        ];
        let values: Vec<(&str, String)> = names.iter().map(|n| (*n, "x".to_owned())).collect();
        for template in [&t.reminder, &t.urge] {
            let (subject, text, html) = template.render(&values);
            for rendered in [&subject, &text, &html] {
                assert!(!rendered.contains("{{"), "{rendered}");
            }
        }
        let names = [
            "recipient_name",
            "today",
            "open_count",
            "overdue_count",
            "soon_count",
            "overdue_headline",
            "items_text",
            "items_html",
            "public_url",
            "agency_name",
            "year",
            "due_to_superior",
            "due_public",
        ];
        let values: Vec<(&str, String)> = names.iter().map(|n| (*n, "x".to_owned())).collect();
        for template in [&t.digest, &t.report_calendar] {
            let (subject, text, html) = template.render(&values);
            for rendered in [&subject, &text, &html] {
                assert!(!rendered.contains("{{"), "{rendered}");
            }
        }
    }
}
