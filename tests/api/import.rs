//! Report import through GraphQL: dry run, creation, idempotency, replacement, recurrence,
//! coverage of last year's shortcomings, and bad input.

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app},
    store_test,
};

const IMPORT: &str = "mutation($input: ImportReportInput!) { importReport(input: $input) {
    status dryRun agencyCreated
    agency { id name }
    report { id year period kind sha256 publishedOn }
    shortcomings { shortcoming { id ordinal text } item { id state code title } recurrence { text year itemState score } }
    commitments { ordinal text }
    links { shortcomingOrdinal commitmentOrdinal score }
    previousRectification { text matchedText score }
    coverage { previousYear accountedFor { text } silentOn { text } }
    keptShortcomings { text }
    warnings { code message }
} }";

const REPORT_2024: &str = "某某县司法局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次，覆盖干部职工200余人次。\n\
二、存在的不足\n一是普法宣传形式单一，针对性和实效性不强。\n二是行政执法人员专业能力不足，执法培训覆盖面窄。\n\
三、2025年工作计划\n（一）创新普法宣传形式。运用新媒体开展精准普法，增强针对性。\n（二）加强执法队伍建设。开展执法人员专业培训，提升执法能力。\n\
某某县司法局\n2025年1月20日\n";

const REPORT_2025: &str = "某某县司法局2025年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法15次。\n\
（二）2024年度存在问题整改情况\n针对上年度存在的问题，我局加强整改，一是创新普法宣传形式，运用新媒体开展精准普法，增强普法针对性和实效性。二是完善学习制度，修订理论学习中心组学法规则。\n\
二、存在的问题\n一是普法宣传形式仍较单一，针对性和实效性有待增强。\n二是重大行政决策合法性审查机制不够健全。\n\
三、2026年工作计划\n（一）深化精准普法，创新普法宣传方式。\n（二）健全重大行政决策合法性审查机制。\n\
某某县司法局\n2026年1月18日\n";

async fn import(app: &TestApp, input: Value) -> Value {
    app.ok(IMPORT, json!({ "input": input })).await["importReport"].clone()
}

async fn count(app: &TestApp, what: &str) -> u64 {
    let data = app
        .ok(&format!("{{ {what} {{ totalCount }} }}"), json!({}))
        .await;
    data[what]["totalCount"].as_u64().unwrap()
}

store_test!(
    a_dry_run_shows_what_would_be_created_and_writes_nothing,
    |backend| async move {
        let app = spawn_app(backend).await;
        let r = import(&app, json!({ "text": REPORT_2024, "dryRun": true })).await;
        assert_eq!(r["status"], "CREATED");
        assert_eq!(r["dryRun"], true);
        assert_eq!(r["agency"]["name"], "某某县司法局");
        assert_eq!(r["agencyCreated"], true);
        assert_eq!(r["report"]["year"], 2024);
        assert_eq!(r["shortcomings"].as_array().unwrap().len(), 2);
        assert_eq!(r["shortcomings"][0]["item"]["state"], "identified");
        assert_eq!(r["commitments"].as_array().unwrap().len(), 2);
        assert!(!r["links"].as_array().unwrap().is_empty());
        assert_eq!(count(&app, "agencies").await, 0, "a dry run writes nothing");
        assert_eq!(count(&app, "reports").await, 0);
        assert_eq!(count(&app, "items").await, 0);
    }
);

store_test!(
    an_import_creates_report_items_and_links_and_is_idempotent,
    |backend| async move {
        let app = spawn_app(backend).await;
        let r = import(&app, json!({ "text": REPORT_2024 })).await;
        assert_eq!(r["status"], "CREATED");
        assert_eq!(r["dryRun"], false);
        assert_eq!(r["report"]["publishedOn"], "2025-01-20");
        assert_eq!(r["report"]["sha256"].as_str().unwrap().len(), 64);
        let first = &r["shortcomings"][0];
        assert_eq!(
            first["shortcoming"]["text"],
            "普法宣传形式单一，针对性和实效性不强。"
        );
        assert_eq!(
            first["item"]["title"],
            "普法宣传形式单一，针对性和实效性不强"
        );
        assert!(first["item"]["code"].as_str().unwrap().starts_with("2024-"));
        let links: Vec<(i64, i64)> = r["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["shortcomingOrdinal"].as_i64().unwrap(),
                    l["commitmentOrdinal"].as_i64().unwrap(),
                )
            })
            .collect();
        assert!(
            links.contains(&(1, 1)) && links.contains(&(2, 2)),
            "{links:?}"
        );
        assert_eq!(count(&app, "items").await, 2);

        // The report, its shortcomings and items read back through the queries.
        let report_id = r["report"]["id"].as_str().unwrap();
        let data = app
        .ok(
            "query($id: ID!) { report(id: $id) { agency { name } shortcomings { ordinal text } commitments { ordinal } } }",
            json!({ "id": report_id }),
        )
        .await;
        assert_eq!(data["report"]["shortcomings"].as_array().unwrap().len(), 2);
        let data = app
        .ok(
            "query($a: ID) { items(filter: { agencyId: $a, states: [\"identified\"] }) { totalCount nodes { state agency { name } shortcoming { ordinal } } } }",
            json!({ "a": r["agency"]["id"] }),
        )
        .await;
        assert_eq!(data["items"]["totalCount"], 2);
        assert_eq!(data["items"]["nodes"][0]["agency"]["name"], "某某县司法局");

        // The same text again: nothing changes, and the answer says so.
        let again = import(&app, json!({ "text": REPORT_2024 })).await;
        assert_eq!(again["status"], "ALREADY_IMPORTED");
        assert_eq!(again["report"]["id"], r["report"]["id"]);
        assert!(
            again["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "ALREADY_IMPORTED")
        );
        assert_eq!(count(&app, "items").await, 2);
        assert_eq!(count(&app, "reports").await, 1);
    }
);

store_test!(
    a_different_text_for_the_same_period_needs_replace_and_keeps_history,
    |backend| async move {
        let app = spawn_app(backend).await;
        let r = import(&app, json!({ "text": REPORT_2024 })).await;
        let kept_item = r["shortcomings"][1]["item"]["id"].clone();
        let changed = REPORT_2024.replace(
            "一是普法宣传形式单一，针对性和实效性不强。",
            "一是信访事项办理不够规范，答复时限把握不严。",
        );
        let response = app
            .graphql(IMPORT, json!({ "input": { "text": changed } }))
            .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "CONFLICT");
        assert_eq!(
            count(&app, "items").await,
            2,
            "a refused replacement changes nothing"
        );

        let replaced = import(&app, json!({ "text": changed, "replace": true })).await;
        assert_eq!(replaced["status"], "REPLACED");
        assert_eq!(replaced["report"]["id"], r["report"]["id"]);
        assert_eq!(
            replaced["shortcomings"][1]["item"]["id"], kept_item,
            "an unchanged shortcoming keeps its item"
        );
        assert_eq!(
            replaced["keptShortcomings"][0]["text"],
            "普法宣传形式单一，针对性和实效性不强。"
        );
        assert_eq!(
            count(&app, "items").await,
            3,
            "the old item is kept, the new shortcoming gets one"
        );
    }
);

store_test!(
    next_years_report_flags_recurrence_and_coverage,
    |backend| async move {
        let app = spawn_app(backend).await;
        import(&app, json!({ "text": REPORT_2024 })).await;
        let r = import(&app, json!({ "text": REPORT_2025 })).await;
        assert_eq!(r["agencyCreated"], false, "the agency is found by name");
        let recurrence = &r["shortcomings"][0]["recurrence"];
        assert_eq!(recurrence["year"], 2024, "{r:#}");
        assert_eq!(recurrence["itemState"], "identified");
        assert!(
            r["shortcomings"][1]["recurrence"].is_null(),
            "a new topic does not recur"
        );
        let coverage = &r["coverage"];
        assert_eq!(coverage["previousYear"], 2024);
        assert_eq!(
            coverage["accountedFor"][0]["text"], "普法宣传形式单一，针对性和实效性不强。",
            "{coverage:#}"
        );
        assert_eq!(
            coverage["silentOn"][0]["text"],
            "行政执法人员专业能力不足，执法培训覆盖面窄。"
        );
        let codes: Vec<&str> = r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.contains(&"RECURRING_SHORTCOMINGS")
                && codes.contains(&"PREVIOUS_SHORTCOMINGS_UNACCOUNTED"),
            "{codes:?}"
        );
    }
);

store_test!(
    bad_report_input_gets_a_clear_code_and_writes_nothing,
    |backend| async move {
        let app = spawn_app(backend).await;
        let cases = [
            (json!({ "text": "   " }), "VALIDATION"),
            (
                json!({ "text": "Annual report. We did many things; problems remain." }),
                "VALIDATION",
            ),
            (
                json!({ "text": "今天天气很好，我们去公园散步。" }),
                "VALIDATION",
            ),
            (
                json!({ "text": "汉".repeat(1_000_000) }),
                "PAYLOAD_TOO_LARGE",
            ),
            (
                json!({ "text": REPORT_2024.replace("某某县司法局", "") }),
                "VALIDATION",
            ),
            (
                json!({ "text": REPORT_2024, "agencyId": "0190f5c2-0000-7000-8000-000000000000" }),
                "NOT_FOUND",
            ),
        ];
        for (input, code) in cases {
            let response = app.graphql(IMPORT, json!({ "input": input })).await;
            assert_eq!(
                response["errors"][0]["extensions"]["code"], code,
                "{response:#}"
            );
            assert!(
                !response["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .is_empty()
            );
        }
        assert_eq!(count(&app, "agencies").await, 0);
        assert_eq!(count(&app, "reports").await, 0);
    }
);

store_test!(
    the_seed_reports_import_as_the_demo_does,
    |backend| async move {
        let app = spawn_app(backend).await;
        let services =
            rectify::service::Services::new(app.store.clone(), chrono_tz::Asia::Shanghai);
        let outcomes = rectify::demo::import_seeds(&services)
            .await
            .expect("the seeds import");
        assert_eq!(outcomes.len(), 5);
        let shortcomings: usize = outcomes.iter().map(|o| o.shortcomings.len()).sum();
        assert_eq!(count(&app, "reports").await, 5);
        assert_eq!(count(&app, "items").await as usize, shortcomings);
        assert_eq!(shortcomings, 11, "2 + 3 + 3 + 3 + 0 shortcomings");
    }
);

store_test!(
    thousands_of_rows_are_written_in_statements_under_the_databases_bounds,
    |backend| async move {
        use rectify::store::tx::{NewEvent, NewItem, ShortcomingWrite};
        let app = spawn_app(backend).await;
        let imported = import(&app, json!({ "text": REPORT_2024, "dryRun": false })).await;
        let report: uuid::Uuid = imported["report"]["id"].as_str().unwrap().parse().unwrap();
        let agency: uuid::Uuid = imported["agency"]["id"].as_str().unwrap().parse().unwrap();
        // 2,500 rows of each: 70,000 values for the items alone, past SQLite's 32,766 and
        // PostgreSQL's 65,535 values per statement.
        const N: i32 = 2_500;
        let tx = app.store.begin().await.unwrap();
        let shortcomings = tx
            .insert_shortcomings(
                report,
                (0..N)
                    .map(|i| ShortcomingWrite {
                        ordinal: 100 + i,
                        text: format!("第{i}项问题"),
                        span: None,
                        recurrence_of_id: None,
                        recurrence_score: None,
                    })
                    .collect(),
            )
            .await
            .unwrap();
        let items = tx
            .insert_items(
                shortcomings
                    .iter()
                    .map(|s| NewItem {
                        agency_id: agency,
                        code: None,
                        shortcoming_id: Some(s.id),
                        parent_item_id: None,
                        source: "annual_report".into(),
                        source_document: None,
                        title: s.text.clone(),
                        state: "identified".into(),
                    })
                    .collect(),
            )
            .await
            .unwrap();
        tx.start_chains(
            items
                .iter()
                .map(|item| NewEvent {
                    item_id: item.id,
                    action: "create",
                    from_state: None,
                    to_state: Some("identified"),
                    actor_account_id: None,
                    actor_person_id: None,
                    comment: None,
                    payload_json: "{}".into(),
                    at: chrono::Utc::now(),
                })
                .collect(),
        )
        .await
        .unwrap();
        let commitments = tx
            .insert_commitments(
                report,
                (0..N)
                    .map(|i| (100 + i, format!("第{i}项举措"), None))
                    .collect(),
            )
            .await
            .unwrap();
        tx.insert_auto_links(
            shortcomings
                .iter()
                .zip(&commitments)
                .map(|(s, c)| (s.id, c.id, 0.5))
                .collect(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let count = app
            .ok(
                "query($a: ID!) { items(first: 1, filter: { agencyId: $a }) { totalCount } }",
                json!({ "a": agency.to_string() }),
            )
            .await;
        assert_eq!(count["items"]["totalCount"], json!(N + 2));
        let audit = app.ok("{ auditVerify { ok } }", json!({})).await;
        assert_eq!(audit["auditVerify"]["ok"], true);
    }
);

/// Uploads `bytes` as `file_name` to `importReport` (multipart), with `input`'s other fields.
async fn upload(app: &TestApp, bytes: Vec<u8>, file_name: &str, mut input: Value) -> Value {
    input["file"] = Value::Null;
    let operations = json!({ "query": IMPORT, "variables": { "input": input } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.input.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
    app.client
        .post(app.url("/graphql"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

store_test!(
    a_word_file_with_automatic_numbering_imports_its_items_and_keeps_the_file_hash,
    |backend| async move {
        let app = spawn_app(backend).await;
        let docx = rectify_extract::samples::numbered_report_docx();
        let response = upload(&app, docx.clone(), "2024年法治政府建设报告.docx", json!({})).await;
        let r = &response["data"]["importReport"];
        assert_eq!(r["status"], "CREATED", "{response:#}");
        assert_eq!(r["agency"]["name"], "某某县司法局");
        assert_eq!(r["report"]["year"], 2024);
        // Word numbered these items （一）（二）（三）; the numbers are not in their text.
        let texts: Vec<&str> = r["shortcomings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["shortcoming"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts[0].starts_with("普法宣传形式较为单一"), "{texts:?}");
        assert_eq!(r["commitments"].as_array().unwrap().len(), 3);

        let report_id = r["report"]["id"].as_str().unwrap();
        let data = app
            .ok(
                "query($id: ID!) { report(id: $id) { sha256 sourceFileSha256 sourceFileName } }",
                json!({ "id": report_id }),
            )
            .await;
        let report = &data["report"];
        assert_eq!(report["sourceFileSha256"], sha256_hex(&docx));
        assert_ne!(
            report["sha256"], report["sourceFileSha256"],
            "the text's hash differs"
        );
        assert_eq!(report["sourceFileName"], "2024年法治政府建设报告.docx");

        // The same file again is the same text: nothing changes.
        let again = upload(&app, docx, "copy.docx", json!({})).await;
        assert_eq!(again["data"]["importReport"]["status"], "ALREADY_IMPORTED");
    }
);

store_test!(
    a_gbk_text_file_imports_like_the_same_text_pasted,
    |backend| async move {
        let app = spawn_app(backend).await;
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(REPORT_2024);
        assert!(!unmappable);
        let gbk = gbk.into_owned();
        let response = upload(&app, gbk.clone(), "report.txt", json!({ "dryRun": true })).await;
        let from_file = &response["data"]["importReport"];
        assert_eq!(from_file["status"], "CREATED", "{response:#}");
        let pasted = import(&app, json!({ "text": REPORT_2024, "dryRun": true })).await;
        assert_eq!(from_file["report"]["sha256"], pasted["report"]["sha256"]);
        let texts = |r: &Value| -> Vec<String> {
            r["shortcomings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["shortcoming"]["text"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(texts(from_file), texts(&pasted));
        assert_eq!(texts(from_file).len(), 2);

        let response = upload(&app, gbk.clone(), "report.txt", json!({})).await;
        let id = response["data"]["importReport"]["report"]["id"]
            .as_str()
            .unwrap();
        let data = app
            .ok(
                "query($id: ID!) { report(id: $id) { sourceFileSha256 sourceFileName } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["report"]["sourceFileSha256"], sha256_hex(&gbk));
        assert_eq!(data["report"]["sourceFileName"], "report.txt");
    }
);

store_test!(
    files_that_cannot_be_read_get_a_code_and_a_chinese_message,
    |backend| async move {
        let app = spawn_app(backend).await;
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("令和6年度の課題：研修が不足している。");
        let cases = [
            (
                rectify_extract::samples::scanned_pdf(),
                "scan.pdf",
                "UNSUPPORTED_TYPE",
                "OCR",
            ),
            (sjis.into_owned(), "report.txt", "NOT_TEXT", "编码"),
            (b"%PDF-1.7\n garbage".to_vec(), "x.pdf", "MALFORMED", "损坏"),
            (
                rectify_extract::samples::bomb_docx(30 * 1024 * 1024),
                "bomb.docx",
                "PAYLOAD_TOO_LARGE",
                "上限",
            ),
        ];
        for (bytes, name, code, words) in cases {
            let response = upload(&app, bytes, name, json!({})).await;
            let error = &response["errors"][0];
            assert_eq!(error["extensions"]["code"], code, "{name}: {response:#}");
            assert!(
                error["message"].as_str().unwrap().contains(words),
                "{name}: {response:#}"
            );
        }
        // Text and a file together, or neither, is refused.
        let both = upload(
            &app,
            REPORT_2024.as_bytes().to_vec(),
            "a.txt",
            json!({ "text": REPORT_2024 }),
        )
        .await;
        assert_eq!(
            both["errors"][0]["extensions"]["code"], "VALIDATION",
            "{both:#}"
        );
        let neither = app.graphql(IMPORT, json!({ "input": {} })).await;
        assert_eq!(
            neither["errors"][0]["extensions"]["code"], "VALIDATION",
            "{neither:#}"
        );
        assert_eq!(count(&app, "reports").await, 0);
    }
);
