//! Cuts a section's body into its items. An item starts right after its enumerator and runs
//! to the next enumerator of the same list or the end of the section; lead-ins before the
//! first enumerator are not items, and trailing separators (；;，,) are dropped.

use crate::{
    markers::{self, Marker, Style},
    sections::Segment,
};

/// An item cut from a section: its text and byte span in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// The trimmed item of `seg.text[from..to]`, if anything is left.
fn cut(seg: &Segment<'_>, from: usize, to: usize) -> Option<Cut> {
    let raw = &seg.text[from..to];
    let lead = raw.len()
        - raw
            .trim_start_matches(|c: char| is_space(c) || "：:，,、".contains(c))
            .len();
    let body = raw[lead..].trim_end_matches(|c: char| is_space(c) || "；;，,、".contains(c));
    (!body.is_empty()).then(|| Cut {
        text: body.to_owned(),
        start: seg.start + from + lead,
        end: seg.start + from + lead + body.len(),
    })
}

fn is_prose(text: &str) -> bool {
    text.chars().count() >= 12 && text.contains(['。', '，', ',', '；', ';'])
}

/// Splits `seg` from enumerator `first` on: every following enumerator of the same list
/// closes the item before it. Returns the items and the next ordinal expected.
fn split_inline(seg: &Segment<'_>, first: Marker, items: &mut Vec<Cut>) -> u32 {
    let mut current = first;
    loop {
        match markers::find(seg.text, current.style, current.ordinal + 1, current.end) {
            Some(next) => {
                items.extend(cut(seg, current.end, next.start));
                current = next;
            }
            None => {
                items.extend(cut(seg, current.end, seg.text.len()));
                return current.ordinal + 1;
            }
        }
    }
}

/// Items of a section.
pub fn items(body: &[Segment<'_>]) -> Vec<Cut> {
    // Paragraph-level lists win over inline ones: a lead-in paragraph may itself hold an
    // unrelated inline enumeration.
    let first_marked = body
        .iter()
        .position(|s| markers::marker_at(s.text, 0).is_some());
    let (start, style) = match first_marked {
        Some(i) => (i, markers::marker_at(body[i].text, 0).map(|m| m.style)),
        None => match body
            .iter()
            .enumerate()
            .find_map(|(i, s)| markers::find_first_inline(s.text, 0).map(|m| (i, m)))
        {
            Some((i, m)) => (i, Some(m.style)),
            None => return unnumbered(body),
        },
    };
    let Some(style) = style else {
        return unnumbered(body);
    };
    let mut items: Vec<Cut> = Vec::new();
    let mut expected: Option<u32> = None;
    for seg in &body[start..] {
        let at_start = markers::marker_at(seg.text, 0);
        match at_start {
            Some(m) if m.style == style && expected.is_none_or(|e| m.ordinal <= e + 1) => {
                expected = Some(split_inline(seg, m, &mut items));
            }
            Some(m) if m.style.rank() < style.rank() && rank_is_heading(m.style) => break,
            _ if expected.is_none() => {
                if let Some(m) =
                    markers::find_first_inline(seg.text, 0).filter(|m| m.style == style)
                {
                    expected = Some(split_inline(seg, m, &mut items));
                }
            }
            _ if is_prose(seg.text) || at_start.is_some() => {
                // A paragraph of the open item (its body, or a sub-list).
                if let Some(last) = items.last_mut() {
                    last.text.push('\n');
                    last.text.push_str(
                        seg.text
                            .trim_end_matches(|c: char| is_space(c) || "；;".contains(c)),
                    );
                    last.end = seg.start + seg.text.len();
                }
            }
            _ => break,
        }
    }
    items
}

fn rank_is_heading(style: Style) -> bool {
    matches!(style, Style::CnComma | Style::ParenCn)
}

/// Items of a section with no enumerators: a semicolon list after a colon, or one item per
/// paragraph of prose after the lead-in.
fn unnumbered(body: &[Segment<'_>]) -> Vec<Cut> {
    let mut items = Vec::new();
    for seg in body {
        if !is_prose(seg.text) {
            continue;
        }
        let after_colon = seg
            .text
            .rfind(['：', ':'])
            .map(|i| i + seg.text[i..].chars().next().map_or(1, char::len_utf8));
        let list_start = after_colon.unwrap_or(0);
        let list = &seg.text[list_start..];
        let separators = list.matches(['；', ';']).count();
        if separators >= 1 && after_colon.is_some() {
            let mut from = list_start;
            for (i, c) in seg.text[list_start..].char_indices() {
                if c == '；' || c == ';' {
                    items.extend(cut(seg, from, list_start + i));
                    from = list_start + i + c.len_utf8();
                }
            }
            items.extend(cut(seg, from, seg.text.len()));
        } else if after_colon.is_some_and(|i| i == seg.text.len()) || seg.text.ends_with("如下") {
            continue; // a lead-in
        } else {
            items.extend(cut(seg, 0, seg.text.len()));
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Vec<Segment<'_>> {
        let mut out = Vec::new();
        let mut offset = 0;
        for line in text.split('\n') {
            if !line.trim().is_empty() {
                out.push(Segment {
                    text: line,
                    start: offset,
                });
            }
            offset += line.len() + 1;
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        let cuts = items(&body(text));
        for c in &cuts {
            assert_eq!(
                &text[c.start..c.start + c.text.lines().next().unwrap().len()],
                c.text.lines().next().unwrap(),
                "span of {c:?}"
            );
        }
        cuts.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn inline_shi_list_in_one_paragraph() {
        assert_eq!(
            texts("仍存在以下问题：一是制度不够完善；二是队伍建设需加强；三是宣传不够深入。"),
            vec!["制度不够完善", "队伍建设需加强", "宣传不够深入。"]
        );
    }

    #[test]
    fn shi_items_as_paragraphs_after_a_lead_in() {
        assert_eq!(
            texts(
                "2026年，我局将重点抓好以下工作。\n一是加强学习。组织专题学习。\n二是完善制度。健全配套制度。"
            ),
            vec!["加强学习。组织专题学习。", "完善制度。健全配套制度。"]
        );
    }

    #[test]
    fn parenthesised_headings_keep_their_bodies() {
        assert_eq!(
            texts(
                "（一）加强法治学习\n把学习贯彻习近平法治思想作为首要政治任务，按计划开展学习。\n（二）规范决策程序\n落实重大行政决策合法性审核机制，规范决策。"
            ),
            vec![
                "加强法治学习\n把学习贯彻习近平法治思想作为首要政治任务，按计划开展学习。",
                "规范决策程序\n落实重大行政决策合法性审核机制，规范决策。"
            ]
        );
    }

    #[test]
    fn arabic_numbering_and_nested_lists() {
        assert_eq!(
            texts("1.普法宣传不够深入，形式单一。\n2.执法队伍专业化不足，培训较少。"),
            vec![
                "普法宣传不够深入，形式单一。",
                "执法队伍专业化不足，培训较少。"
            ]
        );
        assert_eq!(
            texts("（一）强化学习。一是集中学，二是个人学。\n（二）完善制度。健全制度。"),
            vec!["强化学习。一是集中学，二是个人学。", "完善制度。健全制度。"]
        );
    }

    #[test]
    fn semicolon_list_without_enumerators() {
        assert_eq!(
            texts("主要问题：学法制度不够完善；执法队伍建设需加强；普法形式单一。"),
            vec!["学法制度不够完善", "执法队伍建设需加强", "普法形式单一。"]
        );
    }

    #[test]
    fn ordinal_and_circled_lists() {
        assert_eq!(
            texts("存在不足：第一，学习不深；第二，宣传不够。"),
            vec!["学习不深", "宣传不够。"]
        );
        assert_eq!(
            texts("①学习不深入，形式单一；②宣传不够广泛，覆盖不全。"),
            vec!["学习不深入，形式单一", "宣传不够广泛，覆盖不全。"]
        );
    }
}
