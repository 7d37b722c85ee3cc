//! A report as paragraphs: each non-blank line, trimmed, with its byte span in the text and
//! what kind of line it is (body, a date line, page furniture).

use crate::{
    cues::Cues,
    markers::{self, Marker},
};

/// What a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Report text.
    Body,
    /// A line that is only a date (a signature date): 2026年2月9日, 二〇二六年二月九日.
    Date,
    /// Web-page furniture: share buttons, footers, breadcrumbs, page metadata.
    Furniture,
}

/// One non-blank line.
#[derive(Clone, Debug)]
pub struct Paragraph<'a> {
    /// The trimmed text.
    pub text: &'a str,
    /// Byte offset of `text` in the report.
    pub start: usize,
    pub kind: LineKind,
    /// The enumerator the line starts with, if any (offsets relative to `text`).
    pub marker: Option<Marker>,
}

impl Paragraph<'_> {
    /// Characters in the line.
    pub fn chars(&self) -> usize {
        self.text.chars().count()
    }

    /// True for a line of real prose: long enough and with clause punctuation.
    pub fn is_prose(&self) -> bool {
        self.kind == LineKind::Body
            && self.chars() >= 12
            && self.text.contains(['。', '，', ',', '；', ';', '：', ':'])
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' || c == '\u{feff}'
}

/// True when `s` is only a date, as a signature line writes it.
pub fn is_date_line(s: &str) -> bool {
    if s.len() > 64 {
        return false;
    }
    let s: String = s.chars().filter(|c| !is_space(*c)).collect();
    let Some(rest) = s.strip_suffix('日') else {
        return false;
    };
    let Some((year, rest)) = rest.split_once('年') else {
        return false;
    };
    let Some((month, day)) = rest.split_once('月') else {
        return false;
    };
    [year, month, day].iter().all(|p| {
        !p.is_empty()
            && p.chars().count() <= 4
            && p.chars()
                .all(|c| c.is_ascii_digit() || crate::numerals::digit(c).is_some() || c == '十')
    })
}

fn kind_of(text: &str, cues: &Cues) -> LineKind {
    let chars = text.chars().count();
    if is_date_line(text) {
        return LineKind::Date;
    }
    if chars <= 40
        && cues
            .layout
            .furniture
            .iter()
            .any(|w| text.contains(w.as_str()))
    {
        return LineKind::Furniture;
    }
    if chars <= 3 && !text.contains(['。', '，']) {
        return LineKind::Furniture;
    }
    LineKind::Body
}

/// Splits `text` into its non-blank lines.
pub fn paragraphs<'a>(text: &'a str, cues: &Cues) -> Vec<Paragraph<'a>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let trimmed_start = line.trim_start_matches(is_space);
        let text = trimmed_start.trim_end_matches(is_space);
        if text.is_empty() {
            continue;
        }
        let start = line_start + (line.len() - trimmed_start.len());
        out.push(Paragraph {
            text,
            start,
            kind: kind_of(text, cues),
            marker: markers::marker_at(text, 0),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_spans_and_kinds() {
        let text = "  一、总体情况\n\n扫一扫在手机上查看当前页面\n厦门市某局\n2026年2月9日\n二〇二六年二月九日\n";
        let ps = paragraphs(text, crate::cues::default_cues());
        assert_eq!(ps.len(), 5);
        assert_eq!(
            &text[ps[0].start..ps[0].start + ps[0].text.len()],
            "一、总体情况"
        );
        assert_eq!(ps[1].kind, LineKind::Furniture);
        assert_eq!(ps[2].kind, LineKind::Body);
        assert_eq!(ps[3].kind, LineKind::Date);
        assert_eq!(ps[4].kind, LineKind::Date);
    }
}
