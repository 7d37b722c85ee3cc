//! Finds the parts of a report that matter: the shortcomings (存在的问题/不足/短板/差距),
//! the next period's commitments (下一年度安排/计划/打算/思路) and the previous period's
//! rectification (上年度存在问题整改/改进情况) — by their headings, or, where a report
//! has none, by the lead-in sentence of an inline enumeration ("也存在以下短板。一是…").

use crate::{
    layout::{LineKind, Paragraph},
    markers::{self, Style},
};

/// What a part of a report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Shortcomings,
    Commitments,
    PreviousRectification,
}

/// A piece of a section's body: a paragraph, or the tail of one after its lead-in.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    pub text: &'a str,
    /// Byte offset of `text` in the report.
    pub start: usize,
}

/// A classified part of the report.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    pub class: Class,
    pub body: Vec<Segment<'a>>,
}

fn has_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

const PROBLEM_WORDS: &[&str] = &["问题", "不足", "短板", "差距", "薄弱", "短处"];
const STRONG_NEXT: &[&str] = &[
    "下一年度",
    "下一年",
    "下一步",
    "下半年",
    "明年",
    "今后",
    "来年",
    "新的一年",
    "下阶段",
    "下一阶段",
];
const WEAK_NEXT: &[&str] = &[
    "计划",
    "安排",
    "打算",
    "思路",
    "工作要点",
    "努力方向",
    "展望",
    "举措",
];

/// The class of a heading's text (the enumerator already removed).
pub fn classify_heading(text: &str) -> Option<Class> {
    let t = text.trim_end_matches(['。', '：', ':', '；', ';']);
    if has_any(t, &["整改", "改进"]) && has_any(t, PROBLEM_WORDS) {
        return Some(Class::PreviousRectification);
    }
    let about_problems = has_any(t, PROBLEM_WORDS)
        && (t.contains("存在")
            || PROBLEM_WORDS.iter().any(|w| t.starts_with(w))
            || [
                "问题",
                "不足",
                "短板",
                "差距",
                "原因",
                "不足之处",
                "薄弱环节",
            ]
            .iter()
            .any(|w| t.ends_with(w)));
    if about_problems && !has_any(t, STRONG_NEXT) {
        return Some(Class::Shortcomings);
    }
    let next = has_any(t, STRONG_NEXT)
        || (has_any(t, WEAK_NEXT)
            && !t.ends_with("情况")
            && !t.contains("总结")
            && !t.contains("成效"));
    next.then_some(Class::Commitments)
}

/// The class of the lead-in of an inline enumeration ("…仍存在以下问题和不足：").
fn classify_lead_in(lead: &str, report_year: Option<i32>) -> Option<Class> {
    if has_any(lead, &["整改", "改进"]) && has_any(lead, PROBLEM_WORDS) {
        return Some(Class::PreviousRectification);
    }
    let tail: String = lead
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let problem_intro = (tail.contains("存在")
        || tail.contains("主要有")
        || tail.contains("表现在")
        || tail.contains("仍有"))
        && has_any(&tail, PROBLEM_WORDS);
    let problem_colon = ["不足", "短板", "差距", "问题如下", "问题有"]
        .iter()
        .any(|w| {
            tail.trim_end_matches(['：', ':', '。', '，', ','])
                .ends_with(w)
        });
    if problem_intro || problem_colon {
        return Some(Class::Shortcomings);
    }
    let head: String = lead.chars().take(30).collect();
    let future_verb = has_any(lead, &["将", "要", "计划", "打算", "继续", "努力"]);
    let starts_next = STRONG_NEXT.iter().any(|w| head.starts_with(w));
    let starts_later_year = head
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|_| head[4..].starts_with('年'))
        .is_some_and(|y| report_year.is_none_or(|r| y > r));
    ((starts_next || starts_later_year) && future_verb).then_some(Class::Commitments)
}

/// True when a paragraph reads as a heading: short, and no sentence inside.
fn heading_like<'a>(p: &Paragraph<'a>) -> Option<&'a str> {
    if p.kind != LineKind::Body {
        return None;
    }
    let text = match p.marker {
        Some(m)
            if matches!(
                m.style,
                Style::CnComma | Style::ParenCn | Style::ArabicDot | Style::Ordinal
            ) =>
        {
            &p.text[m.end..]
        }
        Some(_) => return None,
        None => p.text,
    };
    let body = text.trim_end_matches(['。', '：', ':']);
    let limit = if p.marker.is_some() { 40 } else { 24 };
    (body.chars().count() <= limit
        && !body.contains('。')
        && (p.marker.is_some() || !body.contains(['，', ','])))
    .then_some(text)
}

/// Where the section headed by paragraph `i` ends (exclusive).
fn section_end(paragraphs: &[Paragraph<'_>], i: usize) -> usize {
    let head = &paragraphs[i];
    for (j, p) in paragraphs.iter().enumerate().skip(i + 1) {
        if matches!(p.kind, LineKind::Date | LineKind::Furniture) {
            return j;
        }
        let ends = match (head.marker, p.marker) {
            (Some(h), Some(m)) => {
                m.style.rank() <= h.style.rank()
                    && (m.style == h.style || heading_like(p).is_some())
            }
            (None, Some(m)) => m.style == Style::CnComma && heading_like(p).is_some(),
            (_, None) => heading_like(p).and_then(classify_heading).is_some(),
        };
        if ends {
            return j;
        }
    }
    paragraphs.len()
}

/// Finds every classified section of the report.
pub fn find<'a>(paragraphs: &[Paragraph<'a>], report_year: Option<i32>) -> Vec<Section<'a>> {
    let mut sections = Vec::new();
    let mut covered = vec![false; paragraphs.len()];
    let mut i = 0;
    while i < paragraphs.len() {
        let p = &paragraphs[i];
        if let Some(class) = heading_like(p).and_then(classify_heading) {
            let end = section_end(paragraphs, i);
            sections.push(Section {
                class,
                body: paragraphs[i + 1..end]
                    .iter()
                    .map(|p| Segment {
                        text: p.text,
                        start: p.start,
                    })
                    .collect(),
            });
            covered[i..end].iter_mut().for_each(|c| *c = true);
            i = end;
            continue;
        }
        i += 1;
    }
    // Reports without headings introduce a list inside a paragraph.
    let mut i = 0;
    while i < paragraphs.len() {
        let p = &paragraphs[i];
        if covered[i] || !p.is_prose() {
            i += 1;
            continue;
        }
        let Some(first) = markers::find_first_inline(p.text, 0).filter(|m| m.start > 0) else {
            i += 1;
            continue;
        };
        let Some(class) = classify_lead_in(&p.text[..first.start], report_year) else {
            i += 1;
            continue;
        };
        let mut body = vec![Segment {
            text: &p.text[first.start..],
            start: p.start + first.start,
        }];
        let mut j = i + 1;
        while let Some(next) = paragraphs.get(j) {
            match next.marker {
                Some(m) if m.style == first.style && !covered[j] && next.kind == LineKind::Body => {
                    body.push(Segment {
                        text: next.text,
                        start: next.start,
                    });
                    j += 1;
                }
                _ => break,
            }
        }
        sections.push(Section { class, body });
        i = j;
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_classified_by_what_they_announce() {
        for h in [
            "存在的问题及不足",
            "存在的不足和原因",
            "存在的主要问题",
            "工作中存在的短板",
            "问题与不足",
        ] {
            assert_eq!(classify_heading(h), Some(Class::Shortcomings), "{h}");
        }
        for h in [
            "下一年度推进法治政府建设的主要安排",
            "2026年法治政府建设工作计划",
            "下半年工作思路",
            "下一步工作打算",
        ] {
            assert_eq!(classify_heading(h), Some(Class::Commitments), "{h}");
        }
        for h in [
            "2024年度法治政府建设存在问题改进情况",
            "上年度存在问题整改情况",
        ] {
            assert_eq!(
                classify_heading(h),
                Some(Class::PreviousRectification),
                "{h}"
            );
        }
        for h in [
            "聚焦短板弱项，提升治理效能",
            "上半年工作总结",
            "法治政府建设的主要举措和成效",
            "落实年度计划情况",
        ] {
            assert_eq!(classify_heading(h), None, "{h}");
        }
    }

    #[test]
    fn lead_ins_are_classified_by_their_wording() {
        assert_eq!(
            classify_lead_in("今年以来取得一定成绩，也存在以下短板。", Some(2025)),
            Some(Class::Shortcomings)
        );
        assert_eq!(
            classify_lead_in("2026年，我局将全面贯彻……精神，", Some(2025)),
            Some(Class::Commitments)
        );
        assert_eq!(
            classify_lead_in("2025年，我局将法治建设纳入年度考核，", Some(2025)),
            None
        );
        assert_eq!(
            classify_lead_in("按照要求，我局进一步完善制度保障体系。", Some(2025)),
            None
        );
        assert_eq!(
            classify_lead_in("针对上年度存在的问题，我局认真整改：", Some(2025)),
            Some(Class::PreviousRectification)
        );
    }
}
