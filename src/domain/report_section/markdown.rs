//! The section as Markdown: a heading, the summary, one paragraph per shortcoming — ready
//! to paste into a draft. The coverage comparison is left out (it reviews the report; it
//! is not part of it).

use super::Section;

/// Renders `section` as Markdown.
pub fn markdown(section: &Section) -> String {
    let mut out = format!(
        "## {}{}\n\n",
        escape(&section.agency_name),
        escape(&section.title)
    );
    out.push_str(&escape(&section.summary));
    out.push_str("\n\n");
    for s in &section.shortcomings {
        out.push_str(&escape(&s.paragraph));
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Escapes the characters Markdown would read as markup (report text is plain text).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape("a*b_c#[d]"), "a\\*b\\_c\\#\\[d\\]");
        assert_eq!(escape("整改措施（一）"), "整改措施（一）");
    }
}
