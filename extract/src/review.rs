//! What a person should look at when the rules found no shortcomings: the paragraphs (or
//! sentences of a one-line page) that read most like a list of problems.

use crate::{
    cues::{Cues, has_any},
    layout::{LineKind, Paragraph},
    sections::sentences,
};

/// How many candidates are proposed at most.
const MAX_CANDIDATES: usize = 5;

/// Byte ranges (in the normalised text) of the sentences that read most like shortcomings,
/// best first.
pub fn problem_candidates(
    text: &str,
    paragraphs: &[Paragraph<'_>],
    cues: &Cues,
) -> Vec<(usize, usize)> {
    let weak = [
        "有待", "仍需", "不够", "不足", "尚未", "还需", "欠缺", "滞后", "不强", "不高", "偏低",
    ];
    let mut scored: Vec<(usize, (usize, usize))> = Vec::new();
    for p in paragraphs.iter().filter(|p| p.kind == LineKind::Body) {
        for (s, e) in sentences(text, p.start, p.start + p.text.len()) {
            let t = &text[s..e];
            let mut score = weak
                .iter()
                .filter(|w| crate::cues::find(t, w).is_some())
                .count();
            if score == 0 {
                continue;
            }
            if has_any(t, &cues.headings.problem_words) {
                score += 1;
            }
            if has_any(t, &cues.lead_ins.problem_verbs) {
                score += 1;
            }
            if score >= 2 {
                scored.push((score, (s, e)));
            }
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.0.cmp(&b.1.0)));
    scored.truncate(MAX_CANDIDATES);
    scored.into_iter().map(|(_, r)| r).collect()
}
