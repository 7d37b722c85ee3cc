//! The sentences: dates, the opening summary, a shortcoming's paragraph, evidence citations.

use chrono::NaiveDate;

use super::{SectionItem, Standing, chinese_numeral};
use crate::domain::EvidenceKind;

/// How much of a shortcoming's text the paragraph's lead quotes.
const QUOTE_CHARS: usize = 50;

/// A date as official documents write it: 2026年4月30日.
pub fn cn_date(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// How the text cites a piece of evidence: a file as 《名称》（2026年4月30日，SHA-256前12位：…）
/// (its extension left out: the digest identifies the file), a link as 链接“名称”（网址，
/// 日期）, a note as 文字说明“名称”（日期）. Only files are cited as documents, with a digest.
pub fn evidence_citation(
    kind: EvidenceKind,
    name: &str,
    url: Option<&str>,
    sha256: Option<&str>,
    added_on: NaiveDate,
) -> String {
    let date = cn_date(added_on);
    match kind {
        EvidenceKind::File => {
            let title = without_extension(name)
                .trim()
                .trim_start_matches('《')
                .trim_end_matches('》');
            match sha256 {
                Some(hash) => format!(
                    "《{title}》（{date}，SHA-256前12位：{}）",
                    hash.get(..12).unwrap_or(hash)
                ),
                None => format!("《{title}》（{date}）"),
            }
        }
        EvidenceKind::Link => {
            let title = plain_title(name);
            match url.map(str::trim).filter(|u| !u.is_empty() && *u != title) {
                Some(url) => format!("链接“{title}”（{url}，{date}）"),
                None => format!("链接“{title}”（{date}）"),
            }
        }
        EvidenceKind::Note => match plain_title(name) {
            "" | "说明" | "文字说明" => format!("文字说明（{date}）"),
            title => format!("文字说明“{title}”（{date}）"),
        },
    }
}

/// A note's or link's name without the book-title marks a file's title takes.
fn plain_title(name: &str) -> &str {
    name.trim()
        .trim_start_matches('《')
        .trim_end_matches('》')
        .trim()
}

fn without_extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    }
}

/// The part of a shortcoming's text the lead quotes: its first sentence, without its
/// closing punctuation, cut at [`QUOTE_CHARS`] characters.
pub fn quote(text: &str) -> String {
    let first = text
        .split(['。', '；', ';', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| text.trim());
    let first = trim_end_punctuation(first);
    if first.chars().count() > QUOTE_CHARS {
        let cut: String = first.chars().take(QUOTE_CHARS).collect();
        format!("{cut}……")
    } else {
        first.to_owned()
    }
}

fn trim_end_punctuation(s: &str) -> &str {
    s.trim()
        .trim_end_matches(['。', '；', ';', '，', ',', '、', '.', '：', ':'])
        .trim()
}

/// Measures as a clause: closing punctuation dropped, sentences joined by commas (the
/// semicolon separates the items of a list of several).
fn clause(measures: &str) -> String {
    trim_end_punctuation(measures)
        .replace(['\n', '\r'], "")
        .replace(['。', '；', ';'], "，")
}

/// The opening paragraph: how many shortcomings and items, and where the items stand.
pub fn summary(year: i32, as_of: NaiveDate, c: &super::Counts) -> String {
    let mut s = format!("{year}年度报告查摆问题{}个", c.shortcomings);
    if c.items == 0 {
        s.push_str("，尚未分解整改事项");
        if c.cancelled > 0 {
            s.push_str(&format!("（{}项整改事项已撤销）", c.cancelled));
        }
        s.push('。');
        return s;
    }
    s.push_str(&format!(
        "，分解整改事项{}项。截至{}，",
        c.items,
        cn_date(as_of)
    ));
    if c.rectified == c.items {
        s.push_str(&format!("{}项整改事项已全部完成整改（销号）。", c.items));
    } else {
        let parts: Vec<String> = [
            (c.rectified, "已完成整改（销号）"),
            (c.closed_continuing, "经验收销号、认定持续整改"),
            (c.closed_not_rectified, "经验收销号、认定未整改"),
            (c.awaiting_verification, "已完成整改待验收"),
            (c.in_progress, "正在整改"),
            (c.long_term, "长期坚持"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{label}{n}项"))
        .collect();
        s.push_str(&parts.join("，"));
        s.push('。');
    }
    if c.cancelled > 0 {
        s.push_str(&format!("另有{}项整改事项已撤销。", c.cancelled));
    }
    s
}

/// A shortcoming's paragraph after its lead.
pub fn body(items: &[SectionItem], shortcoming: &str, as_of: NaiveDate) -> String {
    let (active, cancelled): (Vec<&SectionItem>, Vec<&SectionItem>) = items
        .iter()
        .partition(|i| i.standing != Standing::Cancelled);
    let mut s = match active.as_slice() {
        [] if cancelled.is_empty() => return "该问题尚未分解整改事项。".to_owned(),
        [] => return "该问题的整改事项已撤销。".to_owned(),
        [only] => {
            // An imported item is titled with the shortcoming's own words: no need to repeat them.
            let named = trim_end_punctuation(&only.title) != quote(shortcoming);
            format!("针对该问题，{}。", item_sentence(only, Some(named), as_of))
        }
        many => {
            let parts: Vec<String> = many
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    format!(
                        "{}是{}",
                        chinese_numeral(i as u32 + 1),
                        item_sentence(item, None, as_of)
                    )
                })
                .collect();
            format!(
                "该问题分解为{}项整改事项：{}。",
                many.len(),
                parts.join("；")
            )
        }
    };
    if !cancelled.is_empty() {
        s.push_str(&format!("另有{}项整改事项已撤销。", cancelled.len()));
    }
    s
}

/// One item: its measures (or title), where it stands with dates, and its evidence.
/// `only`: the shortcoming's one item, and whether its title says more than the shortcoming.
fn item_sentence(item: &SectionItem, only: Option<bool>, as_of: NaiveDate) -> String {
    let title = trim_end_punctuation(&item.title);
    let mut s = match (&item.measures, only) {
        (Some(m), _) => clause(m),
        (None, Some(true)) => format!("列入整改事项“{title}”"),
        (None, Some(false)) => "已列入整改台账".to_owned(),
        (None, None) => format!("“{title}”"),
    };
    s.push('，');
    let on = |d: Option<NaiveDate>| {
        d.map(|d| format!("已于{}", cn_date(d)))
            .unwrap_or_else(|| "已".to_owned())
    };
    let due = item.due_on.map(cn_date);
    match item.standing {
        Standing::Rectified => s.push_str(&format!("{}完成整改并销号", on(item.completed_on))),
        Standing::ClosedContinuing => s.push_str(&format!(
            "{}验收销号，验收结论为持续整改",
            on(item.completed_on)
        )),
        Standing::ClosedNotRectified => s.push_str(&format!(
            "{}验收销号，验收结论为未整改",
            on(item.completed_on)
        )),
        Standing::AwaitingVerification => {
            s.push_str(&format!("{}完成整改并提交验收", on(item.completed_on)));
            if item.state == "submitted" {
                s.push_str("，待审核销号");
            } else {
                s.push_str(&format!("，目前处于“{}”环节", item.state_label));
            }
        }
        Standing::LongTerm => {
            s.push_str("作为长期坚持事项持续推进");
            if let Some(due) = &due {
                s.push_str(&format!("，阶段时限为{due}"));
            }
        }
        Standing::InProgress => {
            if item.state == "in_progress" {
                s.push_str("目前正在整改");
            } else {
                s.push_str(&format!("目前处于“{}”环节", item.state_label));
            }
            if let Some(due) = &due {
                s.push_str(&format!("，整改时限为{due}"));
            }
            if item.due_on.is_some_and(|d| d < as_of) {
                s.push_str("，已超过整改时限");
            }
        }
        Standing::Cancelled => s.push_str("已撤销"),
    }
    let finished = matches!(
        item.standing,
        Standing::Rectified
            | Standing::ClosedContinuing
            | Standing::ClosedNotRectified
            | Standing::AwaitingVerification
    );
    if finished && let Some(due) = &due {
        s.push_str(&format!("（整改时限为{due}）"));
    }
    if !item.evidence.is_empty() {
        let cited: Vec<&str> = item.evidence.iter().map(|e| e.citation.as_str()).collect();
        s.push_str(&format!("，佐证材料为{}", cited.join("、")));
    }
    s
}
