//! The next report's "上年度存在问题整改情况" section through the real API: after a
//! realistic workflow (import, split, assign, accept, evidence, submit, verify), as GraphQL,
//! Markdown and a DOCX download; who may read it; and how the next year's imported report
//! covers it.

use std::io::Read;

use rectify::domain::AccountRole;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{ASSIGN, Cast, NOTE, TRANSITION, act, assign, cast, upload, version},
};

const SECTION: &str = "query($a: ID!, $y: Int!) { rectificationSection(agencyId: $a, year: $y) {
    agencyName year asOf title summary markdown docxPath
    report { year } nextReport { year }
    counts { shortcomings items rectified inProgress longTerm awaitingVerification cancelled completionRate }
    shortcomings { position numeral text heading paragraph accountedFor nextReportMentions { text score }
      items { itemId state stateLabel standing measures dueOn completedOn overdue
        evidence { kind name sha256 citation downloadPath } } }
    coverage { nextYear accountedFor total ratio unmatched { text } }
} }";

const REPORT_2025: &str = "某市司法局2025年法治政府建设年度报告
一、2025年推进法治政府建设的主要举措
（一）深化行政执法规范化建设。全年开展执法案卷评查两次。
二、存在的不足和原因
一是行政执法人员专业素质有待提升，执法案卷质量参差不齐。
二是法治宣传教育的针对性不强，普法形式较为单一。
三是重大行政决策合法性审查机制不够健全。
三、2026年推进法治政府建设的主要安排
（一）加强行政执法队伍建设，开展执法人员专业培训和案卷评查。
（二）创新普法宣传形式，提升法治宣传教育针对性。
某市司法局
2026年1月20日";

const REPORT_2024: &str = "某某县司法局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次，覆盖干部职工200余人次。\n\
二、存在的不足\n一是普法宣传形式单一，针对性和实效性不强。\n二是行政执法人员专业能力不足，执法培训覆盖面窄。\n\
三、2025年工作计划\n（一）创新普法宣传形式。运用新媒体开展精准普法，增强针对性。\n（二）加强执法队伍建设。开展执法人员专业培训，提升执法能力。\n\
某某县司法局\n2025年1月20日\n";

const NEXT_2025: &str = "某某县司法局2025年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法15次。\n\
（二）2024年度存在问题整改情况\n针对上年度存在的问题，我局加强整改，一是创新普法宣传形式，运用新媒体开展精准普法，增强普法针对性和实效性。二是完善学习制度，修订理论学习中心组学法规则。\n\
二、存在的问题\n一是普法宣传形式仍较单一，针对性和实效性有待增强。\n二是重大行政决策合法性审查机制不够健全。\n\
三、2026年工作计划\n（一）深化精准普法，创新普法宣传方式。\n（二）健全重大行政决策合法性审查机制。\n\
某某县司法局\n2026年1月18日\n";

const IMPORT: &str =
    "mutation($t: String!, $a: ID) { importReport(input: { text: $t, agencyId: $a }) {
    agency { id } shortcomings { item { id } } } }";

/// Imports `text` (for `agency` when given) and returns the agency and the items' ids.
async fn import(app: &TestApp, text: &str, agency: Option<&str>) -> (String, Vec<String>) {
    let r = app.ok(IMPORT, json!({ "t": text, "a": agency })).await["importReport"].clone();
    let items = r["shortcomings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["item"]["id"].as_str().unwrap().to_owned())
        .collect();
    (r["agency"]["id"].as_str().unwrap().to_owned(), items)
}

fn cn_date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// A 2025 report for the cast's department, worked on: the first shortcoming's item closed
/// with a file, the second split into a long-term part and a part in progress with a note,
/// the third untouched. Returns the uploaded file's SHA-256.
async fn worked_report(app: &TestApp, c: &Cast) -> String {
    let (_, items) = import(app, REPORT_2025, Some(&c.dept)).await;
    assert_eq!(items.len(), 3);

    // 1: assigned, accepted with measures, a file, submitted, verified.
    let first = &items[0];
    assign(app, c, first, "2026-12-31").await;
    let measures = "制定执法人员培训计划。开展案卷评查专项行动";
    assert_eq!(
        act(
            app,
            &c.leader_token,
            first,
            "accept",
            json!({ "measures": measures })
        )
        .await,
        "OK"
    );
    let pdf = b"%PDF-1.4\n% 2026 training report\n%%EOF\n".to_vec();
    let uploaded = upload(app, &c.responsible_token, first, "执法培训总结.pdf", pdf).await;
    let sha = uploaded["data"]["addEvidence"]["sha256"]
        .as_str()
        .unwrap_or_else(|| panic!("uploaded: {uploaded:#}"))
        .to_owned();
    assert_eq!(
        act(app, &c.responsible_token, first, "submit", json!({})).await,
        "OK"
    );
    assert_eq!(
        act(
            app,
            &c.supervisor,
            first,
            "verify",
            json!({ "outcome": "RECTIFIED" })
        )
        .await,
        "OK"
    );

    // 2: split in two; one long-term, one in progress with a note.
    let v = version(app, &items[1]).await;
    let split = app
        .ok(
            "mutation($id: ID!, $v: Int!) { splitItem(id: $id, titles: [\"建立常态化普法机制\", \"编印普法读本\"], expectedVersion: $v) { id } }",
            json!({ "id": items[1], "v": v }),
        )
        .await;
    let parts: Vec<String> = split["splitItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    app.ok_as(
        &c.coordinator,
        ASSIGN,
        json!({ "id": parts[0], "v": version(app, &parts[0]).await, "input": {
            "leadPersonId": c.leader, "responsiblePersonId": c.responsible,
            "dueOn": "2027-06-30", "category": "LONG_TERM" } }),
    )
    .await;
    app.ok_as(
        &c.leader_token,
        TRANSITION,
        json!({ "id": parts[0], "action": "accept", "measures": "建立常态化普法机制",
                "v": version(app, &parts[0]).await }),
    )
    .await;
    assign(app, c, &parts[1], "2026-03-31").await;
    app.ok_as(
        &c.leader_token,
        TRANSITION,
        json!({ "id": parts[1], "action": "accept", "measures": "编印普法读本两册",
                "v": version(app, &parts[1]).await }),
    )
    .await;
    app.ok_as(&c.responsible_token, NOTE, json!({ "id": parts[1] }))
        .await;
    sha
}

store_test!(
    the_section_reports_states_dates_measures_and_evidence_after_a_real_workflow,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let sha = worked_report(&app, &c).await;
        let today = cn_date(app.services.today());

        let data = app
            .ok_as(&c.coordinator, SECTION, json!({ "a": c.dept, "y": 2025 }))
            .await;
        let s = &data["rectificationSection"];
        assert_eq!(s["agencyName"], "某市司法局");
        assert_eq!(s["title"], "2025年度存在问题整改情况");
        assert_eq!(s["report"]["year"], 2025);
        assert_eq!(s["nextReport"], Value::Null);
        assert_eq!(s["coverage"], Value::Null);
        assert_eq!(
            s["summary"],
            json!(format!(
                "2025年度报告查摆问题3个，分解整改事项4项。截至{today}，已完成整改（销号）1项，正在整改2项，长期坚持1项。"
            ))
        );
        assert_eq!(s["counts"]["items"], 4);
        assert_eq!(s["counts"]["rectified"], 1);
        assert_eq!(s["counts"]["completionRate"], 0.25);

        let first = &s["shortcomings"][0];
        assert_eq!(first["numeral"], "一");
        assert_eq!(
            first["heading"],
            "（一）关于“行政执法人员专业素质有待提升，执法案卷质量参差不齐”的问题。"
        );
        let expected = format!(
            "（一）关于“行政执法人员专业素质有待提升，执法案卷质量参差不齐”的问题。针对该问题，制定执法人员培训计划，开展案卷评查专项行动，已于{today}完成整改并销号（整改时限为2026年12月31日），佐证材料为《执法培训总结》（{today}，SHA-256前12位：{}）。",
            &sha[..12]
        );
        assert_eq!(first["paragraph"], json!(expected));
        let item = &first["items"][0];
        assert_eq!(item["state"], "closed");
        assert_eq!(item["stateLabel"], "已销号");
        assert_eq!(item["standing"], "RECTIFIED");
        assert_eq!(item["completedOn"], json!(app.services.today().to_string()));
        assert_eq!(item["evidence"][0]["sha256"], json!(sha));
        assert_eq!(item["evidence"][0]["name"], "执法培训总结.pdf");
        assert!(
            item["evidence"][0]["downloadPath"]
                .as_str()
                .unwrap()
                .starts_with("/evidence/")
        );

        // The split shortcoming: its two parts, not the container.
        let second = &s["shortcomings"][1];
        assert_eq!(second["items"].as_array().unwrap().len(), 2);
        let p = second["paragraph"].as_str().unwrap();
        assert!(p.starts_with("（二）关于“法治宣传教育的针对性不强，普法形式较为单一”的问题。该问题分解为2项整改事项：一是建立常态化普法机制，作为长期坚持事项持续推进，阶段时限为2027年6月30日；二是编印普法读本两册，目前正在整改，整改时限为2026年3月31日"), "{p}");
        assert!(p.contains("佐证材料为文字说明（"), "{p}");
        assert!(
            !p.contains("《说明》") && !p.contains("SHA-256前12位："),
            "a note is no document and has no digest: {p}"
        );
        let overdue = app.services.today() > chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(p.contains("已超过整改时限"), overdue, "{p}");
        assert_eq!(second["items"][1]["overdue"], json!(overdue));

        // Untouched: still waiting to be assigned, and said so.
        let third = &s["shortcomings"][2];
        assert_eq!(
            third["paragraph"],
            "（三）关于“重大行政决策合法性审查机制不够健全”的问题。针对该问题，已列入整改台账，目前处于“待交办”环节。"
        );

        // Markdown: a heading, the summary, each paragraph.
        let md = s["markdown"].as_str().unwrap();
        assert!(
            md.starts_with("## 某市司法局2025年度存在问题整改情况\n\n"),
            "{md}"
        );
        assert!(md.contains(s["summary"].as_str().unwrap()));
        for sh in s["shortcomings"].as_array().unwrap() {
            assert!(md.contains(sh["paragraph"].as_str().unwrap()), "{md}");
        }
        assert_eq!(
            s["docxPath"],
            json!(format!("/reports/section.docx?agency={}&year=2025", c.dept))
        );

        // A supervisor above the agency reads the same section.
        let by_supervisor = app
            .ok_as(&c.supervisor, SECTION, json!({ "a": c.dept, "y": 2025 }))
            .await;
        assert_eq!(
            by_supervisor["rectificationSection"]["summary"],
            s["summary"]
        );
    }
);

store_test!(
    the_section_downloads_as_a_word_document_for_those_who_may_read_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let sha = worked_report(&app, &c).await;
        let path = format!("/reports/section.docx?agency={}&year=2025", c.dept);

        let response = client_with(Some(&c.coordinator))
            .get(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        let encoded: String = "某市司法局2025年度存在问题整改情况.docx"
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        assert!(
            disposition.contains(&format!("filename*=UTF-8''{encoded}")),
            "{disposition}"
        );
        let bytes = response.bytes().await.unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec()))
            .expect("a DOCX is a zip package");
        for part in ["[Content_Types].xml", "_rels/.rels", "word/styles.xml"] {
            assert!(zip.by_name(part).is_ok(), "{part} is in the package");
        }
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .expect("the main part")
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("某市司法局2025年度存在问题整改情况"), "{xml}");
        assert!(
            xml.contains("2025年度报告查摆问题3个，分解整改事项4项。"),
            "{xml}"
        );
        assert!(
            xml.contains("（一）关于“行政执法人员专业素质有待提升"),
            "{xml}"
        );
        assert!(
            xml.contains(&format!("SHA-256前12位：{}", &sha[..12])),
            "{xml}"
        );
        assert!(
            xml.contains("w:eastAsia") || xml.contains("w:rStyle"),
            "styled runs"
        );
        package_is_dressed_as_an_official_document(&bytes);

        // Outsiders and unsigned callers get nothing; neither do leaders.
        let status = |token: Option<String>, path: String| {
            let app = &app;
            async move {
                client_with(token.as_deref())
                    .get(app.url(&path))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(
            status(Some(c.other_coordinator.clone()), path.clone()).await,
            403
        );
        assert_eq!(
            status(Some(c.other_supervisor.clone()), path.clone()).await,
            403
        );
        assert_eq!(
            status(Some(c.leader_token.clone()), path.clone()).await,
            403
        );
        assert_eq!(status(None, path.clone()).await, 401);
        assert_eq!(status(Some(c.supervisor.clone()), path.clone()).await, 200);
        assert_eq!(
            status(
                Some(c.coordinator.clone()),
                format!("/reports/section.docx?agency={}&year=2024", c.dept)
            )
            .await,
            404
        );
        assert_eq!(
            status(
                Some(c.coordinator.clone()),
                "/reports/section.docx?agency=x&year=2025".into()
            )
            .await,
            400
        );
    }
);

store_test!(
    only_those_reaching_the_agency_read_its_section_and_a_missing_report_is_not_found,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        import(&app, REPORT_2025, Some(&c.dept)).await;
        let vars = json!({ "a": c.dept, "y": 2025 });
        for (who, token) in [
            (
                "supervisor of another city",
                Some(c.other_supervisor.as_str()),
            ),
            (
                "coordinator of another city",
                Some(c.other_coordinator.as_str()),
            ),
            ("leader in the agency", Some(c.leader_token.as_str())),
            ("person in the agency", Some(c.responsible_token.as_str())),
        ] {
            let r = app.graphql_as(token, SECTION, vars.clone()).await;
            assert_eq!(
                r["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{who}: {r:#}"
            );
            assert_eq!(r["data"], Value::Null, "{who} sees nothing");
        }
        assert_eq!(
            app.code_as(None, SECTION, vars.clone()).await,
            "UNAUTHENTICATED"
        );
        assert_eq!(
            app.code_as(Some(&c.supervisor), SECTION, vars.clone())
                .await,
            "OK"
        );

        // No 2024 report for this agency: NOT_FOUND, naming what is missing.
        let missing = app
            .graphql_as(
                Some(&c.coordinator),
                SECTION,
                json!({ "a": c.dept, "y": 2024 }),
            )
            .await;
        assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");
        let message = missing["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("某市司法局") && message.contains("2024"),
            "{message}"
        );

        // An agency with no report at all, a bad id, an implausible year.
        let empty = app.create_agency("某市统计局", Some(&c.city)).await;
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                SECTION,
                json!({ "a": empty, "y": 2025 })
            )
            .await,
            "NOT_FOUND"
        );
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                SECTION,
                json!({ "a": "nope", "y": 2025 })
            )
            .await,
            "VALIDATION"
        );
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                SECTION,
                json!({ "a": c.dept, "y": 12025 })
            )
            .await,
            "VALIDATION"
        );
    }
);

/// The 2024 section's coverage once the 2025 report is in, whichever was imported first.
async fn coverage_2024(app: &TestApp, agency: &str) -> Value {
    let token = app
        .token_for(AccountRole::Coordinator, Some(agency), None)
        .await;
    let data = app
        .ok_as(&token, SECTION, json!({ "a": agency, "y": 2024 }))
        .await;
    data["rectificationSection"].clone()
}

fn assert_covers_the_first_shortcoming_only(s: &Value) {
    assert_eq!(s["nextReport"]["year"], 2025);
    let cov = &s["coverage"];
    assert_eq!(cov["nextYear"], 2025);
    assert_eq!(
        (cov["accountedFor"].as_i64(), cov["total"].as_i64()),
        (Some(1), Some(2)),
        "{cov:#}"
    );
    assert_eq!(cov["ratio"], 0.5);
    assert_eq!(
        cov["unmatched"][0]["text"],
        "完善学习制度，修订理论学习中心组学法规则。"
    );
    let first = &s["shortcomings"][0];
    assert_eq!(first["accountedFor"], true);
    assert_eq!(
        first["nextReportMentions"][0]["text"],
        "创新普法宣传形式，运用新媒体开展精准普法，增强普法针对性和实效性。"
    );
    assert!(first["nextReportMentions"][0]["score"].as_f64().unwrap() > 0.0);
    assert_eq!(s["shortcomings"][1]["accountedFor"], false);
    // The comparison reviews the draft; it is not pasted into it.
    assert!(
        !s["markdown"]
            .as_str()
            .unwrap()
            .contains("新媒体开展精准普法")
    );
}

store_test!(
    the_next_years_imported_report_is_compared_with_the_section,
    |backend| async move {
        let app = spawn_app(backend).await;
        let (agency, _) = import(&app, REPORT_2024, None).await;
        let before = coverage_2024(&app, &agency).await;
        assert_eq!(before["coverage"], Value::Null, "no 2025 report yet");
        assert_eq!(before["shortcomings"][0]["accountedFor"], Value::Null);

        import(&app, NEXT_2025, None).await;
        assert_covers_the_first_shortcoming_only(&coverage_2024(&app, &agency).await);

        // The 2025 section has no 2026 report to compare with.
        let token = app
            .token_for(AccountRole::Coordinator, Some(&agency), None)
            .await;
        let later = app
            .ok_as(&token, SECTION, json!({ "a": agency, "y": 2025 }))
            .await;
        assert_eq!(later["rectificationSection"]["coverage"], Value::Null);
        assert_eq!(later["rectificationSection"]["counts"]["shortcomings"], 2);

        // Imported the other way round, the match is made when the section is read.
        let app = spawn_app(backend).await;
        let (agency, _) = import(&app, NEXT_2025, None).await;
        import(&app, REPORT_2024, None).await;
        assert_covers_the_first_shortcoming_only(&coverage_2024(&app, &agency).await);
    }
);

/// The DOCX's parts read back with an XML parser: the footer's page number (— PAGE —)
/// referenced from the section, and the core properties (title, agency, date).
fn package_is_dressed_as_an_official_document(bytes: &[u8]) {
    use crate::xml_parts::{elements, named, part, text_of};
    let document = elements(&part(bytes, "word/document.xml"));
    let footer_ref = named(&document, "w:footerReference");
    assert_eq!(footer_ref.len(), 1);
    assert_eq!(footer_ref[0].attr("w:type"), Some("default"));
    let rid = footer_ref[0].attr("r:id").unwrap();
    let rels = elements(&part(bytes, "word/_rels/document.xml.rels"));
    let target = named(&rels, "Relationship")
        .into_iter()
        .find(|r| r.attr("Id") == Some(rid))
        .and_then(|r| r.attr("Target"))
        .expect("the footer's relationship")
        .to_owned();
    let footer = elements(&part(bytes, &format!("word/{target}")));
    let field = named(&footer, "w:fldSimple");
    assert_eq!(field.len(), 1);
    assert_eq!(field[0].attr("w:instr").map(str::trim), Some("PAGE"));
    let shown: String = named(&footer, "w:t")
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(shown, "— 1 —");
    let types = elements(&part(bytes, "[Content_Types].xml"));
    for (name, kind) in [
        ("/word/footer1.xml", "footer+xml"),
        ("/docProps/core.xml", "core-properties+xml"),
        ("/docProps/app.xml", "extended-properties+xml"),
    ] {
        assert!(
            named(&types, "Override")
                .iter()
                .any(|o| o.attr("PartName") == Some(name)
                    && o.attr("ContentType").is_some_and(|c| c.ends_with(kind))),
            "{name} is typed"
        );
    }
    let core = elements(&part(bytes, "docProps/core.xml"));
    assert_eq!(
        text_of(&core, "dc:title"),
        "某市司法局2025年度存在问题整改情况"
    );
    assert_eq!(text_of(&core, "dc:creator"), "某市司法局");
    let created = text_of(&core, "dcterms:created");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&created).is_ok(),
        "{created}"
    );
    let app = elements(&part(bytes, "docProps/app.xml"));
    assert_eq!(text_of(&app, "Company"), "某市司法局");
}
