//! The text a report arrives as: checked once (not empty, text, not huge), with web-page
//! markup reduced to plain lines when the input was saved as HTML.

/// The largest report accepted, in bytes. Real reports are 5–50 KB; a page saved with
/// its scripts can reach a few hundred KB.
pub const MAX_REPORT_BYTES: usize = 2 * 1024 * 1024;

/// Why some bytes are not a report text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing but white space.
    #[error("the report text is empty")]
    Empty,
    /// Not UTF-8 text (a binary file, or another encoding such as GBK).
    #[error(
        "the report is not UTF-8 text (binary data or another encoding): save it as UTF-8 text"
    )]
    NotText,
    /// Larger than [`MAX_REPORT_BYTES`].
    #[error("the report is {size} bytes, more than the {limit} bytes accepted")]
    TooLarge { size: usize, limit: usize },
    /// A file (Word, PDF, text in another encoding) that could not be read: see
    /// [`ReportText::from_file`](crate::ReportText::from_file).
    #[error(transparent)]
    File(#[from] crate::document::FileError),
}

/// A report's text, known to be non-empty UTF-8 of a sane size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportText(String);

impl ReportText {
    /// Checks `bytes` and turns them into report text (HTML markup is reduced to lines).
    pub fn parse(bytes: &[u8]) -> Result<Self, InputError> {
        if bytes.len() > MAX_REPORT_BYTES {
            return Err(InputError::TooLarge {
                size: bytes.len(),
                limit: MAX_REPORT_BYTES,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| InputError::NotText)?;
        Self::from_str_checked(text)
    }

    /// Like [`ReportText::parse`] for text already in memory.
    pub fn from_str_checked(text: &str) -> Result<Self, InputError> {
        if text.len() > MAX_REPORT_BYTES {
            return Err(InputError::TooLarge {
                size: text.len(),
                limit: MAX_REPORT_BYTES,
            });
        }
        if text.contains('\0') {
            return Err(InputError::NotText);
        }
        let control = text
            .chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
            .count();
        if control > 8 && control * 100 > text.chars().count() {
            return Err(InputError::NotText);
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = if looks_like_html(text) {
            html_to_text(text)
        } else {
            text.to_owned()
        };
        if text.trim().is_empty() {
            return Err(InputError::Empty);
        }
        Ok(Self(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2000)
        .collect::<String>()
        .to_ascii_lowercase();
    head.contains("<html")
        || head.contains("<!doctype")
        || head.contains("<body")
        || head.matches("<p").count() + head.matches("<div").count() >= 3
}

/// Reduces HTML to text: drops scripts, styles and tags, turns block ends into line
/// breaks, decodes the common entities. Hand-written (a screenful) because a report page
/// needs no DOM, only its text in order; an HTML parser crate would be the only heavy
/// dependency of this pure crate.
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        if rest.starts_with("<script") || rest.starts_with("<style") {
            let close = if rest.starts_with("<script") {
                "</script>"
            } else {
                "</style>"
            };
            i = rest.find(close).map_or(html.len(), |e| i + e + close.len());
            continue;
        }
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(html.len(), |e| i + e + 1);
            let tag = &lower[i..end];
            if [
                "<br", "</p", "</div", "</li", "</h", "<p", "<div", "</tr", "</table",
            ]
            .iter()
            .any(|t| tag.starts_with(t))
            {
                out.push('\n');
            }
            i = end;
            continue;
        }
        let next = rest.find('<').map_or(html.len(), |n| i + n);
        out.push_str(&decode_entities(&html[i..next]));
        i = next;
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&ldquo;", "“")
        .replace("&rdquo;", "”")
        .replace("&mdash;", "—")
        .replace("&#12288;", "\u{3000}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_binary_and_huge_input() {
        assert_eq!(ReportText::parse(b"  \n\t "), Err(InputError::Empty));
        assert_eq!(
            ReportText::parse(&[0xff, 0xfe, 0x00, 0x01]),
            Err(InputError::NotText)
        );
        assert_eq!(ReportText::parse(b"abc\0def"), Err(InputError::NotText));
        let huge = vec![b'a'; MAX_REPORT_BYTES + 1];
        assert!(matches!(
            ReportText::parse(&huge),
            Err(InputError::TooLarge { .. })
        ));
    }

    #[test]
    fn html_is_reduced_to_lines_of_text() {
        let html = "<html><head><style>p{}</style><script>var a='<p>';</script></head><body><div>三、存在的问题</div><p>一是&nbsp;学习不够深入。</p><!-- x --></body></html>";
        let text = ReportText::parse(html.as_bytes()).unwrap();
        let lines: Vec<&str> = text
            .as_str()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines, vec!["三、存在的问题", "一是 学习不够深入。"]);
    }
}
