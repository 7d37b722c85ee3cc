//! Turns a report as found into text whose lines are its blocks, keeping a map back to the
//! original offsets: a crawler header is left out; PDF text has its page marks dropped, its
//! lines broken mid-sentence joined and its stray spaces between Chinese characters removed;
//! a page body flattened onto one line is split before its section headings, its （一）
//! sub-headings, its site text and its date line. Every step is one pass over the text.

use crate::{
    cues::Cues,
    layout::is_date_line,
    markers::{self, Style},
};

/// One run of the normalised text copied from (or, with `len` 0, inserted at) the original.
#[derive(Clone, Copy, Debug)]
struct Piece {
    clean: usize,
    orig: usize,
    len: usize,
}

/// The normalised text and its map to the original.
#[derive(Clone, Debug)]
pub struct Normalized {
    pub text: String,
    pieces: Vec<Piece>,
}

impl Normalized {
    /// The original byte offset of normalised offset `clean`.
    pub fn original(&self, clean: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.clean <= clean);
        if i == 0 {
            return 0;
        }
        let p = self.pieces[i - 1];
        p.orig + (clean - p.clean).min(p.len)
    }
}

#[derive(Default)]
struct Builder {
    text: String,
    pieces: Vec<Piece>,
}

impl Builder {
    fn copy(&mut self, orig: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        match self.pieces.last_mut() {
            Some(last)
                if last.len > 0
                    && last.clean + last.len == self.text.len()
                    && last.orig + last.len == orig =>
            {
                last.len += s.len();
            }
            _ => self.pieces.push(Piece {
                clean: self.text.len(),
                orig,
                len: s.len(),
            }),
        }
        self.text.push_str(s);
    }

    fn insert(&mut self, orig: usize, s: &str) {
        self.pieces.push(Piece {
            clean: self.text.len(),
            orig,
            len: 0,
        });
        self.text.push_str(s);
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{3000}' || c == '\u{a0}' || c == '\r'
}

/// CJK ideographs and CJK / full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
        || ('\u{3001}'..='\u{303f}').contains(&c)
        || ('\u{ff01}'..='\u{ff65}').contains(&c)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '○')
}

/// True for a PDF page mark: `-4-`, `— 6 —`, `- 4 -`, `第3页`, `第 3 页 共 10 页`.
pub fn is_page_mark(line: &str) -> bool {
    if line.len() > 64 {
        return false;
    }
    let t: String = line.chars().filter(|c| !is_space(*c)).collect();
    if t.is_empty() || t.chars().count() > 14 {
        return false;
    }
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－' | '─');
    let core = t.trim_matches(dashes);
    if core.len() < t.len() && !core.is_empty() && core.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    if let Some(rest) = t.strip_prefix('第') {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let rest = &rest[digits..];
        return digits > 0
            && (rest == "页"
                || rest.strip_prefix("页共").is_some_and(|r| {
                    r.strip_suffix('页')
                        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                }));
    }
    false
}

/// Lines of `text` as (byte offset, content without its line break); form feeds break lines.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        if line.contains('\u{c}') {
            let mut s = start;
            for part in line.split('\u{c}') {
                out.push((s, part));
                s += part.len() + 1;
            }
        } else {
            out.push((start, line));
        }
        start += line.len() + 1;
    }
    if out.last().is_some_and(|(_, l)| l.is_empty()) {
        out.pop();
    }
    out
}

/// The first body line after a crawler header (标题: … ==== 正文 ====), if there is one.
fn body_start(lines: &[(usize, &str)]) -> usize {
    lines
        .iter()
        .take(40)
        .position(|(_, l)| {
            let t = l.trim();
            t.starts_with("==") && t.contains("正文")
        })
        .map_or(0, |i| i + 1)
}

/// A crawler header's field (标题, 发布时间, 发布机构…), if the text has such a header.
pub fn header_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    // A crawler header sits in the first few lines.
    let first: Vec<&str> = text.split('\n').take(41).collect();
    let end = first.iter().position(|l| {
        let t = l.trim();
        t.starts_with("==") && t.contains("正文")
    })?;
    first[..end].iter().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?;
        let v = rest.trim_start_matches([':', '：', ' ']).trim();
        (!v.is_empty()).then_some(v)
    })
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end_matches(is_space)
        .ends_with(['。', '！', '？', '：', '；', '!', '?', ':', ';'])
}

fn starts_heading(s: &str) -> bool {
    let s = s.trim_start_matches(is_space);
    markers::marker_at(s, 0).is_some_and(|m| matches!(m.style, Style::CnComma | Style::ParenCn))
}

/// Where a long line is split: before section headings in sequence, before （一）
/// sub-headings, before site text and around a date standing between spaces.
struct Splitter<'c> {
    cues: &'c Cues,
    /// First characters of the site-text cues (a cheap pre-check).
    chrome_starts: Vec<char>,
    /// The ordinal the next 一、 heading should have.
    expected: u32,
}

impl Splitter<'_> {
    fn note_line_start(&mut self, line: &str) {
        if let Some(m) = markers::marker_at(line, 0).filter(|m| m.style == Style::CnComma) {
            self.expected = m.ordinal + 1;
        }
    }

    /// True when `rest` starts with a heading the sections know (存在的主要问题…), so that a
    /// section number out of sequence still starts a line.
    fn announces_a_part(&self, rest: &str) -> bool {
        let end = rest
            .char_indices()
            .find(|(_, c)| {
                matches!(
                    c,
                    '。' | '，' | ',' | '；' | ';' | '：' | ':' | '（' | '(' | ' '
                )
            })
            .map_or(rest.len(), |(i, _)| i)
            .min(rest.char_indices().nth(30).map_or(rest.len(), |(i, _)| i));
        crate::sections::classify_heading(&rest[..end], self.cues).is_some()
    }

    fn splits(&mut self, line: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut prev: Option<char> = None;
        for (i, c) in line.char_indices() {
            let after_space = prev.is_some_and(is_space);
            let hard = prev.is_none_or(|p| {
                is_space(p)
                    || matches!(
                        p,
                        '。' | '；'
                            | '！'
                            | '？'
                            | '：'
                            | '!'
                            | '?'
                            | ';'
                            | ':'
                            | '）'
                            | ')'
                            | '”'
                            | '」'
                            | '】'
                    )
                    || p.is_ascii_digit()
                    || (p.is_ascii() && !p.is_ascii_alphabetic())
            });
            let may_open =
                matches!(c, '（' | '(' | '十') || crate::numerals::digit(c).is_some_and(|d| d > 0);
            if i > 0
                && may_open
                && (hard || c == '（' || c == '(')
                && let Some(m) =
                    markers::marker_at(line, i).filter(|m| hard || m.style == Style::ParenCn)
            {
                match m.style {
                    Style::CnComma
                        if m.ordinal == self.expected
                            || m.ordinal == self.expected + 1
                            || (m.ordinal > self.expected
                                && self.announces_a_part(&line[m.end..])) =>
                    {
                        self.expected = m.ordinal + 1;
                        out.push(i);
                    }
                    Style::ParenCn
                        if !prev.is_some_and(|p| matches!(p, '第' | '条' | '款' | '项')) =>
                    {
                        out.push(i)
                    }
                    _ => {}
                }
            }
            if i > 0 && after_space && !is_space(c) {
                let rest = &line[i..];
                if self.chrome_starts.contains(&c)
                    && self
                        .cues
                        .stops
                        .chrome
                        .iter()
                        .any(|w| rest.starts_with(w.as_str()))
                {
                    out.push(i);
                } else if c.is_ascii_digit() || crate::numerals::digit(c).is_some() {
                    // A date is at most a dozen characters.
                    let window = rest.char_indices().nth(16).map_or(rest.len(), |(k, _)| k);
                    let token_len = rest[..window].find(is_space).unwrap_or(rest.len());
                    if token_len <= window && is_date_line(&rest[..token_len]) {
                        out.push(i);
                        if token_len < rest.len() {
                            out.push(i + token_len);
                        }
                    }
                }
            }
            prev = Some(c);
        }
        out.dedup();
        out
    }
}

/// A line at least this long (in characters) is split structurally.
const LONG_LINE: usize = 80;

/// Normalises `text` (see the module documentation).
pub fn normalize(text: &str, cues: &Cues) -> Normalized {
    let all = lines(text);
    let from = body_start(&all);
    let all = &all[from..];
    let pdf = text.contains('\u{c}') || all.iter().any(|(_, l)| is_page_mark(l));
    // The usual width of a full PDF line (90th percentile of the longer lines).
    let width = if pdf {
        let mut widths: Vec<usize> = all
            .iter()
            .map(|(_, l)| l.trim().chars().count())
            .filter(|n| *n >= 10)
            .collect();
        widths.sort_unstable();
        widths.get(widths.len() * 9 / 10).copied().unwrap_or(0)
    } else {
        0
    };
    let mut out = Builder::default();
    let mut splitter = Splitter {
        cues,
        chrome_starts: cues
            .stops
            .chrome
            .iter()
            .filter_map(|w| w.chars().next())
            .collect(),
        expected: 1,
    };
    let content = |j: usize| {
        all[j..]
            .iter()
            .find(|(_, l)| !l.trim().is_empty() && !is_page_mark(l))
    };
    for (j, &(start, line)) in all.iter().enumerate() {
        if pdf && is_page_mark(line) {
            continue;
        }
        let trimmed = line.trim_start_matches(is_space);
        let lead = line.len() - trimmed.len();
        let trimmed = trimmed.trim_end_matches(is_space);
        let at = start + lead;
        if trimmed.is_empty() {
            if !pdf {
                out.insert(start, "\n");
            }
            continue;
        }
        splitter.note_line_start(trimmed);
        let chars = trimmed.chars().count();
        let splits = if chars >= LONG_LINE {
            splitter.splits(trimmed)
        } else {
            Vec::new()
        };
        let mut from = 0;
        for cut in splits.into_iter().chain([trimmed.len()]) {
            let piece = &trimmed[from..cut];
            if from > 0 {
                out.insert(at + from, "\n");
            }
            if pdf {
                copy_without_cjk_spaces(&mut out, at + from, piece);
            } else {
                let p = piece.trim_end_matches(is_space);
                out.copy(at + from, p);
            }
            from = cut;
            while from < trimmed.len() && trimmed[from..].starts_with(is_space) {
                from += trimmed[from..].chars().next().map_or(1, char::len_utf8);
            }
        }
        let join = pdf
            && !ends_sentence(trimmed)
            && chars * 4 >= width * 3
            && content(j + 1).is_some_and(|(_, next)| !starts_heading(next));
        if !join {
            out.insert(start + line.len(), "\n");
        }
    }
    Normalized {
        text: out.text,
        pieces: out.pieces,
    }
}

/// Copies `s`, leaving out spaces next to a CJK character (PDF text spaces out its glyphs).
fn copy_without_cjk_spaces(out: &mut Builder, at: usize, s: &str) {
    let mut run = 0;
    let mut prev: Option<char> = None;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_space(c) {
            let next = s[i..].chars().find(|c| !is_space(*c));
            if prev.is_some_and(is_cjk) || next.is_some_and(is_cjk) {
                out.copy(at + run, &s[run..i]);
                run = i + c.len_utf8();
                while let Some(&(k, d)) = iter.peek() {
                    if !is_space(d) {
                        break;
                    }
                    run = k + d.len_utf8();
                    iter.next();
                }
                continue;
            }
        }
        prev = Some(c);
    }
    out.copy(at + run, &s[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cues::default_cues;

    fn norm(s: &str) -> Normalized {
        normalize(s, default_cues())
    }

    #[test]
    fn pdf_lines_are_joined_across_page_marks_and_spaces_dropped() {
        let text = "五、存在的主要问题\n2023 年，全区工作取得一定成效，但对照上级要求仍存在差距\n如公开不够规范等。下一步将抓好以下工作：一是扎实推进依申\n-4-\n\n请公开工作，全面梳理流程。\n六、其他需要报告的事项\n";
        let n = norm(text);
        assert!(n.text.contains("2023年，全区"), "{}", n.text);
        assert!(n.text.contains("扎实推进依申请公开工作"), "{}", n.text);
        assert!(n.text.contains("\n六、其他"), "{}", n.text);
        let at = n.text.find("请公开").unwrap();
        assert_eq!(&text[n.original(at)..n.original(at) + 9], "请公开");
    }

    #[test]
    fn a_one_line_body_is_split_before_headings_and_site_text() {
        let body = "根据要求编制本报告，现报告如下。".repeat(8);
        let text = format!(
            "标题: 某某局2023年工作总结\n==== 正文 ====\n{body}一、工作开展情况（一）加强学习一是学习，二是培训。二、存在问题一是学习不够；二是培训不足。三、下一步工作计划（一）加强学习。（二）加强培训。 来源：某某局 附件下载"
        );
        let n = norm(&text);
        let lines: Vec<&str> = n.text.lines().filter(|l| !l.is_empty()).collect();
        assert!(
            lines.contains(&"二、存在问题一是学习不够；二是培训不足。"),
            "{lines:?}"
        );
        assert!(lines.contains(&"（二）加强培训。"), "{lines:?}");
        assert!(lines.contains(&"来源：某某局"), "{lines:?}");
        assert!(!n.text.contains("标题"));
        assert_eq!(header_field(&text, "标题"), Some("某某局2023年工作总结"));
    }

    #[test]
    fn page_marks() {
        for m in ["-4-", "— 6 —", "- 12 -", "第3页", "第 3 页 共 10 页"] {
            assert!(is_page_mark(m), "{m}");
        }
        for m in ["4", "2023", "第一", "-", "一是"] {
            assert!(!is_page_mark(m), "{m}");
        }
    }
}
