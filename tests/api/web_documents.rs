//! 报告与台账 in a real browser and over plain HTTP, on both stores: the ledger's round trip
//! through the page (download, edit, upload, the dry run's table of changes and
//! rejections, apply), the report section previewed and downloaded as a DOCX that
//! python-docx opens, the next report's coverage, the audit check locating a tampered
//! event, the head digests, the 考核 XLSX and the 屡查屡犯 queue.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use fantoccini::Locator;
use rectify::domain::AccountRole;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    web_support::*,
    workflow::{Cast, assign, cast, new_item},
};

/// The 2024 report of the cast's department: two shortcomings.
const REPORT_2024: &str = "某市司法局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次，覆盖干部职工200余人次。\n\
二、存在的不足\n一是普法宣传形式单一，针对性和实效性不强。\n二是行政执法人员专业能力不足，执法培训覆盖面窄。\n\
三、2025年工作计划\n（一）创新普法宣传形式。运用新媒体开展精准普法，增强针对性。\n（二）加强执法队伍建设。开展执法人员专业培训，提升执法能力。\n\
某市司法局\n2025年1月20日\n";

/// The 2025 report: it accounts for the first 2024 shortcoming only, and repeats it.
const REPORT_2025: &str = "某市司法局2025年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法15次。\n\
（二）2024年度存在问题整改情况\n针对上年度存在的问题，我局加强整改，一是创新普法宣传形式，运用新媒体开展精准普法，增强普法针对性和实效性。二是完善学习制度，修订理论学习中心组学法规则。\n\
二、存在的问题\n一是普法宣传形式仍较单一，针对性和实效性有待增强。\n二是重大行政决策合法性审查机制不够健全。\n\
三、2026年工作计划\n（一）深化精准普法，创新普法宣传方式。\n（二）健全重大行政决策合法性审查机制。\n\
某市司法局\n2026年1月18日\n";

const IMPORT: &str =
    "mutation($t: String!, $a: ID) { importReport(input: { text: $t, agencyId: $a }) {
    shortcomings { item { id } } } }";

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// A page or file fetched with a session cookie: status, content type, bytes.
async fn fetch(app: &TestApp, cookie: &str, path: &str) -> (u16, String, Vec<u8>) {
    let r = plain_client()
        .get(app.url(&path.replace("&amp;", "&").replace("&#38;", "&")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.bytes().await.unwrap().to_vec())
}

/// The browser's session cookie, to fetch what its links point at.
async fn browser_cookie(b: &Browser) -> String {
    let cookie = b
        .client
        .get_named_cookie("rectify_session")
        .await
        .expect("the browser holds a session");
    format!("rectify_session={}", cookie.value())
}

/// The `href` of the link matched by `css`.
async fn href(b: &Browser, css: &str) -> String {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no link {css}"))
        .attr("href")
        .await
        .unwrap()
        .expect("an href")
}

async fn click(b: &Browser, css: &str) {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("nothing matches {css}"))
        .click()
        .await
        .unwrap();
}

async fn due_on(app: &TestApp, c: &Cast, id: &str) -> String {
    app.ok_as(
        &c.supervisor,
        "query($id: ID!) { item(id: $id) { dueOn } }",
        json!({ "id": id }),
    )
    .await["item"]["dueOn"]
        .as_str()
        .unwrap()
        .to_owned()
}

store_test!(
    an_office_edits_the_ledger_and_sees_the_dry_run_before_applying,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let name = backend_name(backend);
        let c = cast(&app).await;
        let moved = new_item(&app, &c.dept, "执法案卷评查问题").await;
        assign(&app, &c, &moved, "2026-12-31").await;
        let stale = new_item(&app, &c.dept, "普法形式单一").await;
        assign(&app, &c, &stale, "2026-12-31").await;
        let email = password_account(&app, AccountRole::Supervisor, &c.city, None).await;

        b.client.goto(&app.url("/documents/ledger")).await.unwrap();
        crate::web_browser::sign_in_form(&b, &email).await;
        b.wait_for_text("下载台账").await;
        b.screenshots(&format!("{name}-documents-ledger")).await;

        // Download the city's ledger (with its departments) from the page's link.
        let cookie = browser_cookie(&b).await;
        let link = href(&b, "a[href*='scope=jurisdiction']").await;
        let (status, kind, bytes) = fetch(&app, &cookie, &link).await;
        assert_eq!(status, 200);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let mut sheet = crate::ledger::parse(&bytes);
        assert!(sheet.item_ids().contains(&moved));

        // Move one deadline; write a version the other item no longer has.
        sheet.set(&moved, "完成时限", Data::String("2027-03-31".into()));
        sheet.set(&stale, "完成时限", Data::String("2027-04-30".into()));
        sheet.set(&stale, "版本", Data::Float(1.0));
        let edited = crate::ledger::write(&sheet);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("整改台账-修改.xlsx");
        std::fs::write(&path, &edited).unwrap();

        // Upload it: the dry run lists the change and the rejection with its reason.
        b.client
            .find(Locator::Css("#ledger-file"))
            .await
            .unwrap()
            .send_keys(path.to_str().unwrap())
            .await
            .unwrap();
        click(&b, "form[action='/documents/ledger/preview'] button").await;
        let text = b.wait_for_text("试导入结果").await;
        assert!(text.contains("将修改 1 行"), "{text}");
        assert!(text.contains("拒绝 1 行"), "{text}");
        let changes = b
            .client
            .find(Locator::Css("table.changes"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(changes.contains("完成时限"), "{changes}");
        assert!(
            changes.contains("2026-12-31") && changes.contains("2027-03-31"),
            "{changes}"
        );
        assert!(changes.contains("交办"), "{changes}");
        let rejects = b
            .client
            .find(Locator::Css("table.rejects"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            rejects.contains("版本"),
            "the rejection names its column: {rejects}"
        );
        b.screenshots(&format!("{name}-documents-ledger-dry-run"))
            .await;
        assert_eq!(
            due_on(&app, &c, &moved).await,
            "2026-12-31",
            "a dry run writes nothing"
        );

        // Apply the valid row only.
        click(&b, "input[name='apply_valid_rows']").await;
        click(&b, "form[action='/documents/ledger/apply'] button").await;
        let text = b.wait_for_text("导入完成").await;
        assert!(text.contains("已导入 1 行"), "{text}");
        b.screenshots(&format!("{name}-documents-ledger-applied"))
            .await;
        assert_eq!(due_on(&app, &c, &moved).await, "2027-03-31");
        assert_eq!(due_on(&app, &c, &stale).await, "2026-12-31");
        b.close().await;
    }
);

store_test!(
    the_next_reports_section_previews_as_it_prints_and_downloads_as_docx,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let name = backend_name(backend);
        let c = cast(&app).await;
        app.ok(IMPORT, json!({ "t": REPORT_2024, "a": c.dept }))
            .await;
        app.ok(IMPORT, json!({ "t": REPORT_2025, "a": c.dept }))
            .await;
        // Over GraphQL, the recurring items are a filter of the item list.
        let recurring = app
            .ok_as(
                &c.supervisor,
                "{ items(filter: { recurring: true }) { nodes { title shortcoming { recurrenceOf { text } } } } }",
                json!({}),
            )
            .await;
        let nodes = recurring["items"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 1, "{recurring}");
        assert!(
            nodes[0]["shortcoming"]["recurrenceOf"]["text"]
                .as_str()
                .unwrap()
                .starts_with("普法宣传形式单一"),
            "{recurring}"
        );
        let email = password_account(&app, AccountRole::Supervisor, &c.city, None).await;

        b.client
            .goto(&app.url(&format!("/documents/section?agency={}&year=2024", c.dept)))
            .await
            .unwrap();
        crate::web_browser::sign_in_form(&b, &email).await;
        let text = b.wait_for_text("2024年度存在问题整改情况").await;
        // The next report accounts for the first shortcoming and is silent on the second.
        assert!(text.contains("提及 1 个"), "{text}");
        let lines: Vec<String> = {
            let mut out = Vec::new();
            for li in b
                .client
                .find_all(Locator::Css("ul.coverage li"))
                .await
                .unwrap()
            {
                out.push(li.text().await.unwrap());
            }
            out
        };
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("已提及") && lines[0].contains("普法"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("未提及") && lines[1].contains("执法"),
            "{lines:?}"
        );
        b.screenshots(&format!("{name}-documents-section")).await;

        // The preview's heading and paragraphs are the DOCX's, which python-docx opens.
        let heading = b
            .client
            .find(Locator::Css("h2.sheet-title"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mut leads = Vec::new();
        for lead in b
            .client
            .find_all(Locator::Css(".sheet .lead"))
            .await
            .unwrap()
        {
            leads.push(lead.text().await.unwrap());
        }
        assert_eq!(leads.len(), 2);
        let cookie = browser_cookie(&b).await;
        let link = href(&b, "a[href^='/reports/section.docx']").await;
        let (status, kind, docx) = fetch(&app, &cookie, &link).await;
        assert_eq!(status, 200);
        assert!(kind.contains("wordprocessingml"), "{kind}");
        let paragraphs = python_docx_paragraphs(&docx);
        assert_eq!(
            paragraphs[0], heading,
            "the DOCX opens with the page's heading"
        );
        for lead in &leads {
            assert!(
                paragraphs.iter().any(|p| p.starts_with(lead.as_str())),
                "{lead} is not a paragraph of {paragraphs:?}"
            );
        }
        assert!(
            !paragraphs.iter().any(|p| p.contains("未提及")),
            "the coverage stays out of the document"
        );

        // The 2025 shortcoming that repeats 2024's waits on the 屡查屡犯 queue.
        b.client.goto(&app.url("/queues/recurring")).await.unwrap();
        let text = b.wait_for_text("重复出现").await;
        assert!(text.contains("2024年度报告第1项问题"), "{text}");
        assert!(text.contains("普法宣传形式仍较单一"), "{text}");
        assert!(!text.contains("重大行政决策"), "{text}");
        b.screenshots(&format!("{name}-queue-recurring")).await;

        // Pressed from there, the office lands on the same queue with what happened.
        click(&b, "ul.recurring input[type='checkbox']").await;
        b.client
            .find(Locator::Css("#note"))
            .await
            .unwrap()
            .send_keys("该问题连续两年出现，请从制度上整改")
            .await
            .unwrap();
        click(&b, "form.press button[type='submit']").await;
        b.wait_for_text("已督办 1 项").await;
        b.wait_for_path("/queues/recurring").await;
        b.close().await;
    }
);

/// The text of every paragraph of a DOCX, as python-docx reads it.
fn python_docx_paragraphs(docx: &[u8]) -> Vec<String> {
    use std::io::Write;
    let script = "import sys, json, io, docx\n\
                  d = docx.Document(io.BytesIO(sys.stdin.buffer.read()))\n\
                  print(json.dumps([p.text for p in d.paragraphs if p.text.strip()]))\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (with `pip install python-docx`)");
    child.stdin.take().unwrap().write_all(docx).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python-docx refused the file (is it installed? `pip install python-docx`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

store_test!(
    the_audit_page_locates_a_tampered_event_and_exports_the_heads,
    |backend| async move {
        let app = spawn_app(backend).await;
        let Some(b) = browser().await else { return };
        let name = backend_name(backend);
        let c = cast(&app).await;
        let intact = new_item(&app, &c.dept, "完好的事项").await;
        assign(&app, &c, &intact, "2026-12-31").await;
        let tampered = new_item(&app, &c.dept, "被改动的事项").await;
        assign(&app, &c, &tampered, "2026-12-31").await;
        let email = password_account(&app, AccountRole::Supervisor, &c.city, None).await;
        let s = sign_in(&app, &email).await;

        // The heads, exported before anyone tampers: the format of `rectify audit digest`.
        let (status, kind, heads) = fetch(&app, &s.cookie, "/audit/digests.jsonl").await;
        assert_eq!(status, 200);
        assert!(kind.starts_with("application/jsonl"), "{kind}");
        let heads = String::from_utf8(heads).unwrap();
        let lines: Vec<Value> = heads
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{heads}");
        assert!(lines.iter().any(|l| l["item_id"] == tampered.as_str()));
        let over_graphql = app
            .ok_as(
                &c.supervisor,
                "{ auditDigest { itemId seq hash } }",
                json!({}),
            )
            .await;
        assert_eq!(over_graphql["auditDigest"].as_array().unwrap().len(), 2);

        app.store
            .execute_unprepared(
                "UPDATE item_events SET comment = '改过的' WHERE seq = 2 AND item_id = \
                 (SELECT id FROM items WHERE title = '被改动的事项')",
            )
            .await
            .expect("tampering runs");
        let checked = app
            .ok_as(
                &c.supervisor,
                "query($id: ID) { auditVerify(itemId: $id) { ok breaks { seq description } } }",
                json!({ "id": tampered }),
            )
            .await;
        assert_eq!(checked["auditVerify"]["ok"], false, "{checked}");
        assert_eq!(
            checked["auditVerify"]["breaks"][0]["description"],
            "第 2 条记录写入后被改动（摘要与内容不符）"
        );

        b.client.goto(&app.url("/documents/audit")).await.unwrap();
        crate::web_browser::sign_in_form(&b, &email).await;
        b.wait_for_text("核验记录链").await;
        b.screenshots(&format!("{name}-documents-audit")).await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("heads.jsonl");
        std::fs::write(&path, &heads).unwrap();
        b.client
            .find(Locator::Css("#digests"))
            .await
            .unwrap()
            .send_keys(path.to_str().unwrap())
            .await
            .unwrap();
        click(&b, "form[action='/documents/audit/verify'] button").await;
        let text = b.wait_for_text("核验结果").await;
        assert!(text.contains("共核验 2 个事项"), "{text}");
        assert!(text.contains("并与上传的 2 个链头摘要比对"), "{text}");
        assert!(text.contains("发现 1 个事项的记录链断裂"), "{text}");
        let row = b
            .client
            .find(Locator::Css("table.breaks tbody tr"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            row.contains("被改动的事项"),
            "the break names its item: {row}"
        );
        let link = href(&b, "table.breaks a").await;
        assert!(link.ends_with(&tampered), "{link}");
        assert!(row.contains("第 2 条") && row.contains("被改动"), "{row}");
        b.screenshots(&format!("{name}-documents-audit-broken"))
            .await;
        b.close().await;
    }
);

store_test!(
    the_appraisal_export_holds_the_dashboards_figures_per_unit,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let education = app.create_agency("某市教育局", Some(&c.city)).await;
        let overdue = new_item(&app, &c.dept, "逾期事项").await;
        assign(
            &app,
            &c,
            &overdue,
            &(today_here() - chrono::Duration::days(3)).to_string(),
        )
        .await;
        new_item(&app, &c.dept, "待交办事项").await;
        new_item(&app, &education, "教育局事项").await;
        let email = password_account(&app, AccountRole::Supervisor, &c.city, None).await;
        let s = sign_in(&app, &email).await;

        // The dashboard links to it.
        let (status, _, page) =
            fetch(&app, &s.cookie, &format!("/dashboard?agency={}", c.city)).await;
        assert_eq!(status, 200);
        let page = String::from_utf8(page).unwrap();
        let at = page
            .find("href=\"/appraisal.xlsx")
            .expect("an appraisal link")
            + 6;
        let link = &page[at..at + page[at..].find('"').unwrap()];
        let (status, kind, bytes) = fetch(&app, &s.cookie, link).await;
        assert_eq!(status, 200);
        assert!(kind.contains("spreadsheetml"), "{kind}");

        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = workbook.worksheet_range("考核统计").unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        assert!(
            rows[0][0].to_string().contains("整改考核统计"),
            "{:?}",
            rows[0]
        );
        let header: Vec<String> = rows[1].iter().map(ToString::to_string).collect();
        let col = |h: &str| header.iter().position(|x| x == h).unwrap();
        let line = |unit: &str| {
            rows.iter()
                .find(|r| r[0] == Data::String(unit.to_owned()))
                .unwrap_or_else(|| panic!("no line for {unit}"))
                .clone()
        };
        let number = |d: &Data| match d {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("not a number: {other:?}"),
        };

        // Each unit's figures are the dashboard's.
        let dashboard = app
            .ok_as(
                &c.supervisor,
                "query($a: ID!) { dashboard(agencyId: $a) { units { agency { name } figures { total overdue open } } } }",
                json!({ "a": c.city }),
            )
            .await;
        let units = dashboard["dashboard"]["units"].as_array().unwrap();
        assert_eq!(rows.len() - 3, units.len(), "a line per unit and a 合计");
        for u in units {
            let l = line(u["agency"]["name"].as_str().unwrap());
            for (h, key) in [
                ("事项总数", "total"),
                ("已逾期", "overdue"),
                ("未完成", "open"),
            ] {
                assert_eq!(
                    number(&l[col(h)]),
                    u["figures"][key].as_f64().unwrap(),
                    "{h} of {}",
                    u["agency"]["name"]
                );
            }
        }
        let dept = line("某市司法局");
        assert_eq!(number(&dept[col("事项总数")]), 2.0);
        assert_eq!(number(&dept[col("已逾期")]), 1.0);
        assert_eq!(number(&line("合计")[col("事项总数")]), 3.0);

        // Out of reach: another city's office, and a leader (no dashboard).
        let other = password_account(&app, AccountRole::Supervisor, &c.other_city, None).await;
        let o = sign_in(&app, &other).await;
        let (status, _, _) = fetch(
            &app,
            &o.cookie,
            &format!("/appraisal.xlsx?agency={}", c.city),
        )
        .await;
        assert_eq!(status, 403);
        let leader = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let l = sign_in(&app, &leader).await;
        let (status, _, _) = fetch(
            &app,
            &l.cookie,
            &format!("/appraisal.xlsx?agency={}", c.dept),
        )
        .await;
        assert_eq!(status, 403);
    }
);

store_test!(
    the_document_pages_refuse_what_is_out_of_reach,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        app.ok(IMPORT, json!({ "t": REPORT_2024, "a": c.dept }))
            .await;
        let other = password_account(&app, AccountRole::Supervisor, &c.other_city, None).await;
        let o = sign_in(&app, &other).await;
        // Another city's section, by its ids in the URL.
        let (status, _, _) = fetch(
            &app,
            &o.cookie,
            &format!("/documents/section?agency={}&year=2024", c.dept),
        )
        .await;
        assert_eq!(status, 403);
        // Its own (empty) pages answer; the report of the other city is not offered.
        let (status, _, page) = fetch(&app, &o.cookie, "/documents/section").await;
        assert_eq!(status, 200);
        assert!(!String::from_utf8(page).unwrap().contains("2024年度"));

        // Leaders and persons: no documents, no audit, no queues.
        let leader = password_account(&app, AccountRole::Leader, &c.dept, Some(&c.leader)).await;
        let l = sign_in(&app, &leader).await;
        for path in [
            "/documents/section",
            "/documents/audit",
            "/queues/recurring",
        ] {
            let (status, _, _) = fetch(&app, &l.cookie, path).await;
            assert_eq!(status, 403, "{path}");
        }
        let (status, _, page) = fetch(&app, &l.cookie, "/").await;
        assert_eq!(status, 200);
        assert!(
            !String::from_utf8(page)
                .unwrap()
                .contains("/documents/section")
        );
        // A coordinator has the documents but not the audit.
        let coordinator = password_account(&app, AccountRole::Coordinator, &c.dept, None).await;
        let k = sign_in(&app, &coordinator).await;
        let (status, _, page) = fetch(&app, &k.cookie, "/documents/section").await;
        assert_eq!(status, 200);
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("2024年度存在问题整改情况"));
        assert!(!page.contains("/documents/audit"));
        let (status, _, _) = fetch(&app, &k.cookie, "/documents/audit").await;
        assert_eq!(status, 403);
        let (status, _, _) = fetch(&app, &k.cookie, "/audit/digests.jsonl").await;
        assert_eq!(status, 403);

        // Forms without the session's token are refused.
        let form = reqwest::multipart::Form::new().text("csrf", "wrong");
        let r = plain_client()
            .post(app.url("/documents/audit/verify"))
            .header("cookie", &o.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = plain_client()
            .post(app.url("/documents/ledger/apply"))
            .header("cookie", &o.cookie)
            .form(&[("csrf", "wrong"), ("file", "AAAA")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // An upload over the limit is refused before it is read whole.
        let big = vec![b'x'; 21 * 1024 * 1024];
        let form = reqwest::multipart::Form::new()
            .text("csrf", o.csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(big).file_name("a.xlsx"),
            );
        let r = plain_client()
            .post(app.url("/documents/ledger/preview"))
            .header("cookie", &o.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
    }
);
