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

// ---- Layouts of real published reports (texts written for these tests) ----

#[test]
fn a_one_line_page_body_is_split_structurally() {
    let e = run(
        "标题: 某某县某某局关于2022年法治工作情况暨2023年工作要点的报告\n\
        发布时间: 2023-03-31 10:09\n发布机构: 某某县某某局\n==================== 正文 ====================\n\
        当前位置： 首页政务公开 某某县某某局关于2022年法治工作情况的报告 时间：2023-03-31 10:09 微信 微博 QQ空间 \
        根据工作要求，现将我局有关工作情况总结如下：一、工作开展情况（一）加强组织领导一是成立领导小组，二是定期研究法治工作，全年召开会议4次。\
        二、存在问题在看到成绩的同时，我们也清醒地认识到一些问题依然存在：一是纠纷案件时有发生且处理难度较大；\
        二是执法监督不到位；三是理论学习的主动性需提高。 三、下一步工作计划（一）大力开展干部职工法治教育学习，增强依法行政的自觉性。（责任处室：各处室）\
        （二）巩固完善法治建设的基础性工作，健全配套制度。（责任处室：办公室） 来源：某某县某某局 附件下载",
    );
    assert_eq!(e.agency.as_deref(), Some("某某县某某局"));
    assert_eq!(e.report_year, Some(2022));
    assert_eq!(
        e.published_date.map(|d| d.to_string()).as_deref(),
        Some("2023-03-31")
    );
    assert_eq!(
        texts(&e.shortcomings),
        vec![
            "纠纷案件时有发生且处理难度较大",
            "执法监督不到位",
            "理论学习的主动性需提高。"
        ]
    );
    assert_eq!(
        texts(&e.commitments),
        vec![
            "大力开展干部职工法治教育学习，增强依法行政的自觉性。（责任处室：各处室）",
            "巩固完善法治建设的基础性工作，健全配套制度。（责任处室：办公室）"
        ]
    );
}

#[test]
fn pdf_text_is_joined_across_line_breaks_and_page_marks() {
    let text = "某某区人民政府\n2023 年政府信息公开工作年度报告\n\
        本报告由某某区人民政府办公室根据《中华人民共和国政府信息公开条\n例》要求编制。\n\
        一、总体情况\n2023 年，某某区人民政府坚持以习近平新时代中国特色社会主义思想\n为指导，推进政务公开。\n\
        -1-\n\u{c}\
        五、存在的主要问题及改进情况\n\
        2023 年，全区政府信息公开工作取得一定的成效，但对照上级要求，\n仍存在一定差距。如依申请公开工作规范性还有待提高、政务公开队伍\n建设有待加强等。针对存在问题，下一步，将切实抓好以下工作：一\n是扎实推进依申请公开工作，全面梳理和优化工作流程、健全工作机\n\
        -4-\n\n制。二是继续加强业务指导培训，不断提高工作人员的业务水平。\n\
        六、其他需要报告的事项\n全年收取信息处理费 0 元。\n-5-\n";
    let e = run(text);
    assert_eq!(e.agency.as_deref(), Some("某某区人民政府"));
    assert_eq!(e.report_year, Some(2023));
    assert_eq!(e.published_date, None, "a PDF bears no date");
    assert_eq!(
        texts(&e.shortcomings),
        vec!["依申请公开工作规范性还有待提高、政务公开队伍建设有待加强等。"]
    );
    assert_eq!(
        texts(&e.commitments),
        vec![
            "扎实推进依申请公开工作，全面梳理和优化工作流程、健全工作机制。",
            "继续加强业务指导培训，不断提高工作人员的业务水平。"
        ]
    );
    // The single problem answers every measure.
    assert_eq!(e.links.len(), 2);
    // Spans point at the original text, across the page mark.
    let span = e.commitments[0].span;
    assert!(text[span.0..span.1].contains("-4-"));
}

#[test]
fn a_combined_heading_with_sub_headings() {
    let e = run("某某区2021年度政府信息公开工作年度报告\n\
        一、总体情况\n2021年，我区扎实推进政务公开。\n\
        五、存在的主要问题及改进情况\n\
        （一）存在的主要问题:政策解读形式不够丰富，未能充分运用图表图解。政务公开渠道有限，难以满足群众需要。\n\
        （二）改进措施：一是丰富政策解读形式，提升解读质量。二是拓宽公开载体和渠道，发挥政务新媒体作用。\n\
        六、其他需要报告的事项\n无。\n");
    assert_eq!(
        texts(&e.shortcomings),
        vec!["政策解读形式不够丰富，未能充分运用图表图解。政务公开渠道有限，难以满足群众需要。"]
    );
    assert_eq!(e.commitments.len(), 2);
    assert!(e.previous_rectification.is_empty());
}

#[test]
fn examples_after_ru_are_cut_at_semicolons_and_misnumbered_lists_kept() {
    let e = run("某某区2024年度政府信息公开工作年度报告\n\
        五、存在的主要问题及改进情况\n\
        2024年，工作取得了新进展，但仍有不足，如工作机制有待完善；政策解读形式仍需创新；数字化手段运用还不够充分等。\
        2025年，将重点从以下方面做好改进：一是优化主动公开目录，提升规范化水平。三是增强政策解读效果，丰富解读形式。三是加快数字化转型，提升公开效率。\n\
        六、其他需要报告的事项\n");
    assert_eq!(
        texts(&e.shortcomings),
        vec![
            "工作机制有待完善",
            "政策解读形式仍需创新",
            "数字化手段运用还不够充分等。"
        ]
    );
    assert_eq!(e.commitments.len(), 3, "{:?}", texts(&e.commitments));
    assert!(e.commitments[2].text.starts_with("加快数字化转型"));
}

#[test]
fn a_government_work_report_reports_on_the_year_before() {
    let e = run(
        "标题: 政府工作报告（2019）\n发布时间: 2019-01-10 15:13\n==== 正文 ====\n\
        ——2019年1月8日在某某县第十七届人民代表大会第三次会议上 各位代表：现在，我代表某某县人民政府，向大会报告政府工作，请予审议。\
        一、2018年工作回顾一年来的主要工作和成效是：（一）精准发力，攻坚成效凸显。完成投资46亿元，城乡环境明显改观。\
        在总结成绩的同时，我们也清醒地看到，当前发展还存在不少困难和问题。主要是：经济总量小、综合实力弱；\
        新兴产业培育任务艰巨，大项目不多；营商环境还要进一步优化，等等。这些困难都是发展中的困难，一定能得到解决。\
        二、2019年工作安排重点抓好以下两个方面工作：（一）做强特色产业，培育经济发展新动能围绕产业发展要求，加快打造特色产业体系。\
        （二）做优行政服务，强化政府责任新担当坚持依法行政，优化营商环境。各位代表，让我们团结奋斗，再创佳绩！ 来源：某某县人民政府办公室",
    );
    assert_eq!(e.agency.as_deref(), Some("某某县人民政府"));
    assert_eq!(e.report_year, Some(2018));
    assert_eq!(
        e.published_date.map(|d| d.to_string()).as_deref(),
        Some("2019-01-08")
    );
    assert_eq!(
        texts(&e.shortcomings),
        vec![
            "经济总量小、综合实力弱",
            "新兴产业培育任务艰巨，大项目不多",
            "营商环境还要进一步优化，等等。"
        ]
    );
    assert_eq!(
        texts(&e.commitments),
        vec![
            "做强特色产业，培育经济发展新动能围绕产业发展要求，加快打造特色产业体系。",
            "做优行政服务，强化政府责任新担当坚持依法行政，优化营商环境。"
        ]
    );
}

#[test]
fn nested_lists_stay_inside_their_item_and_general_paragraphs_are_left_out() {
    let e = run("某某局2022年工作总结及2023年工作计划\n\
        二、存在问题\n回顾今年以来的工作，仍然存在一些问题和不足。一是党建引领作用发挥不够充分。二是运行机制还不够顺畅。\n\
        三、2023年工作计划（一）总体目标以效率优先为原则，推出一批改革举措。（二）总体思路以新思想为指导，稳中求进。\
        （三）重点工作1.党建引领，塑造审批系统文化。一是建好支部，二是打造品牌。2.优化机制，加大整合融合力度。一是固化扁平化管理模式。\n");
    assert_eq!(e.shortcomings.len(), 2);
    assert_eq!(
        texts(&e.commitments),
        vec![
            "党建引领，塑造审批系统文化。一是建好支部，二是打造品牌。",
            "优化机制，加大整合融合力度。一是固化扁平化管理模式。"
        ]
    );
}

#[test]
fn a_date_in_chinese_numerals_ends_the_report_and_dates_it() {
    let e = run(
        "标题: 某某县人民政府2011年政府信息公开工作年度报告\n发布时间: 2012-04-18 00:00\n==== 正文 ====\n\
        某某县人民政府2011年政府信息公开工作年度报告 本报告根据《条例》编制，现公布2011年度政府信息公开年度报告。\
        四、政府信息公开工作存在的主要问题及改进情况目前，我县仍存在一些不足。一是信息公开规范程度参差不齐；二是宣传力度还不够。\
        因此，我们考虑从以下两个方面作进一步的改进：（一）深化政府信息公开内容。凡涉及群众切身利益的信息都要主动公开。\
        （二）进一步规范政府信息公开行为1、加强培训指导工作，提升整体水平。2、做好信息巡查工作，抓落实、促整改。 \
        二○一二年二月二十日 附件1：某某县人民政府2011年政府信息公开情况统计表 指标名称计量单位2011年度主动公开信息数条4251516",
    );
    assert_eq!(
        e.published_date.map(|d| d.to_string()).as_deref(),
        Some("2012-02-20")
    );
    assert_eq!(e.agency.as_deref(), Some("某某县人民政府"));
    assert_eq!(e.shortcomings.len(), 2);
    assert_eq!(e.commitments.len(), 2);
    assert!(e.commitments[1].text.ends_with("抓落实、促整改。"));
}

#[test]
fn a_sentence_saying_what_follows_is_never_the_title() {
    let e = run("根据上级通知要求，现将我局2024年度工作情况报告如下：\n\
        一、主要工作\n2024年，我局扎实推进各项工作。\n某某市某某局\n2025年1月6日\n");
    assert_ne!(
        e.title.as_deref(),
        Some("根据上级通知要求，现将我局2024年度工作情况报告如下：")
    );
    assert_eq!(e.agency.as_deref(), Some("某某市某某局"));
}

#[test]
fn achievements_enumerations_are_not_shortcomings() {
    let e = run(
        "某某局2024年工作总结\n一、主要成效\n（一）解决了一批问题。一是整治不担当问题，二是破解堵点难点问题。\n\
        二、存在的不足\n一是人员力量不足。二是经费保障不够。\n",
    );
    assert_eq!(
        texts(&e.shortcomings),
        vec!["人员力量不足。", "经费保障不够。"]
    );
}

// ---- Review when unsure ----

#[test]
fn without_a_problems_section_the_candidates_are_pointed_out() {
    let text = "某某局2024年工作总结\n一、主要工作\n全年完成各项任务，群众满意度持续提高。\n\
        部分窗口服务效率有待提高，线上办理率仍需提升。\n二、2025年工作计划\n（一）优化窗口服务。（二）提升线上办理率。\n";
    let e = run(text);
    assert!(e.shortcomings.is_empty());
    let w = e
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::NoShortcomingsSection)
        .expect("a warning");
    assert!(!w.spans.is_empty());
    let (a, b) = w.spans[0];
    assert!(text[a..b].contains("有待提高"), "{}", &text[a..b]);
}

#[test]
fn items_and_sections_carry_confidence_and_the_json_shows_it() {
    let e = run(
        "三、存在的问题\n一是学习不够深入。\n二是制度执行不严。\n四、下一步打算\n一是深化学习。\n二是严格执行制度。\n",
    );
    assert!(
        e.shortcomings
            .iter()
            .chain(&e.commitments)
            .all(|i| (0.0..=1.0).contains(&i.confidence) && i.confidence >= 0.6)
    );
    assert_eq!(e.sections.len(), 2);
    let json = serde_json::to_value(e.to_json()).unwrap();
    assert_eq!(
        json["confidence"]["shortcomings"].as_array().unwrap().len(),
        2
    );
    assert_eq!(json["sections"][0]["class"], "shortcomings");
    assert!(json["sections"][0]["span"].is_array());
}

#[test]
fn cues_can_be_replaced_to_teach_a_heading() {
    let text = "某某局2024年工作总结\n一、主要工作\n全年完成各项任务。\n二、工作中的毛病\n一是学习不深。二是宣传不够。\n";
    let report = ReportText::parse(text.as_bytes()).unwrap();
    assert!(rectify_extract::extract(&report).shortcomings.is_empty());
    let cues = rectify_extract::Cues::from_toml(
        "[headings]\nproblem_words = [\"问题\", \"不足\", \"毛病\"]\nproblem_endings = [\"毛病\"]\n",
    )
    .unwrap();
    let e = rectify_extract::extract_with(&report, &cues);
    assert_eq!(texts(&e.shortcomings), vec!["学习不深。", "宣传不够。"]);
    assert!(rectify_extract::Cues::from_toml("[headings]\nunknown = []").is_err());
}

#[test]
fn problems_given_as_examples_inside_a_closing_paragraph() {
    let e = run("某某局2022年工作总结及2023年工作思路\n\
        一、2022年工作总结\n（一）强化风险防控。全年偿还到期债务22.93亿元。\n\
        尽管今年工作取得了一定成绩，但仍有阶段性困难和挑战需纳入重点关注，如可用财力形势严峻、各类资金难以及时兑现、闲置资产盘活进展较慢等。\
        下一步，我局将认真贯彻落实上级部署，采取有效措施，确保工作平稳运行。\n\
        二、2023年重点工作计划\n（一）抓紧抓实财源建设，促进收入可持续增长。\n（二）科学优化支出结构，提高保障能力。\n");
    assert_eq!(
        texts(&e.shortcomings),
        vec!["可用财力形势严峻、各类资金难以及时兑现、闲置资产盘活进展较慢等。"]
    );
    assert_eq!(e.commitments.len(), 2, "{:?}", texts(&e.commitments));
}

#[test]
fn an_achievement_heading_that_names_a_weakness_is_not_a_problems_section() {
    let e = run("某某片区2022年工作总结及2023年工作思路\n\
        一、2022年工作总结（一）打基础、激活力，持续夯实党建根基。举办活动60余场。\
        （三）补短板，强弱项，持续增进民生福祉。完成28个老旧小区改造，超额完成年度目标任务。\
        二、2023年工作思路（一）加强党建品牌打造，推动党建提质升级。（二）加强重大项目落地实施，推动高质量发展。\n");
    assert!(e.shortcomings.is_empty(), "{:?}", texts(&e.shortcomings));
    assert_eq!(e.commitments.len(), 2);
}

#[test]
fn a_short_label_turns_to_the_measures() {
    let e = run("某某区2025年度政府信息公开工作年度报告\n\
        五、存在的主要问题及改进情况2025年，我区政府信息公开工作取得了一定成绩，但仍存在一些不足，如：政务公开队伍建设有待进一步加强；\
        依申请公开答复质量待进一步提升；平台互动功能仍有不足。下一步整改措施：一是强化政务公开队伍建设，加强业务指导和培训。\
        二是提升依申请公开答复质量，健全纠错整改机制。三是优化平台互动模块设计，完善智能问答知识库。六、其他需要报告的事项2025年，无收取信息处理费情况。\n");
    assert_eq!(
        texts(&e.shortcomings),
        vec![
            "政务公开队伍建设有待进一步加强",
            "依申请公开答复质量待进一步提升",
            "平台互动功能仍有不足。"
        ]
    );
    assert_eq!(e.commitments.len(), 3, "{:?}", texts(&e.commitments));
}

#[test]
fn a_semicolon_list_right_after_a_sub_heading_with_a_colon() {
    let e = run("某某区2020年度政府信息公开工作年度报告\n\
        五、存在的主要问题及改进情况\n\
        （一）存在的主要问题:基层政务公开标准化水平有待进一步提升；各部门工作的开展还不够均衡；少数政务新媒体互动效果有待加强。\n\
        （二）改进措施：一是持续贯彻条例，提升工作质量。二是加强日常管理，推进标准化工作。\n\
        六、其他需要报告的事项 无其他需要报告的事项\n");
    assert_eq!(
        texts(&e.shortcomings),
        vec![
            "基层政务公开标准化水平有待进一步提升",
            "各部门工作的开展还不够均衡",
            "少数政务新媒体互动效果有待加强。"
        ]
    );
    assert_eq!(e.commitments.len(), 2);
}
