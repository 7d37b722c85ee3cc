//! The item workflow through the real API: roles, transitions, evidence, extensions, posts,
//! optimistic concurrency, overdue by time zone, and an office's own workflow.

use rectify::domain::AccountRole;
use serde_json::{Value, json};

use crate::{helpers::*, store_test};

pub const CREATE_ITEM: &str =
    "mutation($input: CreateItemInput!) { createItem(input: $input) { id version state } }";
pub const ASSIGN: &str = "mutation($id: ID!, $input: AssignItemInput!, $v: Int!) {
  assignItem(id: $id, input: $input, expectedVersion: $v) { id version state dueOn } }";
pub const TRANSITION: &str = "mutation($id: ID!, $action: String!, $comment: String, $outcome: ItemOutcome, $measures: String, $v: Int!) {
  transitionItem(id: $id, action: $action, comment: $comment, outcome: $outcome, measures: $measures, expectedVersion: $v) { id version state outcome } }";
pub const PROGRESS: &str = "mutation($id: ID!, $p: String!, $v: Int!) { reportProgress(id: $id, progress: $p, expectedVersion: $v) { version progress } }";
pub const NOTE: &str = "mutation($id: ID!) { addEvidence(itemId: $id, note: \"整改说明：已完成制度修订\") { id kind } }";
pub const ITEM: &str = "query($id: ID!) { item(id: $id) { id version state outcome verifiedByAccountId closedAt dueOn progress measures overdue availableActions evidence { id name sha256 downloadPath } history { seq action fromState toState payload hash prevHash } } }";

/// The cast of a workflow test: a city with a department under it, another city, people,
/// and an account for every role.
pub struct Cast {
    pub city: String,
    pub dept: String,
    pub other_city: String,
    pub leader: String,
    pub responsible: String,
    pub other_leader: String,
    pub supervisor: String,
    pub other_supervisor: String,
    pub coordinator: String,
    pub other_coordinator: String,
    pub leader_token: String,
    pub responsible_token: String,
    pub other_leader_token: String,
}

pub async fn person(app: &TestApp, agency: &str, name: &str) -> String {
    let data = app
        .ok(
            "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }",
            json!({ "input": { "agencyId": agency, "name": name, "title": "副局长",
                               "email": format!("p{}@test.local", uuid::Uuid::now_v7().simple()) } }),
        )
        .await;
    data["createPerson"]["id"].as_str().unwrap().to_owned()
}

pub async fn cast(app: &TestApp) -> Cast {
    let city = app.create_agency("某市人民政府", None).await;
    let dept = app.create_agency("某市司法局", Some(&city)).await;
    let other_city = app.create_agency("另一市人民政府", None).await;
    let leader = person(app, &dept, "张局长").await;
    let responsible = person(app, &dept, "李科长").await;
    let other_leader = person(app, &dept, "王副局长").await;
    Cast {
        supervisor: app
            .token_for(AccountRole::Supervisor, Some(&city), None)
            .await,
        other_supervisor: app
            .token_for(AccountRole::Supervisor, Some(&other_city), None)
            .await,
        coordinator: app
            .token_for(AccountRole::Coordinator, Some(&dept), None)
            .await,
        other_coordinator: app
            .token_for(AccountRole::Coordinator, Some(&other_city), None)
            .await,
        leader_token: app
            .token_for(AccountRole::Leader, Some(&dept), Some(&leader))
            .await,
        responsible_token: app
            .token_for(AccountRole::Person, Some(&dept), Some(&responsible))
            .await,
        other_leader_token: app
            .token_for(AccountRole::Leader, Some(&dept), Some(&other_leader))
            .await,
        city,
        dept,
        other_city,
        leader,
        responsible,
        other_leader,
    }
}

/// Creates an item in `agency` as the admin; returns its id.
pub async fn new_item(app: &TestApp, agency: &str, title: &str) -> String {
    let data = app
        .ok(
            CREATE_ITEM,
            json!({ "input": { "agencyId": agency, "title": title, "source": "RULE_OF_LAW_INSPECTION",
                               "sourceDocument": "法治督察反馈意见 〔2026〕3号" } }),
        )
        .await;
    data["createItem"]["id"].as_str().unwrap().to_owned()
}

/// The item as the admin sees it.
pub async fn item(app: &TestApp, id: &str) -> Value {
    app.ok(ITEM, json!({ "id": id })).await["item"].clone()
}

pub async fn version(app: &TestApp, id: &str) -> i64 {
    item(app, id).await["version"].as_i64().unwrap()
}

/// Assigns `id` to the cast's leader and responsible person, due on `due`.
pub async fn assign(app: &TestApp, c: &Cast, id: &str, due: &str) {
    let v = version(app, id).await;
    let (given, past) = assignable(due);
    app.ok_as(
        &c.coordinator,
        ASSIGN,
        json!({ "id": id, "v": v, "input": {
            "leadPersonId": c.leader, "responsiblePersonId": c.responsible,
            "leadUnitId": c.dept, "dueOn": given, "category": "TIME_BOUND" } }),
    )
    .await;
    if past {
        backdate(app, id, due).await;
    }
}

/// Takes `action` as `token` with the item's current version; returns the error code or "OK".
pub async fn act(app: &TestApp, token: &str, id: &str, action: &str, extra: Value) -> String {
    let v = version(app, id).await;
    let mut vars = json!({ "id": id, "action": action, "v": v });
    for (k, val) in extra.as_object().cloned().unwrap_or_default() {
        vars[k] = val;
    }
    app.code_as(Some(token), TRANSITION, vars).await
}

/// Uploads a small PDF as evidence through GraphQL multipart; returns the response.
pub async fn upload(app: &TestApp, token: &str, item: &str, name: &str, bytes: Vec<u8>) -> Value {
    let operations = json!({
        "query": "mutation($id: ID!, $file: Upload!) { addEvidence(itemId: $id, file: $file) { id name sha256 sizeBytes contentType downloadPath } }",
        "variables": { "id": item, "file": null }
    });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    client_with(Some(token))
        .post(app.url("/graphql"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n% rectify test evidence: \xe6\x95\xb4\xe6\x94\xb9\xe6\x8a\xa5\xe5\x91\x8a\n%%EOF\n"
        .to_vec()
}

store_test!(
    an_item_goes_from_identified_to_closed_with_evidence_and_a_supervisors_verify,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "行政执法案卷评查发现的问题").await;
        assert_eq!(item(&app, &id).await["state"], "identified");

        assign(&app, &c, &id, "2026-12-31").await;
        assert_eq!(item(&app, &id).await["state"], "assigned");

        // Accepting needs the measures.
        assert_eq!(
            act(&app, &c.leader_token, &id, "accept", json!({})).await,
            "VALIDATION"
        );
        assert_eq!(
            act(
                &app,
                &c.leader_token,
                &id,
                "accept",
                json!({ "measures": "修订执法案卷标准，开展专项培训" })
            )
            .await,
            "OK"
        );
        assert_eq!(item(&app, &id).await["state"], "in_progress");

        let v = version(&app, &id).await;
        app.ok_as(
            &c.responsible_token,
            PROGRESS,
            json!({ "id": id, "p": "已完成培训两期", "v": v }),
        )
        .await;

        // Submitting needs evidence.
        assert_eq!(
            act(&app, &c.responsible_token, &id, "submit", json!({})).await,
            "EVIDENCE_REQUIRED"
        );
        let uploaded = upload(&app, &c.responsible_token, &id, "整改报告.pdf", pdf()).await;
        assert!(uploaded.get("errors").is_none(), "{uploaded:#}");
        let evidence = &uploaded["data"]["addEvidence"];
        assert_eq!(evidence["contentType"], "application/pdf");
        assert_eq!(evidence["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(
            act(&app, &c.responsible_token, &id, "submit", json!({})).await,
            "OK"
        );

        // Separation of duties and jurisdiction: neither the lead nor another city's office verifies.
        let rectified = json!({ "outcome": "RECTIFIED" });
        assert_eq!(
            act(&app, &c.leader_token, &id, "verify", rectified.clone()).await,
            "FORBIDDEN"
        );
        assert_eq!(
            act(&app, &c.other_supervisor, &id, "verify", rectified.clone()).await,
            "FORBIDDEN"
        );
        assert_eq!(
            act(&app, &c.supervisor, &id, "verify", json!({})).await,
            "VALIDATION"
        );
        assert_eq!(
            act(&app, &c.supervisor, &id, "verify", rectified).await,
            "OK"
        );

        let closed = item(&app, &id).await;
        assert_eq!(closed["state"], "closed");
        assert_eq!(closed["outcome"], "rectified");
        assert!(
            closed["verifiedByAccountId"].is_string() && closed["closedAt"].is_string(),
            "the verifier is recorded"
        );
        let actions: Vec<&str> = closed["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "create",
                "assign",
                "accept",
                "report_progress",
                "evidence_added",
                "submit",
                "verify"
            ]
        );
        let history = closed["history"].as_array().unwrap();
        for pair in history.windows(2) {
            assert_eq!(
                pair[1]["prevHash"], pair[0]["hash"],
                "each event chains to the one before"
            );
        }

        // Closed means closed: no more evidence, no more progress.
        let late = upload(&app, &c.responsible_token, &id, "补充.pdf", pdf()).await;
        assert_eq!(
            late["errors"][0]["extensions"]["code"], "ITEM_CLOSED",
            "{late:#}"
        );
        assert_eq!(
            app.code_as(Some(&c.responsible_token), NOTE, json!({ "id": id }))
                .await,
            "ITEM_CLOSED"
        );
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(
                Some(&c.responsible_token),
                PROGRESS,
                json!({ "id": id, "p": "x", "v": v })
            )
            .await,
            "INVALID_TRANSITION"
        );

        // Only reopen leaves closed.
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &id,
                "cancel",
                json!({ "comment": "合并" })
            )
            .await,
            "INVALID_TRANSITION"
        );
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &id,
                "reopen",
                json!({ "comment": "问题复发" })
            )
            .await,
            "OK"
        );
        let reopened = item(&app, &id).await;
        assert_eq!(reopened["state"], "in_progress");
        assert_eq!(reopened["outcome"], Value::Null);

        let audit = app
            .ok(
                "query($id: ID) { auditVerify(itemId: $id) { ok itemsChecked eventsChecked } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(audit["auditVerify"]["ok"], true);
        assert_eq!(audit["auditVerify"]["eventsChecked"], 8);
    }
);

store_test!(
    evidence_is_downloaded_only_by_those_who_may_see_the_item,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "证明材料").await;
        assign(&app, &c, &id, "2026-12-31").await;
        let uploaded = upload(&app, &c.responsible_token, &id, "会议纪要.pdf", pdf()).await;
        let path = uploaded["data"]["addEvidence"]["downloadPath"]
            .as_str()
            .unwrap()
            .to_owned();

        let own = client_with(Some(&c.responsible_token))
            .get(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 200);
        assert_eq!(own.headers()["content-type"], "application/pdf");
        assert!(
            own.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''")
        );
        assert_eq!(own.bytes().await.unwrap().to_vec(), pdf());

        let supervisor = client_with(Some(&c.supervisor))
            .get(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(supervisor.status(), 200, "the supervising office sees it");
        let outsider = client_with(Some(&c.other_supervisor))
            .get(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(outsider.status(), 403);
        let stranger = client_with(Some(&c.other_leader_token))
            .get(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            stranger.status(),
            403,
            "a leader of the same agency who does not lead it"
        );
        let anonymous = client_with(None).get(app.url(&path)).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);

        // Types off the allowlist and oversized files are refused, and nothing is stored.
        let exe = upload(
            &app,
            &c.responsible_token,
            &id,
            "tool.pdf",
            b"MZ\x90\x00rest".to_vec(),
        )
        .await;
        assert_eq!(
            exe["errors"][0]["extensions"]["code"], "UNSUPPORTED_TYPE",
            "{exe:#}"
        );
        assert_eq!(
            item(&app, &id).await["evidence"].as_array().unwrap().len(),
            1
        );
    }
);

store_test!(
    oversized_evidence_is_refused_and_nothing_is_kept,
    |backend| async move {
        let app = spawn_app_with(backend, |s| s.limits.max_upload_bytes = 64 * 1024).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "大文件").await;
        assign(&app, &c, &id, "2026-12-31").await;
        let mut big = pdf();
        big.resize(200 * 1024, b' ');
        let response = client_with(Some(&c.responsible_token));
        let operations = json!({
            "query": "mutation($id: ID!, $file: Upload!) { addEvidence(itemId: $id, file: $file) { id } }",
            "variables": { "id": id, "file": null }
        });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.file"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(big).file_name("big.pdf"),
            );
        let answer = response
            .post(app.url("/graphql"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 413);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
        assert!(
            item(&app, &id).await["evidence"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
);

store_test!(
    a_stale_version_is_refused_and_changes_nothing,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "版本冲突").await;
        let v = version(&app, &id).await;
        assign(&app, &c, &id, "2026-12-31").await;
        let before = item(&app, &id).await;
        let response = app
        .graphql_as(
            Some(&c.coordinator),
            ASSIGN,
            json!({ "id": id, "v": v, "input": { "leadPersonId": c.other_leader, "dueOn": "2027-03-01", "category": "IMMEDIATE" } }),
        )
        .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "STALE_VERSION");
        assert_eq!(
            response["errors"][0]["extensions"]["currentVersion"],
            before["version"]
        );
        let after = item(&app, &id).await;
        assert_eq!(after, before, "nothing changed");
    }
);

store_test!(
    a_hundred_concurrent_changes_one_winner_per_version_and_none_lost,
    |backend| async move {
        let app = spawn_app_with(backend, |s| s.db_max_connections = 16).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "并发").await;
        assign(&app, &c, &id, "2026-12-31").await;
        act(
            &app,
            &c.leader_token,
            &id,
            "accept",
            json!({ "measures": "措施" }),
        )
        .await;
        let v = version(&app, &id).await;
        let events_before = item(&app, &id).await["history"].as_array().unwrap().len();

        // 100 writers, all holding the same version: exactly one wins.
        let tasks: Vec<_> = (0..100)
        .map(|i| {
            let client = client_with(Some(&c.responsible_token));
            let url = app.url("/graphql");
            let id = id.clone();
            tokio::spawn(async move {
                let r: Value = client
                    .post(url)
                    .json(&json!({ "query": PROGRESS, "variables": { "id": id, "p": format!("进展 {i}"), "v": v } }))
                    .send().await.unwrap().json().await.unwrap();
                r["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK").to_owned()
            })
        })
        .collect();
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        assert_eq!(codes.iter().filter(|c| *c == "OK").count(), 1, "{codes:?}");
        assert_eq!(
            codes.iter().filter(|c| *c == "STALE_VERSION").count(),
            99,
            "{codes:?}"
        );
        let after = item(&app, &id).await;
        assert_eq!(after["version"].as_i64().unwrap(), v + 1);
        assert_eq!(
            after["history"].as_array().unwrap().len(),
            events_before + 1
        );

        // 10 writers × 10 changes each, re-reading on conflict: every change lands exactly once.
        let tasks: Vec<_> = (0..10)
        .map(|w| {
            let client = client_with(Some(&c.responsible_token));
            let admin = client_with(Some(&app.admin_token));
            let url = app.url("/graphql");
            let id = id.clone();
            tokio::spawn(async move {
                let mut wins = Vec::new();
                let mut done = 0;
                while done < 10 {
                    let read: Value = admin.post(&url).json(&json!({ "query": "query($id: ID!) { item(id: $id) { version } }", "variables": { "id": id } }))
                        .send().await.unwrap().json().await.unwrap();
                    let v = read["data"]["item"]["version"].as_i64().unwrap();
                    let r: Value = client.post(&url)
                        .json(&json!({ "query": PROGRESS, "variables": { "id": id, "p": format!("writer {w} change {done}"), "v": v } }))
                        .send().await.unwrap().json().await.unwrap();
                    match r["errors"][0]["extensions"]["code"].as_str() {
                        None => { wins.push(v); done += 1; }
                        Some("STALE_VERSION") => continue,
                        Some(other) => panic!("unexpected {other}: {r}"),
                    }
                }
                wins
            })
        })
        .collect();
        let mut won_versions = Vec::new();
        for t in tasks {
            won_versions.extend(t.await.unwrap());
        }
        won_versions.sort();
        let expected: Vec<i64> = (v + 1..v + 101).collect();
        assert_eq!(won_versions, expected, "each version won exactly once");
        let last = item(&app, &id).await;
        assert_eq!(last["version"].as_i64().unwrap(), v + 101);
        let progress_events = last["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "report_progress")
            .count();
        assert_eq!(progress_events, 101, "no update lost");
        let audit = app
            .ok(
                "query($id: ID) { auditVerify(itemId: $id) { ok } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(audit["auditVerify"]["ok"], true);
    }
);

store_test!(
    responsibility_follows_the_post_and_history_keeps_who_held_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
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
    ).await;
        let id = new_item(&app, &c.dept, "岗位责任").await;
        let v = version(&app, &id).await;
        app.ok_as(&c.coordinator, ASSIGN, json!({ "id": id, "v": v, "input": {
        "leadPostId": post, "responsiblePersonId": c.responsible, "dueOn": "2026-12-31", "category": "TIME_BOUND" } })).await;

        // The holder leads; another leader of the same agency does not.
        assert_eq!(
            act(
                &app,
                &c.other_leader_token,
                &id,
                "accept",
                json!({ "measures": "m" })
            )
            .await,
            "FORBIDDEN"
        );
        assert_eq!(
            act(
                &app,
                &c.leader_token,
                &id,
                "accept",
                json!({ "measures": "m" })
            )
            .await,
            "OK"
        );

        // The post rotates today: permissions follow at once.
        app.ok(
        "mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who) { startedOn } }",
        json!({ "p": post, "who": c.other_leader }),
    ).await;
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(
                Some(&c.leader_token),
                PROGRESS,
                json!({ "id": id, "p": "旧任", "v": v })
            )
            .await,
            "FORBIDDEN"
        );
        assert_eq!(
            app.code_as(
                Some(&c.other_leader_token),
                PROGRESS,
                json!({ "id": id, "p": "新任接手", "v": v })
            )
            .await,
            "OK"
        );

        let history = item(&app, &id).await["history"].as_array().unwrap().clone();
        let holder = |action: &str| -> Value {
            let e = history.iter().find(|e| e["action"] == action).unwrap();
            serde_json::from_str::<Value>(e["payload"].as_str().unwrap()).unwrap()["lead"]["holder_person_id"].clone()
        };
        assert_eq!(holder("accept"), json!(c.leader));
        assert_eq!(holder("report_progress"), json!(c.other_leader));
        let tenures = app
            .ok(
                "query($p: ID!) { postTenures(id: $p) { personId startedOn endedOn } }",
                json!({ "p": post }),
            )
            .await;
        assert_eq!(tenures["postTenures"].as_array().unwrap().len(), 2);
        assert!(tenures["postTenures"][0]["endedOn"].is_string());
    }
);

store_test!(
    an_approved_extension_moves_the_due_date_and_is_recorded,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "延期").await;
        assign(&app, &c, &id, "2026-12-31").await;
        act(
            &app,
            &c.leader_token,
            &id,
            "accept",
            json!({ "measures": "m" }),
        )
        .await;
        let request = "mutation($id: ID!, $d: NaiveDate!, $r: String!, $v: Int!) { requestExtension(id: $id, dueOn: $d, reason: $r, expectedVersion: $v) { id status previousDueOn requestedDueOn } }";
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(
                Some(&c.responsible_token),
                request,
                json!({ "id": id, "d": "2026-06-30", "r": "提前", "v": v })
            )
            .await,
            "VALIDATION"
        );
        let asked = app
            .ok_as(
                &c.responsible_token,
                request,
                json!({ "id": id, "d": "2027-03-31", "r": "需等待上级文件", "v": v }),
            )
            .await;
        let request_id = asked["requestExtension"]["id"].as_str().unwrap().to_owned();
        assert_eq!(asked["requestExtension"]["status"], "pending");
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(
                Some(&c.responsible_token),
                request,
                json!({ "id": id, "d": "2027-04-30", "r": "again", "v": v })
            )
            .await,
            "CONFLICT"
        );

        let decide = "mutation($r: ID!, $ok: Boolean!, $v: Int!) { decideExtension(requestId: $r, approve: $ok, comment: \"同意\", expectedVersion: $v) { status previousDueOn } }";
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(
                Some(&c.leader_token),
                decide,
                json!({ "r": request_id, "ok": true, "v": v })
            )
            .await,
            "FORBIDDEN"
        );
        let decided = app
            .ok_as(
                &c.supervisor,
                decide,
                json!({ "r": request_id, "ok": true, "v": v }),
            )
            .await;
        assert_eq!(decided["decideExtension"]["status"], "approved");
        assert_eq!(decided["decideExtension"]["previousDueOn"], "2026-12-31");
        let after = item(&app, &id).await;
        assert_eq!(after["dueOn"], "2027-03-31");
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                decide,
                json!({ "r": request_id, "ok": false, "v": v })
            )
            .await,
            "CONFLICT"
        );
        let event = after["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "decide_extension")
            .unwrap()
            .clone();
        let payload: Value = serde_json::from_str(event["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["decision"], "approved");
        assert_eq!(payload["previous_due_on"], "2026-12-31");
    }
);

store_test!(
    overdue_is_judged_in_each_agencys_time_zone,
    |backend| async move {
        let app = spawn_app(backend).await;
        let east = app.ok("mutation { createAgency(input: { name: \"东端局\", timeZone: \"Pacific/Kiritimati\" }) { id } }", json!({})).await["createAgency"]["id"].as_str().unwrap().to_owned();
        let west = app.ok("mutation { createAgency(input: { name: \"西端局\", timeZone: \"Pacific/Pago_Pago\" }) { id } }", json!({})).await["createAgency"]["id"].as_str().unwrap().to_owned();
        // Today in Pago Pago (UTC-11) is already yesterday in Kiritimati (UTC+14).
        let due = chrono::Utc::now()
            .with_timezone(&chrono_tz::Pacific::Pago_Pago)
            .date_naive()
            .to_string();
        let lead = crate::workflow::person(&app, &west, "负责人").await;
        let mut ids = Vec::new();
        for agency in [&east, &west] {
            let id = new_item(&app, agency, "到期").await;
            let v = version(&app, &id).await;
            // Assigned ahead, then moved to the date (yesterday in Kiritimati: assignment
            // itself would refuse it there).
            let ahead = (today_here() + chrono::Duration::days(30)).to_string();
            app.ok(ASSIGN, json!({ "id": id, "v": v, "input": { "leadPersonId": lead, "dueOn": ahead, "category": "TIME_BOUND" } })).await;
            backdate(&app, &id, &due).await;
            ids.push(id);
        }
        assert_eq!(
            item(&app, &ids[0]).await["overdue"],
            true,
            "past the date in Kiritimati"
        );
        assert_eq!(
            item(&app, &ids[1]).await["overdue"],
            false,
            "still the day itself in Pago Pago"
        );
        let overdue = app
            .ok(
                "{ items(filter: { overdue: true }) { totalCount nodes { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(overdue["items"]["totalCount"], 1);
        assert_eq!(overdue["items"]["nodes"][0]["id"], json!(ids[0]));
    }
);

store_test!(
    an_office_can_add_a_leader_confirmation_stage,
    |backend| async move {
        let workflow = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("workflows/leader-confirmation.toml");
        let app = spawn_app_with(backend, |s| s.workflow_file = Some(workflow)).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "分管领导确认").await;
        assign(&app, &c, &id, "2026-12-31").await;
        act(
            &app,
            &c.leader_token,
            &id,
            "accept",
            json!({ "measures": "m" }),
        )
        .await;
        app.ok_as(&c.responsible_token, NOTE, json!({ "id": id }))
            .await;
        assert_eq!(
            act(&app, &c.responsible_token, &id, "submit", json!({})).await,
            "OK"
        );
        let rectified = json!({ "outcome": "RECTIFIED" });
        assert_eq!(
            act(&app, &c.supervisor, &id, "verify", rectified.clone()).await,
            "INVALID_TRANSITION"
        );
        assert_eq!(
            act(&app, &c.responsible_token, &id, "confirm", json!({})).await,
            "FORBIDDEN",
            "the lead confirms, not the responsible person"
        );
        assert_eq!(
            act(&app, &c.leader_token, &id, "confirm", json!({})).await,
            "OK"
        );
        assert_eq!(item(&app, &id).await["state"], "confirmed");
        assert_eq!(
            act(&app, &c.supervisor, &id, "verify", rectified).await,
            "OK"
        );
        assert_eq!(item(&app, &id).await["state"], "closed");
        let wf = app
            .ok("{ workflow { name states { name } } }", json!({}))
            .await;
        assert!(
            wf["workflow"]["states"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == "confirmed")
        );
    }
);

store_test!(
    an_invalid_workflow_file_stops_the_server_from_starting,
    |backend| async move {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(
            &path,
            "name = \"bad\"\ninitial = \"nowhere\"\n[[states]]\nname = \"a\"\nlabel = \"甲\"\n",
        )
        .unwrap();
        let settings = rectify::config::Settings {
            database_url: fresh_database(backend, dir.path()).await,
            data_dir: dir.path().to_path_buf(),
            bind: "127.0.0.1:0".parse().unwrap(),
            workflow_file: Some(path),
            ..Default::default()
        };
        let err = rectify::startup::Application::build(&settings, rectify::startup::Migrate::Yes)
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("bad.toml"), "{err}");
    }
);
