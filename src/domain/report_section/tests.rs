use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn labels() -> HashMap<String, String> {
    [
        ("identified", "待交办"),
        ("assigned", "已交办"),
        ("in_progress", "整改中"),
        ("submitted", "待验收"),
        ("confirmed", "分管领导已确认"),
        ("closed", "已销号"),
        ("ongoing", "长期坚持"),
        ("cancelled", "已撤销"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn shortcoming(text: &str) -> ShortcomingRecord {
    ShortcomingRecord {
        id: Uuid::new_v4(),
        text: text.to_owned(),
    }
}

fn item(s: &ShortcomingRecord, state: &str) -> ItemRecord {
    ItemRecord {
        id: Uuid::new_v4(),
        shortcoming_id: s.id,
        parent_item_id: None,
        code: None,
        title: "整改事项".to_owned(),
        measures: None,
        category: None,
        state: state.to_owned(),
        outcome: None,
        due_on: None,
        submitted_on: None,
        closed_on: None,
    }
}

fn file(item: &ItemRecord, name: &str, hash: &str, on: &str) -> EvidenceRecord {
    EvidenceRecord {
        id: Uuid::new_v4(),
        item_id: item.id,
        kind: EvidenceKind::File,
        name: name.to_owned(),
        sha256: Some(hash.to_owned()),
        url: None,
        added_on: d(on),
    }
}

fn input(
    shortcomings: Vec<ShortcomingRecord>,
    items: Vec<ItemRecord>,
    evidence: Vec<EvidenceRecord>,
) -> SectionInput {
    SectionInput {
        agency_name: "某县司法局".to_owned(),
        year: 2025,
        report_title: None,
        as_of: d("2026-11-23"),
        shortcomings,
        items,
        evidence,
        state_labels: labels(),
        initial_state: "identified".to_owned(),
        next_report: None,
    }
}

const HASH: &str = "3f2a9c1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

#[test]
fn the_summary_counts_items_by_where_they_stand() {
    let a = shortcoming("普法宣传形式单一，针对性和实效性不强。");
    let b = shortcoming("行政执法人员专业能力不足。");
    let c = shortcoming("重大行政决策合法性审查机制不够健全。");
    let mut closed1 = item(&a, "closed");
    closed1.closed_on = Some(d("2026-04-30"));
    let mut closed2 = item(&b, "closed");
    closed2.outcome = Some(ItemOutcome::Rectified);
    let closed3 = item(&b, "closed");
    let working = item(&c, "in_progress");
    let long = item(&c, "ongoing");
    let section = compose(&input(
        vec![a, b, c],
        vec![closed1, closed2, closed3, working, long],
        vec![],
    ));
    assert_eq!(
        section.summary,
        "2025年度报告查摆问题3个，分解整改事项5项。截至2026年11月23日，已完成整改（销号）3项，正在整改1项，长期坚持1项。"
    );
    assert_eq!(section.counts.items, 5);
    assert_eq!(section.counts.completion_rate(), Some(0.6));
    assert_eq!(section.title, "2025年度存在问题整改情况");
}

#[test]
fn a_closed_item_cites_its_measures_dates_and_evidence() {
    let s = shortcoming("普法宣传形式单一，针对性和实效性不强。存在薄弱环节。");
    let mut i = item(&s, "closed");
    i.measures = Some("运用新媒体开展精准普法。编印普法读本".to_owned());
    i.closed_on = Some(d("2026-05-08"));
    i.due_on = Some(d("2026-06-30"));
    let e = file(&i, "普法工作方案.pdf", HASH, "2026-04-30");
    let section = compose(&input(vec![s], vec![i], vec![e]));
    let p = &section.shortcomings[0].paragraph;
    assert_eq!(
        p,
        "（一）关于“普法宣传形式单一，针对性和实效性不强”的问题。针对该问题，运用新媒体开展精准普法，编印普法读本，已于2026年5月8日完成整改并销号（整改时限为2026年6月30日），佐证材料为《普法工作方案》（2026年4月30日，SHA-256前12位：3f2a9c1b0d4e）。"
    );
    assert_eq!(
        section.summary,
        "2025年度报告查摆问题1个，分解整改事项1项。截至2026年11月23日，1项整改事项已全部完成整改（销号）。"
    );
    let cited = &section.shortcomings[0].items[0];
    assert_eq!(cited.completed_on, Some(d("2026-05-08")));
    assert_eq!(cited.state_label, "已销号");
    assert_eq!(cited.evidence[0].sha256.as_deref(), Some(HASH));
}

#[test]
fn a_shortcoming_without_items_says_so() {
    let section = compose(&input(
        vec![shortcoming("学法制度落实不到位。")],
        vec![],
        vec![],
    ));
    assert_eq!(
        section.shortcomings[0].paragraph,
        "（一）关于“学法制度落实不到位”的问题。该问题尚未分解整改事项。"
    );
    assert_eq!(
        section.summary,
        "2025年度报告查摆问题1个，尚未分解整改事项。"
    );
    assert_eq!(section.counts.completion_rate(), None);
}

#[test]
fn an_item_without_evidence_cites_none_and_an_overdue_one_says_so() {
    let s = shortcoming("执法培训覆盖面窄。");
    let mut i = item(&s, "in_progress");
    i.measures = Some("开展全员执法培训。".to_owned());
    i.due_on = Some(d("2026-06-30"));
    let section = compose(&input(vec![s], vec![i], vec![]));
    let p = &section.shortcomings[0].paragraph;
    assert!(!p.contains("佐证材料"), "{p}");
    assert!(
        p.ends_with("开展全员执法培训，目前正在整改，整改时限为2026年6月30日，已超过整改时限。"),
        "{p}"
    );
    assert!(section.shortcomings[0].items[0].overdue);
}

#[test]
fn long_term_cancelled_and_awaiting_items_are_told_apart() {
    let s = shortcoming("法治宣传教育针对性不强。");
    let mut long = item(&s, "ongoing");
    long.measures = Some("建立常态化普法机制".to_owned());
    long.due_on = Some(d("2027-12-31"));
    let mut submitted = item(&s, "submitted");
    submitted.measures = Some("修订普法责任清单".to_owned());
    submitted.submitted_on = Some(d("2026-10-09"));
    let mut cancelled = item(&s, "cancelled");
    cancelled.title = "重复事项".to_owned();
    let section = compose(&input(vec![s], vec![cancelled, long, submitted], vec![]));
    assert_eq!(
        section.shortcomings[0].paragraph,
        "（一）关于“法治宣传教育针对性不强”的问题。该问题分解为2项整改事项：一是建立常态化普法机制，作为长期坚持事项持续推进，阶段时限为2027年12月31日；二是修订普法责任清单，已于2026年10月9日完成整改并提交验收，待审核销号。另有1项整改事项已撤销。"
    );
    assert_eq!(
        section.summary,
        "2025年度报告查摆问题1个，分解整改事项2项。截至2026年11月23日，已完成整改待验收1项，长期坚持1项。另有1项整改事项已撤销。"
    );
    assert_eq!(section.counts.cancelled, 1);
    assert_eq!(section.shortcomings[0].items.len(), 3);
    assert_eq!(
        section.shortcomings[0].items[2].standing,
        Standing::Cancelled
    );
}

#[test]
fn only_cancelled_items_and_closing_verdicts() {
    let a = shortcoming("甲问题。");
    let b = shortcoming("乙问题。");
    let gone = item(&a, "cancelled");
    let mut continuing = item(&b, "closed");
    continuing.outcome = Some(ItemOutcome::Continuing);
    continuing.closed_on = Some(d("2026-09-01"));
    let mut not_done = item(&b, "closed");
    not_done.outcome = Some(ItemOutcome::NotRectified);
    let section = compose(&input(vec![a, b], vec![gone, continuing, not_done], vec![]));
    assert_eq!(
        section.shortcomings[0].paragraph,
        "（一）关于“甲问题”的问题。该问题的整改事项已撤销。"
    );
    assert!(
        section.shortcomings[1]
            .paragraph
            .contains("已于2026年9月1日验收销号，验收结论为持续整改")
    );
    assert!(
        section.shortcomings[1]
            .paragraph
            .contains("验收销号，验收结论为未整改")
    );
    assert_eq!(
        section.summary,
        "2025年度报告查摆问题2个，分解整改事项2项。截至2026年11月23日，经验收销号、认定持续整改1项，经验收销号、认定未整改1项。另有1项整改事项已撤销。"
    );
}

#[test]
fn a_split_item_never_worked_is_only_its_parts_container() {
    let s = shortcoming("制度建设滞后。");
    let parent = item(&s, "identified");
    let mut part1 = item(&s, "closed");
    part1.parent_item_id = Some(parent.id);
    let mut part2 = item(&s, "assigned");
    part2.parent_item_id = Some(parent.id);
    part2.title = "修订会议制度".to_owned();
    let section = compose(&input(vec![s], vec![parent, part1, part2], vec![]));
    assert_eq!(section.counts.items, 2);
    let p = &section.shortcomings[0].paragraph;
    assert!(p.contains("该问题分解为2项整改事项"), "{p}");
    assert!(
        p.contains("二是“修订会议制度”，目前处于“已交办”环节"),
        "{p}"
    );
}

#[test]
fn an_offices_own_state_after_submission_counts_as_awaiting_verification() {
    let s = shortcoming("问题。");
    let mut i = item(&s, "confirmed");
    i.submitted_on = Some(d("2026-10-01"));
    let section = compose(&input(vec![s], vec![i], vec![]));
    assert_eq!(section.counts.awaiting_verification, 1);
    assert!(
        section.shortcomings[0]
            .paragraph
            .contains("目前处于“分管领导已确认”环节")
    );
}

#[test]
fn paragraphs_are_numbered_in_chinese_beyond_ten() {
    let shortcomings: Vec<_> = (1..=12)
        .map(|n| shortcoming(&format!("问题{n}。")))
        .collect();
    let section = compose(&input(shortcomings, vec![], vec![]));
    assert!(
        section.shortcomings[9]
            .paragraph
            .starts_with("（十）关于“问题10”")
    );
    assert!(
        section.shortcomings[10]
            .paragraph
            .starts_with("（十一）关于“问题11”")
    );
    assert!(section.shortcomings[11].paragraph.starts_with("（十二）"));
    assert_eq!(section.counts.shortcomings, 12);
}

#[test]
fn notes_links_and_long_shortcomings_are_cited_plainly() {
    let long = "很".repeat(80);
    let s = shortcoming(&long);
    let mut i = item(&s, "submitted");
    i.submitted_on = Some(d("2026-03-02"));
    let note = EvidenceRecord {
        id: Uuid::new_v4(),
        item_id: i.id,
        kind: EvidenceKind::Note,
        name: "整改说明".to_owned(),
        sha256: None,
        url: None,
        added_on: d("2026-03-01"),
    };
    let link = EvidenceRecord {
        kind: EvidenceKind::Link,
        name: "《政务公开专栏》".to_owned(),
        url: Some("https://example.gov.cn/zwgk".to_owned()),
        id: Uuid::new_v4(),
        ..note.clone()
    };
    let section = compose(&input(vec![s], vec![i], vec![note, link]));
    let p = &section.shortcomings[0].paragraph;
    assert!(
        p.starts_with(&format!("（一）关于“{}……”的问题。", "很".repeat(50))),
        "{p}"
    );
    assert!(
        p.contains("佐证材料为文字说明“整改说明”（2026年3月1日）、链接“政务公开专栏”（https://example.gov.cn/zwgk，2026年3月1日）"),
        "{p}"
    );
}

#[test]
fn coverage_tells_which_shortcomings_the_next_report_accounts_for() {
    let a = shortcoming("甲。");
    let b = shortcoming("乙。");
    let mut inp = input(vec![a.clone(), b.clone()], vec![], vec![]);
    inp.next_report = Some(NextReport {
        report_id: Uuid::new_v4(),
        year: 2026,
        title: None,
        mentions: vec![
            Mention {
                ordinal: 1,
                text: "针对甲，已整改。".to_owned(),
                shortcoming_id: Some(a.id),
                score: Some(0.4),
            },
            Mention {
                ordinal: 2,
                text: "另一件事。".to_owned(),
                shortcoming_id: None,
                score: None,
            },
            Mention {
                ordinal: 3,
                text: "别的报告的问题。".to_owned(),
                shortcoming_id: Some(Uuid::new_v4()),
                score: Some(0.3),
            },
        ],
    });
    let section = compose(&inp);
    let coverage = section.coverage.clone().expect("the next report was given");
    assert_eq!((coverage.accounted_for, coverage.total), (1, 2));
    assert_eq!(coverage.ratio, Some(0.5));
    assert_eq!(coverage.unmatched.len(), 2);
    assert_eq!(section.shortcomings[0].mentions[0].text, "针对甲，已整改。");
    assert!(section.shortcomings[1].mentions.is_empty());
    // The comparison reviews the report; it is not part of the text.
    let md = markdown(&section);
    assert!(!md.contains("针对甲"), "{md}");
}

#[test]
fn markdown_and_docx_carry_the_same_text() {
    let s = shortcoming("普法宣传形式单一。");
    let mut i = item(&s, "closed");
    i.closed_on = Some(d("2026-04-30"));
    let e = file(&i, "通知.pdf", HASH, "2026-04-30");
    let section = compose(&input(vec![s], vec![i], vec![e]));
    let md = markdown(&section);
    assert!(
        md.starts_with("## 某县司法局2025年度存在问题整改情况\n\n2025年度报告查摆问题1个"),
        "{md}"
    );
    assert!(md.contains(&section.shortcomings[0].paragraph));
    let xml = docx::document_xml(&section);
    assert!(xml.contains(&section.shortcomings[0].heading));
    assert!(xml.contains("SHA-256前12位：3f2a9c1b0d4e"));
    let bytes = docx::docx(&section).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
}

#[test]
fn an_item_titled_with_the_shortcomings_words_is_not_named_again() {
    let s = shortcoming("学法制度落实不到位。形式单一。");
    let mut same = item(&s, "assigned");
    same.title = "学法制度落实不到位".to_owned();
    same.due_on = Some(d("2026-12-31"));
    let other = shortcoming("执法不规范。");
    let mut named = item(&other, "identified");
    named.title = "规范执法文书".to_owned();
    let section = compose(&input(vec![s, other], vec![same, named], vec![]));
    assert_eq!(
        section.shortcomings[0].paragraph,
        "（一）关于“学法制度落实不到位”的问题。针对该问题，已列入整改台账，目前处于“已交办”环节，整改时限为2026年12月31日。"
    );
    assert_eq!(
        section.shortcomings[1].paragraph,
        "（二）关于“执法不规范”的问题。针对该问题，列入整改事项“规范执法文书”，目前处于“待交办”环节。"
    );
}
