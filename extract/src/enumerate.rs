//! Cuts a region of the normalised text into its items. An item starts right after its
//! enumerator and runs to the next enumerator of the same list (one pass collects every
//! enumerator of the region; the outermost list wins, sub-lists stay inside their item) or
//! the end of the region, less the closing sentences, site text and signature that follow
//! the last item. Lists without enumerators are cut at ；after their lead-in (主要是：, 如…).

use crate::{
    cues::{Cues, has_any, starts_with_any},
    markers::{self, Marker, Style},
    sections::{Class, Found, Region, sentences},
};

/// An item: its byte range in the normalised text and how sure the cut is (0–1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut {
    pub start: usize,
    pub end: usize,
    pub confidence: f64,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// The trimmed item of `text[from..to]`, if anything is left.
fn cut(text: &str, from: usize, to: usize, confidence: f64) -> Option<Cut> {
    let raw = &text[from..to];
    let lead = raw.len()
        - raw
            .trim_start_matches(|c: char| {
                is_space(c) || matches!(c, '：' | ':' | '，' | ',' | '、')
            })
            .len();
    let body = raw[lead..]
        .trim_end_matches(|c: char| is_space(c) || matches!(c, '；' | ';' | '，' | ',' | '、'));
    (body.chars().count() >= 2).then(|| Cut {
        start: from + lead,
        end: from + lead + body.len(),
        confidence,
    })
}

fn may_start_marker(c: char) -> bool {
    matches!(c, '（' | '(' | '第')
        || c.is_ascii_digit()
        || crate::numerals::digit(c).is_some_and(|d| d > 0)
        || c == '十'
        || ('①'..='⑳').contains(&c)
}

/// Every enumerator of `text[start..end]` standing at a clause boundary, in order.
fn boundary_markers(text: &str, start: usize, end: usize) -> Vec<Marker> {
    let s = &text[start..end];
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let boundary = prev.is_none_or(|p| {
            matches!(
                p,
                '。' | '；'
                    | ';'
                    | '，'
                    | ','
                    | '：'
                    | ':'
                    | '！'
                    | '!'
                    | '？'
                    | '?'
                    | '\u{3000}'
                    | ' '
                    | '\t'
                    | '\n'
                    | '）'
                    | ')'
                    | '】'
                    | '”'
                    | '"'
            )
        });
        if boundary
            && may_start_marker(c)
            && let Some(m) = markers::marker_at(s, i)
        {
            out.push(Marker {
                start: m.start + start,
                end: m.end + start,
                ..m
            });
        }
        prev = Some(c);
    }
    out
}

/// The outermost list among `ms`: the earliest enumerator 1 confirmed by a 2 or 3 of its
/// style later on (一是 needs no confirmation). Returns the list's markers and whether it
/// was numbered in sequence.
fn top_list(ms: &[Marker]) -> Option<(Vec<Marker>, bool)> {
    let styles = [
        Style::CnComma,
        Style::ParenCn,
        Style::ArabicDot,
        Style::ParenArabic,
        Style::Ordinal,
        Style::Shi,
        Style::Circled,
    ];
    let first = styles
        .iter()
        .filter_map(|&style| {
            let k = ms.iter().position(|m| m.style == style && m.ordinal == 1)?;
            let confirmed = style == Style::Shi
                || ms[k + 1..]
                    .iter()
                    .any(|m| m.style == style && (m.ordinal == 2 || m.ordinal == 3));
            confirmed.then_some(k)
        })
        .min_by_key(|&k| (ms[k].start, ms[k].style.rank()))?;
    let style = ms[first].style;
    let mut list = vec![ms[first]];
    let mut cur = 1;
    let mut in_order = true;
    for m in ms[first + 1..].iter().filter(|m| m.style == style) {
        if m.ordinal == cur + 1 {
            cur += 1;
        } else if m.ordinal == cur + 2 || (m.ordinal == cur && cur > 1) {
            in_order = false;
            cur = m.ordinal;
        } else if m.ordinal == 1 {
            break;
        } else {
            continue;
        }
        list.push(*m);
    }
    Some((list, in_order))
}

/// Where the text after the last item stops belonging to it: a closing sentence, site
/// text, a signature line.
fn tail_end(text: &str, from: usize, to: usize, cues: &Cues) -> usize {
    let mut end = to;
    for (s, _) in sentences(text, from, to).into_iter().skip(1) {
        let t = text[s..to].trim_start_matches(|c: char| is_space(c));
        let sentence_end = text[s..to]
            .find(['。', '！', '？', '\n'])
            .map_or(to, |k| s + k);
        if starts_with_any(t, &cues.stops.sentence_starts).is_some()
            || starts_with_any(t, &cues.stops.chrome).is_some()
            || has_any(&text[s..sentence_end], &cues.stops.closing_phrases)
        {
            end = s;
            break;
        }
    }
    // Trailing short lines without clause punctuation: a signature, a date, site text.
    loop {
        let body = text[from..end].trim_end_matches(is_space);
        let Some(nl) = body.rfind('\n') else { break };
        let line = body[nl + 1..].trim();
        if line.chars().count() < 12 || !line.contains(['。', '，', '；', ',', ';']) {
            end = from + nl;
        } else {
            break;
        }
    }
    end
}

fn region_confidence(found: Found) -> f64 {
    match found {
        Found::Heading => 0.9,
        Found::Split => 0.8,
        Found::LeadIn => 0.75,
    }
}

/// Items of a region.
pub fn items(text: &str, region: &Region, cues: &Cues) -> Vec<Cut> {
    let base = region_confidence(region.found);
    let ms = boundary_markers(text, region.start, region.end);
    let Some((list, in_order)) = top_list(&ms) else {
        let dashed = dashes(text, region, cues, base);
        if !dashed.is_empty() {
            return dashed;
        }
        return unnumbered(text, region, cues, base);
    };
    let conf = if in_order { base } else { base * 0.8 };
    let mut out = Vec::new();
    for (k, m) in list.iter().enumerate() {
        let to = match list.get(k + 1) {
            Some(next) => next.start,
            None => tail_end(text, m.end, region.end, cues),
        };
        let Some(c) = cut(text, m.end, to, conf) else {
            continue;
        };
        if region.class == Class::Commitments {
            let t = &text[c.start..c.end];
            if starts_with_any(t, &cues.headings.general_plan_labels).is_some() {
                continue;
            }
            if let Some(label) = starts_with_any(t, &cues.headings.container_labels) {
                let inner = c.start + label.len();
                let after = text[inner..c.end]
                    .trim_start_matches(|ch: char| is_space(ch) || matches!(ch, '：' | ':'));
                if markers::marker_at(after, 0).is_some() {
                    let sub = Region {
                        start: inner,
                        end: c.end,
                        ..*region
                    };
                    let subs = items(text, &sub, cues);
                    if !subs.is_empty() {
                        out.extend(subs);
                        continue;
                    }
                }
            }
        }
        out.push(adjust(text, c));
    }
    out
}

/// Items of a list written as "——" paragraphs (at least two, each at a line or clause start).
fn dashes(text: &str, region: &Region, cues: &Cues, base: f64) -> Vec<Cut> {
    let s = &text[region.start..region.end];
    let starts: Vec<usize> = s
        .match_indices("——")
        .map(|(i, _)| i)
        .filter(|&i| {
            s[..i]
                .trim_end_matches([' ', '\u{3000}'])
                .chars()
                .next_back()
                .is_none_or(|p| matches!(p, '\n' | '。' | '；' | ';' | '：' | ':'))
        })
        .collect();
    if starts.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, &i) in starts.iter().enumerate() {
        let from = region.start + i + "——".len();
        let to = match starts.get(k + 1) {
            Some(&next) => region.start + next,
            None => tail_end(text, from, region.end, cues),
        };
        out.extend(cut(text, from, to, base * 0.9).map(|c| adjust(text, c)));
    }
    out
}

/// Splits a paired item ("关于…的问题。整改措施：…") into its problem and its measure.
pub fn split_pair(text: &str, item: Cut, cues: &Cues) -> (Cut, Option<Cut>) {
    let t = &text[item.start..item.end];
    let Some((i, w)) = cues
        .headings
        .paired_splits
        .iter()
        .filter_map(|w| t.find(w.as_str()).map(|i| (i, w.len())))
        .min()
    else {
        return (item, None);
    };
    let problem = cut(text, item.start, item.start + i, item.confidence);
    let measure = cut(text, item.start + i + w, item.end, item.confidence);
    match problem {
        Some(p) => (p, measure),
        None => (item, None),
    }
}

/// Lowers the confidence of suspiciously short or long items.
fn adjust(text: &str, mut c: Cut) -> Cut {
    let n = text[c.start..c.end].chars().count();
    if n < 6 {
        c.confidence *= 0.7;
    } else if n > 1500 {
        c.confidence *= 0.8;
    }
    c.confidence = (c.confidence * 100.0).round() / 100.0;
    c
}

/// Items of a region with no enumerators: per paragraph, the text after its lead-in (主要是：,
/// 如…, "…将"), cut at ；when a lead-in announced a list, else the paragraph as one item.
fn unnumbered(text: &str, region: &Region, cues: &Cues, base: f64) -> Vec<Cut> {
    let mut out = Vec::new();
    let mut line_start = region.start;
    let region_text = &text[region.start..region.end];
    let mut offsets: Vec<(usize, usize)> = Vec::new();
    for line in region_text.split_inclusive('\n') {
        let s = line_start;
        line_start += line.len();
        offsets.push((s, s + line.trim_end_matches('\n').len()));
    }
    for (ls, le) in offsets {
        let line = &text[ls..le];
        if line.trim().chars().count() < 6 || !line.contains(['。', '，', '；', ',', ';', '：'])
        {
            continue;
        }
        let first_end = line.find(['。', '！', '？']).map_or(le, |k| ls + k);
        if starts_with_any(line.trim_start(), &cues.stops.sentence_starts).is_some()
            || has_any(&text[ls..first_end], &cues.stops.closing_phrases)
        {
            break;
        }
        let le = tail_end(text, ls, le, cues);
        let (from, mut list) = lead_in_end(text, ls, le, region.class, cues);
        // A heading that ends in a colon (（一）存在的主要问题：A；B；C) announces a list.
        list |= ls == region.start && text[..ls].trim_end().ends_with(['：', ':']);
        let body = text[from..le].trim_end_matches(is_space);
        if body.is_empty() || body.ends_with(['：', ':']) || body.ends_with("如下") {
            continue;
        }
        if list && body.contains(['；', ';']) {
            let mut piece = from;
            let mut depth = 0i32;
            for (i, c) in text[from..le].char_indices() {
                match c {
                    '（' | '(' | '“' | '《' => depth += 1,
                    '）' | ')' | '”' | '》' => depth -= 1,
                    '；' | ';' if depth <= 0 => {
                        out.extend(
                            cut(text, piece, from + i, base * 0.85).map(|c| adjust(text, c)),
                        );
                        piece = from + i + c.len_utf8();
                    }
                    _ => {}
                }
            }
            out.extend(cut(text, piece, le, base * 0.85).map(|c| adjust(text, c)));
        } else {
            out.extend(cut(text, from, le, base * 0.75).map(|c| adjust(text, c)));
        }
    }
    out
}

/// Where the list of an unnumbered paragraph `text[ls..le]` starts, and whether a lead-in
/// announced a list there.
fn lead_in_end(text: &str, ls: usize, le: usize, class: Class, cues: &Cues) -> (usize, bool) {
    let line = &text[ls..le];
    let l = &cues.lead_ins;
    if let Some((i, w)) = l
        .list_intros
        .iter()
        .filter_map(|w| line.find(w.as_str()).map(|i| (i, w.len())))
        .min()
    {
        return (ls + i + w, true);
    }
    if class == Class::Commitments {
        let t = line.trim_start();
        let head: String = t.chars().take(30).collect();
        let starts = starts_with_any(t, &l.commitment_starts).is_some()
            || head
                .get(..4)
                .is_some_and(|y| y.chars().all(|c| c.is_ascii_digit()));
        if starts
            && let Some((i, v)) = l
                .future_verbs
                .iter()
                .filter_map(|v| head.find(v.as_str()).map(|i| (i, v.len())))
                .min()
        {
            return (ls + (line.len() - t.len()) + i + v, true);
        }
        return (ls, false);
    }
    // 如A；B；C等 after a clause saying there are shortcomings.
    for (s, e) in sentences(text, ls, le) {
        let sentence = &text[s..e];
        for intro in &l.example_intros {
            for sep in ["，", "。", "：", ""] {
                let pat = format!("{sep}{intro}");
                let found = if sep.is_empty() {
                    sentence
                        .trim_start()
                        .starts_with(intro.as_str())
                        .then_some(sentence.len() - sentence.trim_start().len())
                } else {
                    sentence.find(&pat)
                };
                if let Some(i) = found {
                    let before = &text[ls..s + i];
                    if has_any(before, &cues.headings.problem_words)
                        || before.contains("不足")
                        || before.contains("差距")
                        || sep.is_empty() && s > ls
                    {
                        return (s + i + pat.len(), true);
                    }
                }
            }
        }
    }
    // A first sentence that only says there are shortcomings is a lead-in.
    let sents = sentences(text, ls, le);
    if sents.len() > 1 {
        let (s, e) = sents[0];
        let first = &text[s..e];
        let tail: String = first.chars().rev().take(12).collect();
        if has_any(first, &l.problem_verbs) && has_any(&tail, &cues.headings.problem_words)
            || first.trim_end().ends_with(['：', ':'])
        {
            return (e, first.trim_end().ends_with(['：', ':']));
        }
    }
    (ls, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cues::default_cues;

    fn texts(text: &str, class: Class) -> Vec<String> {
        let region = Region {
            class,
            start: 0,
            end: text.len(),
            found: Found::Heading,
            heading: None,
        };
        items(text, &region, default_cues())
            .into_iter()
            .map(|c| text[c.start..c.end].to_owned())
            .collect()
    }

    #[test]
    fn inline_shi_list_in_one_paragraph() {
        assert_eq!(
            texts(
                "仍存在以下问题：一是制度不够完善；二是队伍建设需加强；三是宣传不够深入。",
                Class::Shortcomings
            ),
            vec!["制度不够完善", "队伍建设需加强", "宣传不够深入。"]
        );
    }

    #[test]
    fn a_misnumbered_repeat_still_starts_an_item() {
        let got = texts(
            "存在的问题主要有：一是信息发布不精确；三是创新不够有力；三是解读质量有待提高。",
            Class::Shortcomings,
        );
        assert_eq!(
            got,
            vec!["信息发布不精确", "创新不够有力", "解读质量有待提高。"]
        );
    }

    #[test]
    fn parenthesised_headings_keep_their_bodies_and_sub_lists() {
        assert_eq!(
            texts(
                "（一）加强法治学习\n把学习作为首要政治任务，按计划开展学习。\n（二）规范决策程序1、落实合法性审核机制，规范决策。2、健全制度，严格执行。",
                Class::Commitments
            ),
            vec![
                "加强法治学习\n把学习作为首要政治任务，按计划开展学习。",
                "规范决策程序1、落实合法性审核机制，规范决策。2、健全制度，严格执行。"
            ]
        );
    }

    #[test]
    fn general_plan_paragraphs_are_left_out_and_key_tasks_opened() {
        assert_eq!(
            texts(
                "（一）总体目标以效率优先为原则，推出一批改革举措。（二）总体思路以新思想为指导，稳中求进。（三）重点工作1.党建引领，塑造文化。一是建好支部。2.优化机制，加大整合力度。",
                Class::Commitments
            ),
            vec![
                "党建引领，塑造文化。一是建好支部。",
                "优化机制，加大整合力度。"
            ]
        );
    }

    #[test]
    fn semicolon_lists_after_a_lead_in() {
        assert_eq!(
            texts(
                "还存在不少困难和问题。主要是：经济总量小；人才短缺，结构不合理；营商环境有待优化，等等。这些困难都是发展中的困难。",
                Class::Shortcomings
            ),
            vec![
                "经济总量小",
                "人才短缺，结构不合理",
                "营商环境有待优化，等等。"
            ]
        );
        assert_eq!(
            texts(
                "工作取得新进展，但仍有不足，如工作机制有待完善；解读形式仍需创新；数字化手段运用不够等。",
                Class::Shortcomings
            ),
            vec![
                "工作机制有待完善",
                "解读形式仍需创新",
                "数字化手段运用不够等。"
            ]
        );
        assert_eq!(
            texts(
                "针对存在问题，下一步，我市将着力加强政策解读，提升解读的针对性和通俗化，开发更多解读产品；建立健全传帮带机制，定期组织业务培训。",
                Class::Commitments
            ),
            vec![
                "着力加强政策解读，提升解读的针对性和通俗化，开发更多解读产品",
                "建立健全传帮带机制，定期组织业务培训。"
            ]
        );
    }

    #[test]
    fn an_unnumbered_paragraph_is_one_item_without_its_lead_in() {
        assert_eq!(
            texts(
                "2023年，工作取得一定的成效，但对照上级要求，仍存在一定差距。如依申请公开规范性有待提高、队伍建设有待加强等。",
                Class::Shortcomings
            ),
            vec!["依申请公开规范性有待提高、队伍建设有待加强等。"]
        );
        assert_eq!(
            texts(
                "政策解读形式不够丰富，未能通俗易懂地解读。政务公开渠道有限，难以满足需要。",
                Class::Shortcomings
            ),
            vec!["政策解读形式不够丰富，未能通俗易懂地解读。政务公开渠道有限，难以满足需要。"]
        );
    }

    #[test]
    fn the_last_item_stops_before_closing_text_and_signature() {
        assert_eq!(
            texts(
                "（一）强化学习，提升能力。\n（二）严格执法，规范程序。各位代表，让我们团结奋斗！\n某某县司法局",
                Class::Commitments
            ),
            vec!["强化学习，提升能力。", "严格执法，规范程序。"]
        );
        assert_eq!(
            texts(
                "一是学习不深；二是宣传不够。对此，我们将坚持问题导向，切实加以改进。",
                Class::Shortcomings
            ),
            vec!["学习不深", "宣传不够。"]
        );
    }
}
