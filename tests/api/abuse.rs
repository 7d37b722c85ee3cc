//! What an attacker sends: operations too long, too broad or too costly, and password
//! guessing. Each is refused before it costs anything, with a stable code.

use rectify::domain::AccountRole;
use serde_json::json;

use crate::{helpers::*, store_test};

const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

#[tokio::test]
async fn a_query_text_past_its_bound_is_refused_before_it_is_parsed() {
    let app = spawn_app(Backend::Sqlite).await;
    // About 21 MB of `__typename`: within the body limit, far past the query's.
    let huge = format!("{{ {} }}", "__typename ".repeat(2_000_000));
    let response = app.graphql(&huge, json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"], "QUERY_TOO_LARGE",
        "{}",
        response["errors"][0]
    );
    assert!(response["data"].is_null());
    let fine = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(fine["data"]["__typename"], "Query");
}

#[tokio::test]
async fn aliases_and_counts_are_bounded_per_operation() {
    let app = spawn_app(Backend::Sqlite).await;
    let many_roots: String = (0..40).map(|i| format!("a{i}: __typename ")).collect();
    let response = app.graphql(&format!("{{ {many_roots} }}"), json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "QUERY_TOO_BROAD"
    );
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("顶层字段")
    );

    // Twenty-one counts: each is cheap to write and scans a whole table.
    let counts: String = (0..21)
        .map(|i| format!("c{i}: items(first: 1) {{ totalCount }} "))
        .collect();
    let response = app.graphql(&format!("{{ {counts} }}"), json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "QUERY_TOO_BROAD"
    );
    assert!(response["data"].is_null(), "nothing ran");

    let audits: String = (0..5)
        .map(|i| format!("v{i}: auditVerify {{ ok }} "))
        .collect();
    let response = app.graphql(&format!("{{ {audits} }}"), json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "QUERY_TOO_BROAD"
    );

    let fine = app
        .graphql("{ items(first: 5) { totalCount nodes { id } } }", json!({}))
        .await;
    assert!(fine.get("errors").is_none(), "{fine}");
}

store_test!(
    password_guessing_locks_the_account_for_a_while,
    |backend| async move {
        let app = spawn_app(backend).await;
        let agency = app.create_agency("某市司法局", None).await;
        app.ok(
            "mutation($a: ID!) { createAccount(input: { email: \"guess@test.local\", password: \"correct horse battery\", role: COORDINATOR, agencyId: $a }) { id } }",
            json!({ "a": agency }),
        )
        .await;
        let attempt = |password: &'static str| {
            let app = &app;
            async move {
                app.code_as(
                    None,
                    LOGIN,
                    json!({ "e": "guess@test.local", "p": password }),
                )
                .await
            }
        };
        for _ in 0..5 {
            assert_eq!(attempt("wrong password!").await, "UNAUTHENTICATED");
        }
        assert_eq!(attempt("wrong password!").await, "UNAUTHENTICATED");
        // Locked now: even the right password is refused, with a Chinese message.
        let locked = app
            .graphql(
                LOGIN,
                json!({ "e": "guess@test.local", "p": "correct horse battery" }),
            )
            .await;
        assert_eq!(
            locked["errors"][0]["extensions"]["code"], "TOO_MANY_ATTEMPTS",
            "{locked:#}"
        );
        assert!(
            locked["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("秒后再试")
        );
        // Unknown accounts lock the same way, so a lock tells nothing about existence.
        for _ in 0..6 {
            attempt_unknown(&app).await;
        }
        assert_eq!(
            app.code_as(
                None,
                LOGIN,
                json!({ "e": "nobody@test.local", "p": "whatever pass" })
            )
            .await,
            "TOO_MANY_ATTEMPTS"
        );
        // The lock runs out (one second after the sixth failure).
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(attempt("correct horse battery").await, "OK");
    }
);

async fn attempt_unknown(app: &TestApp) {
    app.code_as(
        None,
        LOGIN,
        json!({ "e": "nobody@test.local", "p": "whatever pass" }),
    )
    .await;
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_under(&e.path())
            } else {
                1
            }
        })
        .sum()
}

store_test!(
    refused_uploads_leave_nothing_on_disk,
    |backend| async move {
        use crate::workflow::{cast, new_item, upload};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let item = new_item(&app, &c.dept, "问题").await;
        let evidence = app.settings.data_dir.join("evidence");
        let pdf = |n: u8| {
            let mut bytes = b"%PDF-1.4\n".to_vec();
            bytes.extend(std::iter::repeat_n(n, 64 * 1024));
            bytes
        };
        let forbidden = upload(&app, &c.other_leader_token, &item, "a.pdf", pdf(1)).await;
        assert_eq!(
            forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{forbidden:#}"
        );
        let missing = upload(
            &app,
            &c.leader_token,
            &uuid::Uuid::now_v7().to_string(),
            "b.pdf",
            pdf(2),
        )
        .await;
        assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");
        assert_eq!(files_under(&evidence), 0, "no refused file was stored");
    }
);

store_test!(
    an_item_may_not_answer_for_another_agencys_shortcoming,
    |backend| async move {
        use crate::workflow::{CREATE_ITEM, cast};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let imported = app
            .ok(
                "mutation($t: String!, $a: ID!) { importReport(input: { text: $t, agencyId: $a }) {
                   shortcomings { shortcoming { id } } } }",
                json!({ "t": crate::access::REPORT, "a": c.other_city }),
            )
            .await;
        let theirs = imported["importReport"]["shortcomings"][0]["shortcoming"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = app
            .graphql(
                CREATE_ITEM,
                json!({ "input": { "agencyId": c.dept, "title": "借用他人问题", "source": "ANNUAL_REPORT",
                                   "shortcomingId": theirs } }),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "VALIDATION",
            "{response:#}"
        );
        assert_eq!(
            response["errors"][0]["extensions"]["field"],
            "shortcomingId"
        );
    }
);

store_test!(
    assignments_and_appointments_stay_within_reach,
    |backend| async move {
        use crate::workflow::{ASSIGN, cast, new_item, person, version};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let stranger = person(&app, &c.other_city, "外市干部").await;
        let id = new_item(&app, &c.dept, "交办越界").await;
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
        for input in [
            json!({ "leadPersonId": stranger, "dueOn": due, "category": "TIME_BOUND" }),
            json!({ "leadPersonId": c.leader, "responsiblePersonId": stranger, "dueOn": due,
                    "category": "TIME_BOUND" }),
            json!({ "leadPersonId": c.leader, "leadUnitId": c.other_city, "dueOn": due,
                    "category": "TIME_BOUND" }),
            json!({ "leadPersonId": c.leader, "supportingUnitIds": [c.other_city], "dueOn": due,
                    "category": "TIME_BOUND" }),
        ] {
            let v = version(&app, &id).await;
            let response = app
                .graphql_as(
                    Some(&c.coordinator),
                    ASSIGN,
                    json!({ "id": id, "v": v, "input": input }),
                )
                .await;
            assert_eq!(
                response["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{input}: {response:#}"
            );
            assert!(
                !response.to_string().contains("外市干部"),
                "nothing about the stranger is revealed"
            );
        }
        assert_eq!(version(&app, &id).await, 1, "nothing was assigned");

        let post = app
            .ok_as(
                &c.supervisor,
                "mutation($a: ID!) { createPost(agencyId: $a, title: \"分管副局长\") { id } }",
                json!({ "a": c.dept }),
            )
            .await["createPost"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                "mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who) { startedOn } }",
                json!({ "p": post, "who": stranger }),
            )
            .await,
            "FORBIDDEN"
        );
    }
);

store_test!(
    whoever_submitted_may_not_verify_through_another_account,
    |backend| async move {
        use crate::workflow::{ASSIGN, TRANSITION, act, cast, new_item, upload, version};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        // A second account of the same role for a person who has one is refused.
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                "mutation($a: ID!, $p: ID!) { createAccount(input: { email: \"again@test.local\",
                   role: LEADER, agencyId: $a, personId: $p }) { id } }",
                json!({ "a": c.dept, "p": c.leader }),
            )
            .await,
            "CONFLICT"
        );

        // The leader submits through the post he holds, then rotates into the supervising
        // office, where an account of his verifies.
        let post = app
            .ok(
                "mutation($a: ID!) { createPost(agencyId: $a, title: \"分管副局长\") { id } }",
                json!({ "a": c.dept }),
            )
            .await["createPost"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.ok(
            "mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who, from: \"2026-01-01\") { startedOn } }",
            json!({ "p": post, "who": c.leader }),
        )
        .await;
        let id = new_item(&app, &c.dept, "自验自收").await;
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
        let v = version(&app, &id).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": id, "v": v, "input": { "leadPostId": post, "dueOn": due, "category": "TIME_BOUND" } }),
        )
        .await;
        assert_eq!(
            act(
                &app,
                &c.leader_token,
                &id,
                "accept",
                json!({ "measures": "修订制度" })
            )
            .await,
            "OK"
        );
        let pdf = b"%PDF-1.4\n% evidence\n%%EOF\n".to_vec();
        let up = upload(&app, &c.leader_token, &id, "e.pdf", pdf).await;
        assert!(up.get("errors").is_none(), "{up:#}");
        assert_eq!(
            act(&app, &c.leader_token, &id, "submit", json!({})).await,
            "OK"
        );
        app.ok(
            "mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who) { startedOn } }",
            json!({ "p": post, "who": c.other_leader }),
        )
        .await;
        let his_supervisor = app
            .token_for(AccountRole::Supervisor, Some(&c.city), Some(&c.leader))
            .await;
        let v = version(&app, &id).await;
        let refused = app
            .graphql_as(
                Some(&his_supervisor),
                TRANSITION,
                json!({ "id": id, "action": "verify", "outcome": "RECTIFIED", "v": v }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{refused:#}"
        );
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &id,
                "verify",
                json!({ "outcome": "RECTIFIED" })
            )
            .await,
            "OK",
            "another supervisor may"
        );
    }
);

#[tokio::test]
async fn nul_characters_and_oversized_filters_are_validation_errors_with_their_field() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .graphql(LOGIN, json!({ "e": "a\u{0}@x.cn", "p": "whatever" }))
        .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(response["errors"][0]["extensions"]["field"], "e");

    let long = "某".repeat(10_000);
    let response = app
        .graphql(
            "query($n: String) { persons(nameContains: $n) { nodes { id } } }",
            json!({ "n": long }),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(response["errors"][0]["extensions"]["field"], "nameContains");

    let states: Vec<String> = (0..100_000).map(|i| format!("s{i}")).collect();
    let response = app
        .graphql(
            "query($s: [String!]) { items(filter: { states: $s }) { nodes { id } } }",
            json!({ "s": states }),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(response["errors"][0]["extensions"]["field"], "states");
}

store_test!(
    text_fields_are_bounded_urls_are_web_addresses_and_files_are_named_for_their_bytes,
    |backend| async move {
        use crate::workflow::{cast, new_item, upload};
        let app = spawn_app(backend).await;
        let import =
            "mutation($input: ImportReportInput!) { importReport(input: $input) { status } }";
        let report = crate::access::REPORT;
        let response = app
            .graphql(
                import,
                json!({ "input": { "text": report, "sourceUrl": "javascript:alert(1)", "dryRun": true } }),
            )
            .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
        assert_eq!(response["errors"][0]["extensions"]["field"], "sourceUrl");
        let response = app
            .graphql(
                import,
                json!({ "input": { "text": report, "agencyName": "局".repeat(1_000_000), "dryRun": true } }),
            )
            .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "VALIDATION");
        assert_eq!(response["errors"][0]["extensions"]["field"], "agencyName");

        let c = cast(&app).await;
        let item = new_item(&app, &c.dept, "问题").await;
        let pdf = b"%PDF-1.4\n% evidence\n%%EOF\n".to_vec();
        let size = pdf.len();
        let up = upload(&app, &c.coordinator, &item, "整改报告.html", pdf).await;
        assert_eq!(up["data"]["addEvidence"]["name"], "整改报告.pdf", "{up:#}");
        assert_eq!(up["data"]["addEvidence"]["contentType"], "application/pdf");
        let metrics = reqwest::get(app.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains(&format!("rectify_evidence_bytes {size}\n")),
            "{metrics}"
        );
    }
);

store_test!(
    a_due_date_in_the_past_is_refused_at_assignment,
    |backend| async move {
        use crate::workflow::{ASSIGN, cast, new_item, version};
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "时限").await;
        let yesterday = (today_here() - chrono::Duration::days(1)).to_string();
        let assign = |due: String| {
            let (app, c, id) = (&app, &c, id.clone());
            async move {
                let v = version(app, &id).await;
                app.graphql_as(
                    Some(&c.coordinator),
                    ASSIGN,
                    json!({ "id": id, "v": v, "input": { "leadPersonId": c.leader,
                        "dueOn": due, "category": "TIME_BOUND" } }),
                )
                .await
            }
        };
        let refused = assign(yesterday.clone()).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "VALIDATION",
            "{refused:#}"
        );
        assert_eq!(refused["errors"][0]["extensions"]["field"], "dueOn");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("延期申请")
        );
        // Today is fine; an item already overdue may be reassigned keeping its date.
        let today = today_here().to_string();
        assert!(assign(today).await.get("errors").is_none());
        backdate(&app, &id, &yesterday).await;
        let kept = assign(yesterday).await;
        assert!(kept.get("errors").is_none(), "{kept:#}");
    }
);

store_test!(
    a_request_that_times_out_writes_nothing_afterwards,
    |backend| async move {
        // An import too big to finish in 50 ms: the 408 comes first, and the import's future
        // is dropped with the request, so nothing is written after the answer.
        let app = spawn_app_with(backend, |s| {
            s.limits.request_timeout = std::time::Duration::from_millis(50);
        })
        .await;
        let paragraph = crate::access::REPORT;
        let text = paragraph.repeat(1_500_000 / paragraph.len());
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({
                "query": "mutation($t: String!) { importReport(input: { text: $t, agencyName: \"某市司法局\", year: 2025 }) { status } }",
                "variables": { "t": text }
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 408);
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let stored = app
            .store
            .count_reports(&rectify::store::reports::ReportFilter::default())
            .await
            .unwrap();
        assert_eq!(stored, 0, "the import did not go on after its 408");
    }
);
