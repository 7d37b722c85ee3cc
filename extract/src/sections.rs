//! Finds the parts of a report that matter — shortcomings (存在的问题/不足/困难和问题), the next
//! period's commitments (下一步工作计划/改进措施) and the previous period's rectification
//! (上年度存在问题整改情况) — as byte ranges of the normalised text: by their headings (alone
//! on a line or fused with their body), by combined headings split at the sentence that
//! turns to the measures (存在的主要问题及改进情况), or, where a report has no heading, by
//! the lead-in sentence of a list ("还存在不少困难和问题。主要是：…").

use crate::{
    cues::{Cues, has_any, starts_with_any},
    layout::{LineKind, Paragraph},
    markers::{self, Style},
};

/// What a part of a report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Shortcomings,
    Commitments,
    PreviousRectification,
    /// Items that each pair a problem with its measure ("关于…的问题。整改措施：…").
    Paired,
}

/// What a heading announces: one class, or problems and measures together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadingClass {
    One(Class),
    Combined,
}

/// How a region was found (it sets the confidence of its items).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// Under its own heading.
    Heading,
    /// Under a combined heading, split at the turn to the measures.
    Split,
    /// After a lead-in sentence, without a heading.
    LeadIn,
}

/// A classified range of the normalised text.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    pub class: Class,
    pub start: usize,
    pub end: usize,
    pub found: Found,
    /// The heading's range, when there is one.
    pub heading: Option<(usize, usize)>,
}

/// The class of a heading's text (the enumerator already removed).
pub fn classify_heading(text: &str, cues: &Cues) -> Option<HeadingClass> {
    let h = &cues.headings;
    let t = text.trim_end_matches(['。', '：', ':', '；', ';', ' ']);
    if t.is_empty() {
        return None;
    }
    let has_problem = has_any(t, &h.problem_words);
    let causes_only = t.ends_with("原因") && !t.contains("存在") && !t.contains("不足");
    let solved = has_any(t, &h.solved_verbs) && !t.contains("存在");
    let about_problems = has_problem
        && !causes_only
        && !solved
        && (t.contains("存在")
            || starts_with_any(t, &h.problem_words).is_some()
            || h.problem_endings.iter().any(|w| t.ends_with(w.as_str()))
            || t.contains("主要问题"));
    let rectify = has_any(t, &h.rectify_words);
    let previous = has_any(t, &h.previous_words);
    let done = has_any(t, &h.done_words);
    let weak = h
        .next_weak
        .iter()
        .any(|w| t.contains(w.as_str()) && (!t.ends_with("情况") || w.ends_with("情况")));
    let next = has_any(t, &h.next_strong) || (weak && !done);
    // A report on how problems were fixed names its subject as a 情况 (整改情况, 改进情况);
    // "问题整改工作进一步推进" is an achievement.
    let report_on = t.ends_with("情况");
    if rectify && has_problem && has_any(t, &h.paired_sources) && !previous && report_on {
        return Some(HeadingClass::One(Class::Paired));
    }
    if rectify && previous && (report_on || has_problem) {
        return Some(HeadingClass::One(Class::PreviousRectification));
    }
    if has_problem && rectify && !joined(t, cues) {
        return report_on.then_some(HeadingClass::One(Class::PreviousRectification));
    }
    if about_problems && (next || rectify) {
        return Some(HeadingClass::Combined);
    }
    if about_problems {
        return Some(HeadingClass::One(Class::Shortcomings));
    }
    next.then_some(HeadingClass::One(Class::Commitments))
}

/// True when a heading joins two parts with a conjunction after its problem word
/// (存在的问题及改进措施), rather than naming one thing (存在问题改进情况).
fn joined(t: &str, cues: &Cues) -> bool {
    let h = &cues.headings;
    let Some(p) = h
        .problem_words
        .iter()
        .filter_map(|w| t.find(w.as_str()).map(|i| i + w.len()))
        .min()
    else {
        return false;
    };
    let rest = &t[p..];
    h.conjunctions.iter().any(|c| rest.contains(c.as_str()))
}

/// Words a fused heading ends with (二、存在问题在看到成绩的同时… → 存在问题).
fn heading_end_words(cues: &Cues) -> impl Iterator<Item = &str> {
    cues.headings
        .problem_endings
        .iter()
        .chain(&cues.headings.next_weak)
        .map(String::as_str)
        .chain([
            "情况", "计划", "安排", "打算", "思路", "要点", "措施", "回顾", "成效",
        ])
}

/// The heading of a paragraph, if it starts with one: its class and where its body starts
/// (bytes into the paragraph's text).
pub fn heading_of(p: &Paragraph<'_>, cues: &Cues) -> Option<(HeadingClass, usize, usize)> {
    if p.kind != LineKind::Body {
        return None;
    }
    let (text, off) = match p.marker {
        Some(m)
            if matches!(
                m.style,
                Style::CnComma | Style::ParenCn | Style::ArabicDot | Style::Ordinal
            ) =>
        {
            (&p.text[m.end..], m.end)
        }
        Some(_) => return None,
        None => (p.text, 0),
    };
    if short_heading(text, p.marker.is_some()) {
        let class = classify_heading(text, cues)?;
        return Some((class, off, p.text.len()));
    }
    // A heading fused with its body: only after 一、 or （一）.
    if !p
        .marker
        .is_some_and(|m| matches!(m.style, Style::CnComma | Style::ParenCn))
    {
        return None;
    }
    let stop = text
        .char_indices()
        .find(|(_, c)| {
            matches!(
                c,
                '。' | '，'
                    | ','
                    | '；'
                    | ';'
                    | '：'
                    | ':'
                    | '（'
                    | '('
                    | ' '
                    | '\u{3000}'
                    | '！'
                    | '？'
            )
        })
        .map_or(text.len(), |(i, _)| i);
    let limit = text
        .char_indices()
        .nth(30)
        .map_or(text.len(), |(i, _)| i)
        .min(stop);
    let head = &text[..limit];
    // Cut after the first word a heading ends with that no conjunction follows.
    let mut cut = limit;
    let mut best: Option<usize> = None;
    for w in heading_end_words(cues) {
        let mut from = 0;
        while let Some(i) = crate::cues::find(&head[from..], w) {
            let end = from + i + w.len();
            let after = &head[end..];
            if !cues
                .headings
                .conjunctions
                .iter()
                .any(|c| after.starts_with(c.as_str()))
                && best.is_none_or(|b| end < b)
            {
                best = Some(end);
            }
            from = end;
        }
    }
    if let Some(b) = best {
        cut = b;
    }
    let head = &text[..cut];
    let class = classify_heading(head, cues)?;
    // A fused heading about problems says so outright (存在问题, 存在的主要问题, 问题与不足);
    // "补短板，强弱项，…" opens an achievement.
    if class == HeadingClass::One(Class::Shortcomings)
        && !head.contains("存在")
        && !head.contains("主要问题")
        && starts_with_any(head, &cues.headings.problem_words).is_none()
    {
        return None;
    }
    let mut body = cut;
    if text[body..].starts_with(['：', ':']) {
        body += text[body..].chars().next().map_or(0, char::len_utf8);
    }
    Some((class, off, off + body))
}

/// True when a paragraph's text (after its enumerator) reads as a heading: short, no sentence.
fn short_heading(text: &str, marked: bool) -> bool {
    let body = text.trim_end_matches(['。', '：', ':']);
    let limit = if marked { 40 } else { 24 };
    body.chars().count() <= limit
        && !body.contains(['。', '；', ';', '：', ':'])
        && (marked || !body.contains(['，', ',', '_', '|', ' ']))
}

/// True when paragraph `p` ends a section headed by `head` (a paragraph with `head_marker`).
fn ends_section(head: Option<markers::Marker>, p: &Paragraph<'_>, cues: &Cues) -> bool {
    if matches!(p.kind, LineKind::Date | LineKind::Furniture) {
        return true;
    }
    let text_after = |m: markers::Marker| &p.text[m.end..];
    match (head, p.marker) {
        (Some(h), Some(m)) => {
            m.style.rank() <= h.style.rank()
                && (m.style == h.style
                    || m.style == Style::CnComma
                    || short_heading(text_after(m), true))
        }
        (None, Some(m)) => {
            m.style == Style::CnComma
                && (short_heading(text_after(m), true) || heading_of(p, cues).is_some())
        }
        (_, None) => short_heading(p.text, false) && classify_heading(p.text, cues).is_some(),
    }
}

fn section_end(paragraphs: &[Paragraph<'_>], i: usize, cues: &Cues) -> usize {
    let head = paragraphs[i].marker;
    paragraphs[i + 1..]
        .iter()
        .position(|p| ends_section(head, p, cues))
        .map_or(paragraphs.len(), |k| i + 1 + k)
}

/// Sentence ranges of `text[start..end]`: each ends after 。！？ or a line break or a colon.
pub fn sentences(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    for (i, c) in text[start..end].char_indices() {
        if matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '：' | ':') {
            let to = start + i + c.len_utf8();
            if text[from..to].trim().len() > c.len_utf8() || c != '\n' {
                out.push((from, to));
            }
            from = to;
        }
    }
    if text[from..end].trim().chars().count() > 0 {
        out.push((from, end));
    }
    out
}

/// True when `s` (a sentence) turns to the measures: "针对存在问题，下一步，将抓好以下工作：",
/// "2024年，我区将采取以下措施加以改进：", "针对…，我市将着力…；…".
pub fn commitment_lead_in(s: &str, followed_by_list: bool, cues: &Cues) -> bool {
    let l = &cues.lead_ins;
    let t = s.trim_start_matches([' ', '\u{3000}', '\n']);
    // A short line of its own that names the measures: "下一步整改措施：", "改进措施如下：".
    if let Some(label) = t.trim_end().strip_suffix(['：', ':'])
        && label.chars().count() <= 20
        && classify_heading(label.trim_end_matches("如下"), cues)
            == Some(HeadingClass::One(Class::Commitments))
    {
        return true;
    }
    let head: String = t.chars().take(30).collect();
    let starts = starts_with_any(t, &l.commitment_starts).is_some()
        || (t.len() > 7
            && t.is_char_boundary(4)
            && t[..4].chars().all(|c| c.is_ascii_digit())
            && t[4..].starts_with('年'));
    let future = l
        .future_verbs
        .iter()
        .find_map(|v| head.find(v.as_str()).map(|i| (i, v.len())));
    let Some((at, len)) = future.filter(|_| starts) else {
        return false;
    };
    // "…但还存在以下问题：" announces problems, whatever its start.
    let tail = &t[t.char_indices().rev().nth(11).map_or(0, |(i, _)| i)..];
    if has_any(tail, &cues.headings.problem_words) {
        return false;
    }
    let after: String = head[at + len..].to_owned();
    let rest_len = t
        .chars()
        .count()
        .saturating_sub(head[..at + len].chars().count());
    let colon = t.trim_end().ends_with(['：', ':']);
    (colon && (has_any(&after, &l.commitment_list_words) || has_any(t, &l.commitment_list_words)))
        || (followed_by_list && has_any(t, &l.commitment_list_words))
        || (rest_len >= 40 && t.contains(['；', ';']))
}

/// True when sentence `s` announces shortcomings and `next` (the text after it) starts a list.
pub fn problem_lead_in(s: &str, next: &str, cues: &Cues) -> bool {
    let l = &cues.lead_ins;
    let t = s.trim();
    if t.is_empty() {
        return false;
    }
    let tail = &t[t.char_indices().rev().nth(23).map_or(0, |(i, _)| i)..];
    let about = has_any(tail, &cues.headings.problem_words) && has_any(t, &l.problem_verbs);
    let intro_end =
        t.ends_with(['：', ':']) && l.list_intros.iter().any(|w| t.ends_with(w.as_str()));
    if !(about || intro_end) {
        return false;
    }
    if l.future_verbs
        .iter()
        .take(2)
        .any(|v| t.contains(v.as_str()))
        && starts_with_any(t, &l.commitment_starts).is_some()
    {
        return false;
    }
    let n = next.trim_start_matches([' ', '\u{3000}', '\n']);
    t.ends_with(['：', ':'])
        || starts_with_any(n, &l.list_intros).is_some()
        || n.starts_with('如')
        || markers::marker_at(n, 0).is_some()
}

/// True when sentence `s` names its problems as examples after a clause saying there are
/// some ("…但仍有阶段性困难和挑战，如A、B、C等。").
fn examples_of_problems(s: &str, cues: &Cues) -> bool {
    let l = &cues.lead_ins;
    l.example_intros.iter().any(|intro| {
        s.match_indices(intro.as_str()).any(|(i, _)| {
            let before = &s[..i];
            before.ends_with(['，', '：'])
                && has_any(
                    &before[before.char_indices().rev().nth(15).map_or(0, |(k, _)| k)..],
                    &cues.headings.problem_words,
                )
                && has_any(before, &l.problem_verbs)
        })
    })
}

/// The class of the lead-in of an inline enumeration towards commitments ("2026年，我局将…").
fn commitments_lead_in(lead: &str, report_year: Option<i32>, cues: &Cues) -> bool {
    let head: String = lead.chars().take(30).collect();
    let future_verb = has_any(lead, &cues.lead_ins.future_verbs) || lead.contains("努力");
    let starts_next = cues
        .headings
        .next_strong
        .iter()
        .any(|w| head.starts_with(w.as_str()));
    let starts_later_year = head
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|_| head[4..].starts_with('年'))
        .is_some_and(|y| report_year.is_none_or(|r| y > r));
    (starts_next || starts_later_year) && future_verb
}

/// Finds every classified region of the normalised `text`.
pub fn find(
    text: &str,
    paragraphs: &[Paragraph<'_>],
    report_year: Option<i32>,
    cues: &Cues,
) -> Vec<Region> {
    let mut regions = Vec::new();
    let mut covered = vec![false; paragraphs.len()];
    let para_end = |k: usize| paragraphs.get(k).map_or(text.len(), |p| p.start);
    // Unnumbered headings count only once the report's prose has begun (not in breadcrumbs).
    let prose_from = paragraphs
        .iter()
        .position(Paragraph::is_prose)
        .unwrap_or(paragraphs.len());
    let mut i = 0;
    while i < paragraphs.len() {
        let p = &paragraphs[i];
        let heading = heading_of(p, cues).filter(|_| p.marker.is_some() || i > prose_from);
        let Some((class, head_from, body_from)) = heading else {
            i += 1;
            continue;
        };
        let end = section_end(paragraphs, i, cues);
        // Sub-headings that themselves announce problems (（一）主要问题 / （二）改进措施).
        let has_sub = paragraphs[i + 1..end].iter().any(|q| {
            q.marker.is_some()
                && heading_of(q, cues).is_some_and(|(c, _, body)| {
                    let clean = body == q.text.len() || q.text[..body].ends_with(['：', ':']);
                    clean
                        && (class == HeadingClass::Combined
                            || c != HeadingClass::One(Class::Commitments))
                })
        });
        if has_sub && p.marker.is_some_and(|m| m.style == Style::CnComma) {
            // Its sub-headings (（一）主要问题 / （二）改进措施) are the sections.
            covered[i] = true;
            i += 1;
            continue;
        }
        let region = Region {
            class: match class {
                HeadingClass::One(c) => c,
                HeadingClass::Combined => Class::Shortcomings,
            },
            start: p.start + body_from,
            end: para_end(end),
            found: Found::Heading,
            heading: Some((p.start + head_from, p.start + body_from)),
        };
        regions.extend(split_at_measures(text, region, cues));
        covered[i..end].iter_mut().for_each(|c| *c = true);
        i = end;
    }
    // Reports without headings introduce a list inside a paragraph.
    let mut i = 0;
    while i < paragraphs.len() {
        let p = &paragraphs[i];
        if covered[i] || p.kind != LineKind::Body {
            i += 1;
            continue;
        }
        let abs_end = p.start + p.text.len();
        let mut found = None;
        for (s, e) in sentences(text, p.start, abs_end) {
            if problem_lead_in(&text[s..e], &text[e..abs_end], cues)
                || examples_of_problems(&text[s..e], cues)
            {
                found = Some((Class::Shortcomings, s));
                break;
            }
        }
        if found.is_none()
            && commitments_lead_in(p.text, report_year, cues)
            && let Some(first) = markers::find_first_inline(p.text, 0).filter(|m| m.start > 0)
            && commitments_lead_in(&p.text[..first.start], report_year, cues)
        {
            found = Some((Class::Commitments, p.start));
        }
        let Some((class, start)) = found else {
            i += 1;
            continue;
        };
        // Following paragraphs that continue the list (二是… on their own lines), or, after a
        // lead-in that ends its paragraph, the paragraphs up to the next heading or stop.
        let style = markers::find_first_inline(&text[start..abs_end], 0).map(|m| m.style);
        let ends_paragraph = sentences(text, start, abs_end).len() <= 1
            && text[start..abs_end].trim_end().ends_with(['：', ':']);
        let mut j = i + 1;
        while let Some(next) = paragraphs.get(j) {
            let continues = match (next.marker, style) {
                (Some(m), Some(s)) => m.style == s,
                _ => {
                    ends_paragraph
                        && heading_of(next, cues).is_none()
                        && !next
                            .marker
                            .is_some_and(|m| matches!(m.style, Style::CnComma | Style::ParenCn))
                        && starts_with_any(next.text, &cues.stops.sentence_starts).is_none()
                }
            };
            if continues && !covered[j] && next.kind == LineKind::Body {
                j += 1;
            } else {
                break;
            }
        }
        let region = Region {
            class,
            start,
            end: para_end(j).min(if j == i + 1 { abs_end } else { para_end(j) }),
            found: Found::LeadIn,
            heading: None,
        };
        regions.extend(split_at_measures(text, region, cues));
        covered[i..j].iter_mut().for_each(|c| *c = true);
        i = j;
    }
    regions.sort_by_key(|r| r.start);
    regions
}

/// Splits a shortcomings region at the sentence that turns to the measures, if it has one.
fn split_at_measures(text: &str, region: Region, cues: &Cues) -> Vec<Region> {
    if region.class != Class::Shortcomings {
        return vec![region];
    }
    let sents = sentences(text, region.start, region.end);
    for &(s, e) in sents.iter().skip(1) {
        let rest = &text[e..region.end];
        let list_follows = markers::marker_at(rest.trim_start(), 0).is_some();
        let sentence = text[s..e].trim_start();
        if !commitment_lead_in(sentence, list_follows, cues) {
            // "下一步，我局将认真贯彻…，确保工作平稳运行。": a closing, not a list of measures.
            let head: String = sentence.chars().take(30).collect();
            if starts_with_any(sentence, &cues.lead_ins.commitment_starts).is_some()
                && has_any(&head, &cues.lead_ins.future_verbs)
            {
                return vec![Region { end: s, ..region }];
            }
            continue;
        }
        return vec![
            Region { end: s, ..region },
            Region {
                class: Class::Commitments,
                start: s,
                end: region.end,
                found: Found::Split,
                heading: None,
            },
        ];
    }
    vec![region]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cues::default_cues;

    fn class(h: &str) -> Option<HeadingClass> {
        classify_heading(h, default_cues())
    }

    #[test]
    fn headings_are_classified_by_what_they_announce() {
        use HeadingClass::*;
        for h in [
            "存在的问题及不足",
            "存在的不足和原因",
            "存在的主要问题",
            "工作中存在的短板",
            "问题与不足",
            "存在问题",
            "审计发现的主要问题",
            "巡察反馈的问题",
        ] {
            assert_eq!(class(h), Some(One(Class::Shortcomings)), "{h}");
        }
        for h in [
            "下一年度推进法治政府建设的主要安排",
            "2026年法治政府建设工作计划",
            "下半年工作思路",
            "下一步工作打算",
            "改进措施",
            "整改措施",
        ] {
            assert_eq!(class(h), Some(One(Class::Commitments)), "{h}");
        }
        for h in [
            "2024年度法治政府建设存在问题改进情况",
            "上年度存在问题整改情况",
        ] {
            assert_eq!(class(h), Some(One(Class::PreviousRectification)), "{h}");
        }
        for h in [
            "存在的主要问题及改进情况",
            "存在的问题及下一步打算",
            "政府信息公开工作存在的主要问题及改进情况",
        ] {
            assert_eq!(class(h), Some(Combined), "{h}");
        }
        for h in [
            "聚焦短板弱项，提升治理效能",
            "上半年工作总结",
            "法治政府建设的主要举措和成效",
            "落实年度计划情况",
            "问题产生的原因",
            "问题整改工作进一步推进",
        ] {
            assert_eq!(class(h), None, "{h}");
        }
    }

    #[test]
    fn lead_ins_are_recognised_by_their_wording() {
        let cues = default_cues();
        assert!(problem_lead_in(
            "今年以来取得一定成绩，也存在以下短板。",
            "一是制度执行不严。",
            cues
        ));
        assert!(problem_lead_in(
            "当前发展还存在不少困难和问题。",
            "主要是：经济总量小；",
            cues
        ));
        assert!(!problem_lead_in(
            "共查摆出存在问题23个。",
            "以问题为导向，新设制度12项。",
            cues
        ));
        assert!(commitment_lead_in(
            "针对存在问题，下一步，将切实抓好以下工作：",
            true,
            cues
        ));
        assert!(commitment_lead_in(
            "2024年，我区将采取以下措施加以改进：",
            true,
            cues
        ));
        assert!(!commitment_lead_in(
            "对此，我们将坚持问题导向，切实加以改进解决。",
            false,
            cues
        ));
        assert!(!commitment_lead_in(
            "2023年，全区工作取得一定的成效，但仍存在一定差距。",
            false,
            cues
        ));
    }
}
