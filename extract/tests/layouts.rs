//! Whole reports in each layout the genre uses, written for these tests (not the seeds).

use rectify_extract::{Period, ReportKind, ReportText, WarningCode, extract};

fn run(text: &str) -> rectify_extract::Extraction {
    extract(&ReportText::parse(text.as_bytes()).expect("valid text"))
}

fn texts(items: &[rectify_extract::Item]) -> Vec<&str> {
    items.iter().map(|i| i.text.as_str()).collect()
}

#[test]
fn headed_sections_with_paragraph_items() {
    let e = run("某某县司法局2025年法治政府建设年度报告\n\
        2025年，我局坚持依法行政，现将有关情况报告如下：\n\
        一、主要举措和成效\n\
        （一）加强学习。一是集中学法，二是专题培训，全年组织学习12次。\n\
        二、存在的不足和原因\n\
        虽然取得一定成效，但仍存在以下不足：\n\
        （一）普法宣传形式单一，针对性和实效性不强。\n\
        （二）行政执法人员专业能力不足，培训覆盖面窄。\n\
        三、2026年工作计划\n\
        （一）创新普法宣传形式。运用新媒体开展精准普法，增强针对性。\n\
        （二）加强执法队伍建设。开展执法人员专业培训，提升执法能力。\n\
        某某县司法局\n\
        2026年1月20日\n");
    assert_eq!(e.agency.as_deref(), Some("某某县司法局"));
    assert_eq!(e.report_year, Some(2025));
    assert_eq!(e.period, Period::Annual);
    assert_eq!(e.kind, ReportKind::RuleOfLawAnnualReport);
    assert_eq!(
        e.published_date.map(|d| d.to_string()).as_deref(),
        Some("2026-01-20")
    );
    assert_eq!(
        texts(&e.shortcomings),
        vec![
            "普法宣传形式单一，针对性和实效性不强。",
            "行政执法人员专业能力不足，培训覆盖面窄。"
        ]
    );
    assert_eq!(e.commitments.len(), 2, "{:?}", e.commitments);
    assert!(e.commitments[1].text.starts_with("加强执法队伍建设。"));
    let pairs: Vec<(usize, usize)> = e
        .links
        .iter()
        .map(|l| (l.shortcoming, l.commitment))
        .collect();
    assert!(
        pairs.contains(&(0, 0)) && pairs.contains(&(1, 1)),
        "{pairs:?}"
    );
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn inline_lists_without_headings() {
    let e = run("2025年，我局扎实推进法治政府建设。\n\
        今年工作取得一定成绩，也存在以下短板。一是制度执行刚性不强。二是普法精准度不足，形式单一。\n\
        2026年，我局将继续努力，一是强化制度执行，严格落实各项制度。二是开展精准普法，丰富普法形式。\n\
        某某市某某局\n2026年2月9日\n");
    assert_eq!(
        texts(&e.shortcomings),
        vec!["制度执行刚性不强。", "普法精准度不足，形式单一。"]
    );
    assert_eq!(
        texts(&e.commitments),
        vec![
            "强化制度执行，严格落实各项制度。",
            "开展精准普法，丰富普法形式。"
        ]
    );
}

#[test]
fn spans_point_at_the_item_text() {
    let text = "三、存在的问题\n主要问题：学法制度不够完善；执法队伍建设需加强。\n四、下一步打算\n1.完善学法制度，定期学法。\n2.加强执法队伍培训，提升能力。\n";
    let e = run(text);
    assert_eq!(
        texts(&e.shortcomings),
        vec!["学法制度不够完善", "执法队伍建设需加强。"]
    );
    assert_eq!(
        texts(&e.commitments),
        vec!["完善学法制度，定期学法。", "加强执法队伍培训，提升能力。"]
    );
    for item in e.shortcomings.iter().chain(&e.commitments) {
        assert_eq!(&text[item.span.0..item.span.1], item.text);
    }
}

#[test]
fn previous_rectification_is_its_own_list() {
    let e = run("某某区某某局2025年法治政府建设年度报告\n\
        一、主要成效\n\
        （一）加强学习，提高法治意识。\n\
        （二）2024年度存在问题整改情况\n\
        针对上年度问题，我局加强整改，一是强化理论学习，组织专题学法。二是完善制度，修订工作规则。\n\
        二、存在的问题\n一是学习不够深入，方式单一。\n二是制度执行不严，监督不够。\n\
        三、下一年度工作安排\n（一）深化学习，创新学习方式。\n（二）严格执行制度，加强监督。\n");
    assert_eq!(
        texts(&e.previous_rectification),
        vec!["强化理论学习，组织专题学法。", "完善制度，修订工作规则。"]
    );
    assert_eq!(e.shortcomings.len(), 2);
    assert_eq!(e.commitments.len(), 2);
}

#[test]
fn a_half_year_summary_without_shortcomings_says_so() {
    let e = run(
        "首页 > 政务公开\n某某市机关事务管理局2025年上半年工作总结和下半年工作思路\n发布时间:2025-07-08 10:29\n\
        一、上半年工作总结\n（一）资产管理提质增效。一是盘活办公用房，二是规范公务用车。\n\
        二、下半年工作思路\n（一）以改革创新为动力，推进数字化改革，完成项目验收。\n（二）以服务保障为根本，提升会议保障质效。\n",
    );
    assert!(e.shortcomings.is_empty());
    assert_eq!(e.commitments.len(), 2);
    assert_eq!(e.period, Period::FirstHalf);
    assert_eq!(e.kind, ReportKind::WorkSummary);
    assert!(
        e.warnings
            .iter()
            .any(|w| w.code == WarningCode::NoShortcomingsSection)
    );
}

#[test]
fn english_or_shapeless_text_gives_warnings_not_items() {
    let e = run(
        "This is the annual report of an agency. We did many things. Problems remain: first, training.",
    );
    assert!(e.shortcomings.is_empty() && e.commitments.is_empty());
    assert!(e.warnings.iter().any(|w| w.code == WarningCode::NotChinese));
    let e = run("今天天气很好，我们去公园散步。");
    assert!(e.shortcomings.is_empty() && e.commitments.is_empty());
    assert!(
        e.warnings
            .iter()
            .any(|w| w.code == WarningCode::NoShortcomingsSection)
    );
}

#[test]
fn pathological_inputs_stay_fast() {
    let many = "一是".repeat(20_000);
    let start = std::time::Instant::now();
    let _ = run(&format!("二、存在的问题\n存在以下问题：{many}"));
    let line = "存在问题，".repeat(50_000);
    let _ = run(&line);
    let lines = "（一）存在的问题\n".repeat(10_000);
    let _ = run(&lines);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
