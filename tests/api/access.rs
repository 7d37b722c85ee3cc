//! The role × operation matrix: every mutation and the sensitive queries, for each role,
//! inside and outside its jurisdiction, each cell asserted through the real API.

use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{ASSIGN, CREATE_ITEM, NOTE, TRANSITION, assign, cast, new_item, version},
};

pub const REPORT: &str = "某市司法局2025年法治政府建设年度报告
一、2025年推进法治政府建设的主要举措
（一）深化行政执法规范化建设。全年开展执法案卷评查两次。
二、存在的不足和原因
一是行政执法人员专业素质有待提升，执法案卷质量参差不齐。
二是法治宣传教育的针对性不强，普法形式较为单一。
三、2026年推进法治政府建设的主要安排
（一）加强行政执法队伍建设，开展执法人员专业培训和案卷评查。
（二）创新普法宣传形式，提升法治宣传教育针对性。
某市司法局
2026年1月20日";

/// Assigns several items at once.
pub const ASSIGN_MANY: &str = "mutation($items: [ItemVersionInput!]!, $input: AssignItemInput!) {
  assignItems(items: $items, input: $input) { id version state } }";

/// Who calls, in the order of the matrix's columns.
const CALLERS: [&str; 9] = [
    "admin",
    "supervisor",
    "supervisor (other city)",
    "coordinator",
    "coordinator (other city)",
    "leader (leads it)",
    "leader (does not)",
    "person (responsible)",
    "anonymous",
];

/// Each operation and the outcome expected for each caller, in CALLERS order.
/// OK: allowed; SEES / EMPTY: a list that shows the item or not; otherwise the error code.
const MATRIX: &[(&str, [&str; 9])] = {
    const F: &str = "FORBIDDEN";
    const U: &str = "UNAUTHENTICATED";
    const MANAGE: [&str; 9] = ["OK", "OK", F, "OK", F, F, F, F, U];
    const ADMIN_ONLY: [&str; 9] = ["OK", F, F, F, F, F, F, F, U];
    &[
        ("agency", ["OK", "OK", F, "OK", F, "OK", "OK", "OK", U]),
        (
            "items",
            [
                "SEES", "SEES", "EMPTY", "SEES", "EMPTY", "SEES", "EMPTY", "SEES", U,
            ],
        ),
        ("item", ["OK", "OK", F, "OK", F, "OK", F, "OK", U]),
        ("itemHistory", ["OK", "OK", F, "OK", F, "OK", F, "OK", U]),
        ("report", ["OK", "OK", F, "OK", F, "OK", "OK", "OK", U]),
        // The section sums up every item of the agency: not for accounts limited to their own.
        ("rectificationSection", ["OK", "OK", F, "OK", F, F, F, F, U]),
        ("dashboard", ["OK", "OK", F, "OK", F, F, F, F, U]),
        ("persons", ["OK", "OK", F, "OK", F, "OK", "OK", "OK", U]),
        ("createAgency", ["OK", "OK", F, F, F, F, F, F, U]),
        ("createPerson", MANAGE),
        ("updatePerson", MANAGE),
        ("createPost", MANAGE),
        ("setAgencyWebhook", MANAGE),
        ("agencyWebhook", MANAGE),
        ("importReport", MANAGE),
        // A reviewed extraction is authorized exactly as an import of the text.
        ("importReportReviewed", MANAGE),
        ("confirmLink", MANAGE),
        ("createItem", MANAGE),
        ("splitItem", MANAGE),
        ("assignItem", MANAGE),
        // Authorized per item: the batch is refused whole unless every item is within reach.
        ("assignItems", MANAGE),
        ("appointToPost", MANAGE),
        ("accept", [F, F, F, F, F, "OK", F, "OK", U]),
        ("reportProgress", [F, F, F, "OK", F, "OK", F, "OK", U]),
        ("requestExtension", [F, F, F, "OK", F, "OK", F, "OK", U]),
        ("decideExtension", ["OK", "OK", F, F, F, F, F, F, U]),
        ("cancel", ["OK", "OK", F, F, F, F, F, F, U]),
        // Another account's token: those who manage that account (admins, supervisors above it).
        ("revokeToken", ["OK", "OK", F, F, F, F, F, F, U]),
        ("accounts", ["SEES", "SEES", "EMPTY", F, F, F, F, F, U]),
        ("disableAccount", ["OK", "OK", F, F, F, F, F, F, U]),
        ("resetPassword", ["OK", "OK", F, F, F, F, F, F, U]),
        ("issueFirstSignInLink", ["OK", "OK", F, F, F, F, F, F, U]),
        ("accountTokens", ["OK", "OK", F, F, F, F, F, F, U]),
        ("urge", [F, "OK", F, F, F, F, F, F, U]),
        ("addEvidence", [F, F, F, "OK", F, "OK", F, "OK", U]),
        ("verify", [F, "OK", F, F, F, F, F, F, U]),
        ("auditVerify", ["OK", "OK", F, F, F, F, F, F, U]),
        // The chain heads within reach: another city's office gets its own (none of these).
        ("auditDigest", ["SEES", "SEES", "EMPTY", F, F, F, F, F, U]),
        (
            "audit/digests.jsonl",
            ["SEES", "SEES", "EMPTY", F, F, F, F, F, U],
        ),
        // The 考核 figures: authorized like the dashboard.
        ("appraisal.xlsx", ["OK", "OK", F, "OK", F, F, F, F, U]),
        ("createAccount", ["OK", "OK", F, F, F, F, F, F, U]),
        // Who supervises whom is decided above every office.
        ("supervisions", ADMIN_ONLY),
        ("grantSupervision", ADMIN_ONLY),
        ("endSupervision", ADMIN_ONLY),
        // A feed is a person's: accounts acting for none (here admin, supervisors and
        // coordinators) have none to create.
        ("createCalendarFeed", [F, F, F, F, F, "OK", "OK", "OK", U]),
        ("revokeCalendarFeed", ["OK", F, F, F, F, F, F, F, U]),
        (
            "calendarFeeds",
            ["OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", U],
        ),
        // A row moving an assigned item's 完成时限 is an assignment (交办).
        ("importLedger", MANAGE),
        (
            "ledger.xlsx",
            ["SEES", "SEES", F, "SEES", F, "SEES", "EMPTY", "SEES", U],
        ),
    ]
};

struct World {
    c: crate::workflow::Cast,
    item: String,
    report: String,
    link: String,
}

fn code(response: &Value) -> String {
    match response["errors"][0]["extensions"]["code"].as_str() {
        Some(code) => code.to_owned(),
        None if response.get("errors").is_none() => "OK".into(),
        None => panic!("an error without a code: {response:#}"),
    }
}

/// Runs `op` as `token` on fresh data where it writes; returns the outcome.
async fn run(app: &TestApp, w: &World, op: &str, token: Option<&str>, n: usize) -> String {
    let c = &w.c;
    let call = |q: &'static str, v: Value| async move { code(&app.graphql_as(token, q, v).await) };
    match op {
        "agency" => call("query($id: ID!) { agency(id: $id) { id } }", json!({ "id": c.dept })).await,
        "items" => {
            let r = app.graphql_as(token, "{ items(first: 200) { nodes { id } } }", json!({})).await;
            if r.get("errors").is_some() {
                return code(&r);
            }
            let sees = r["data"]["items"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == json!(w.item));
            if sees { "SEES" } else { "EMPTY" }.into()
        }
        "item" => call("query($id: ID!) { item(id: $id) { id } }", json!({ "id": w.item })).await,
        "itemHistory" => call("query($id: ID!) { itemHistory(id: $id) { seq } }", json!({ "id": w.item })).await,
        "report" => call("query($id: ID!) { report(id: $id) { id } }", json!({ "id": w.report })).await,
        "rectificationSection" => call("query($a: ID!) { rectificationSection(agencyId: $a, year: 2025) { summary } }", json!({ "a": c.dept })).await,
        "dashboard" => call("query($a: ID!) { dashboard(agencyId: $a) { figures { total } } }", json!({ "a": c.dept })).await,
        "persons" => call("query($a: ID!) { persons(agencyId: $a) { totalCount } }", json!({ "a": c.dept })).await,
        "createAgency" => {
            let r = app.graphql_as(token, "mutation($n: String!, $p: ID!) { createAgency(input: { name: $n, parentId: $p }) { id } }",
                json!({ "n": format!("下属单位{n}"), "p": c.dept })).await;
            code(&r)
        }
        "createPerson" => call("mutation($a: ID!) { createPerson(input: { agencyId: $a, name: \"赵六\" }) { id } }", json!({ "a": c.dept })).await,
        "updatePerson" => call("mutation($id: ID!) { updatePerson(id: $id, input: { title: \"局长\" }) { id } }", json!({ "id": c.leader })).await,
        "createPost" => {
            let r = app.graphql_as(token, "mutation($a: ID!, $t: String!) { createPost(agencyId: $a, title: $t) { id } }",
                json!({ "a": c.dept, "t": format!("岗位{n}") })).await;
            code(&r)
        }
        "setAgencyWebhook" => call(
            "mutation($a: ID!, $u: String) { setAgencyWebhook(agencyId: $a, url: $u) { url } }",
            json!({ "a": c.dept, "u": format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k{n}") }),
        ).await,
        "agencyWebhook" => call(
            "query($a: ID!) { agencyWebhook(agencyId: $a) { url } }",
            json!({ "a": c.dept }),
        ).await,
        "importReport" => call("mutation($t: String!, $a: ID!) { importReport(input: { text: $t, agencyId: $a, dryRun: true }) { status } }",
            json!({ "t": REPORT, "a": c.dept })).await,
        "importReportReviewed" => call("mutation($t: String!, $a: ID!) { importReport(input: { text: $t, agencyId: $a, dryRun: true,
                reviewed: { year: 2019, shortcomings: [{ text: \"人工核对的问题。\" }] } }) { status } }",
            json!({ "t": REPORT, "a": c.dept })).await,
        "confirmLink" => call("mutation($id: ID!) { confirmLink(id: $id) { id } }", json!({ "id": w.link })).await,
        "createItem" => call(CREATE_ITEM, json!({ "input": { "agencyId": c.dept, "title": "巡察反馈问题", "source": "PATROL" } })).await,
        "splitItem" => {
            let id = new_item(app, &c.dept, "待拆分").await;
            let r = app.graphql_as(token, "mutation($id: ID!) { splitItem(id: $id, titles: [\"一\", \"二\"], expectedVersion: 1) { id } }", json!({ "id": id })).await;
            code(&r)
        }
        "assignItem" => {
            let id = new_item(app, &c.dept, "待交办").await;
            let r = app.graphql_as(token, ASSIGN, json!({ "id": id, "v": 1, "input": {
                "leadPersonId": c.leader, "dueOn": "2026-12-31", "category": "TIME_BOUND" } })).await;
            code(&r)
        }
        "assignItems" => {
            let a = new_item(app, &c.dept, "待交办一").await;
            let b = new_item(app, &c.dept, "待交办二").await;
            let r = app.graphql_as(token, ASSIGN_MANY, json!({
                "items": [{ "id": a, "expectedVersion": 1 }, { "id": b, "expectedVersion": 1 }],
                "input": { "leadPersonId": c.leader, "dueOn": "2026-12-31", "category": "TIME_BOUND" } })).await;
            let outcome = code(&r);
            if outcome != "OK" {
                assert_eq!((version(app, &a).await, version(app, &b).await), (1, 1), "a refused batch changed an item");
            }
            outcome
        }
        "accept" | "urge" | "addEvidence" | "verify" => {
            let id = new_item(app, &c.dept, "流转").await;
            assign(app, c, &id, "2026-12-31").await;
            if op == "verify" {
                app.ok_as(&c.leader_token, TRANSITION, json!({ "id": id, "action": "accept", "measures": "m", "v": version(app, &id).await })).await;
                app.ok_as(&c.responsible_token, NOTE, json!({ "id": id })).await;
                app.ok_as(&c.responsible_token, TRANSITION, json!({ "id": id, "action": "submit", "v": version(app, &id).await })).await;
            }
            let v = version(app, &id).await;
            let r = match op {
                "accept" => app.graphql_as(token, TRANSITION, json!({ "id": id, "action": "accept", "measures": "措施", "v": v })).await,
                "urge" => app.graphql_as(token, TRANSITION, json!({ "id": id, "action": "urge", "comment": "请加快进度", "v": v })).await,
                "verify" => app.graphql_as(token, TRANSITION, json!({ "id": id, "action": "verify", "outcome": "RECTIFIED", "v": v })).await,
                _ => app.graphql_as(token, NOTE, json!({ "id": id })).await,
            };
            let outcome = code(&r);
            if outcome != "OK" {
                assert_eq!(version(app, &id).await, v, "{op} refused but the item changed");
            }
            outcome
        }
        "appointToPost" => {
            let post = app
                .ok("mutation($a: ID!, $t: String!) { createPost(agencyId: $a, title: $t) { id } }", json!({ "a": c.dept, "t": format!("职务{n}") }))
                .await["createPost"]["id"].as_str().unwrap().to_owned();
            call("mutation($p: ID!, $who: ID!) { appointToPost(postId: $p, personId: $who) { startedOn } }", json!({ "p": post, "who": c.leader })).await
        }
        "reportProgress" | "requestExtension" | "decideExtension" | "cancel" => {
            let id = new_item(app, &c.dept, "进行中").await;
            assign(app, c, &id, "2026-12-31").await;
            app.ok_as(&c.leader_token, TRANSITION, json!({ "id": id, "action": "accept", "measures": "m", "v": version(app, &id).await })).await;
            let request = "mutation($id: ID!, $d: NaiveDate!, $v: Int!) { requestExtension(id: $id, dueOn: $d, reason: \"等待批复\", expectedVersion: $v) { id } }";
            let v = version(app, &id).await;
            let r = match op {
                "reportProgress" => app.graphql_as(token, crate::workflow::PROGRESS, json!({ "id": id, "p": "进展", "v": v })).await,
                "requestExtension" => app.graphql_as(token, request, json!({ "id": id, "d": "2027-06-30", "v": v })).await,
                "cancel" => app.graphql_as(token, TRANSITION, json!({ "id": id, "action": "cancel", "comment": "已合并", "v": v })).await,
                _ => {
                    let asked = app.ok_as(&c.responsible_token, request, json!({ "id": id, "d": "2027-06-30", "v": v })).await;
                    let req = asked["requestExtension"]["id"].as_str().unwrap().to_owned();
                    let v = version(app, &id).await;
                    app.graphql_as(token, "mutation($r: ID!, $v: Int!) { decideExtension(requestId: $r, approve: true, expectedVersion: $v) { status } }", json!({ "r": req, "v": v })).await
                }
            };
            code(&r)
        }
        "revokeToken" => {
            // Someone else's token: a fresh account's, so every caller is a stranger to it.
            let victim = format!("victim{n}@test.local");
            issue_account(&app.services, &victim, rectify::domain::AccountRole::Coordinator, Some(c.dept.parse().unwrap()), None).await;
            let account = app.store.account_by_email(&victim).await.unwrap().unwrap();
            let token = app.services.issue_token(account.id, "victim", None).await.unwrap();
            call("mutation($id: ID!) { revokeToken(id: $id) }", json!({ "id": token.token.id.to_string() })).await
        }
        "accounts" => {
            let r = app.graphql_as(token, "{ accounts(first: 200) { nodes { agencyId } } }", json!({})).await;
            if r.get("errors").is_some() {
                return code(&r);
            }
            let sees = r["data"]["accounts"]["nodes"].as_array().unwrap().iter().any(|n| n["agencyId"] == json!(c.dept));
            if sees { "SEES" } else { "EMPTY" }.into()
        }
        "disableAccount" | "resetPassword" | "accountTokens" | "issueFirstSignInLink" => {
            // A fresh account of the department, so every caller meets it as it is.
            let victim = format!("managed{n}@test.local");
            issue_account(&app.services, &victim, rectify::domain::AccountRole::Coordinator, Some(c.dept.parse().unwrap()), None).await;
            let id = app.store.account_by_email(&victim).await.unwrap().unwrap().id.to_string();
            match op {
                "disableAccount" => call("mutation($id: ID!) { disableAccount(id: $id) { id } }", json!({ "id": id })).await,
                "resetPassword" => call("mutation($id: ID!) { resetPassword(accountId: $id, newPassword: \"a new password 1\") }", json!({ "id": id })).await,
                "issueFirstSignInLink" => call("mutation($id: ID!) { issueFirstSignInLink(accountId: $id) { url } }", json!({ "id": id })).await,
                _ => call("query($id: ID!) { accountTokens(accountId: $id) { id } }", json!({ "id": id })).await,
            }
        }
        "auditVerify" => call("query($id: ID) { auditVerify(itemId: $id) { ok } }", json!({ "id": w.item })).await,
        "createAccount" => {
            // A person with no account yet (one person has one account per role).
            let fresh = crate::workflow::person(app, &c.dept, "新人").await;
            let r = app.graphql_as(token, "mutation($e: String!, $a: ID!, $p: ID!) { createAccount(input: { email: $e, role: PERSON, agencyId: $a, personId: $p }) { id } }",
                json!({ "e": format!("new{n}@test.local"), "a": c.dept, "p": fresh })).await;
            code(&r)
        }
        "supervisions" => call("{ supervisions { id } }", json!({})).await,
        "grantSupervision" | "endSupervision" => {
            // A fresh unit under the city, so no caller's reach changes with the matrix.
            let unit = app.create_agency(&format!("受督单位{n}"), Some(&c.city)).await;
            let grant = "mutation($o: ID!, $a: ID!) { grantSupervision(input: { officeId: $o, agencyId: $a }) { id } }";
            let vars = json!({ "o": c.city, "a": unit });
            if op == "grantSupervision" {
                return call(grant, vars).await;
            }
            let granted = app.ok(grant, vars).await;
            call("mutation($id: ID!) { endSupervision(id: $id) { id } }", json!({ "id": granted["grantSupervision"]["id"] })).await
        }
        "createCalendarFeed" => call("mutation { createCalendarFeed { token } }", json!({})).await,
        "revokeCalendarFeed" => {
            // Someone else's feed: a fresh person's, so every caller is a stranger to it.
            let victim = crate::workflow::person(app, &c.dept, "赵六").await;
            let token = issue_account(&app.services, &format!("feed{n}@test.local"), rectify::domain::AccountRole::Person,
                Some(c.dept.parse().unwrap()), Some(victim.parse().unwrap())).await;
            let feed = app.ok_as(&token, "mutation { createCalendarFeed { feed { id } } }", json!({})).await;
            let id = feed["createCalendarFeed"]["feed"]["id"].clone();
            call("mutation($id: ID!) { revokeCalendarFeed(id: $id) { revokedAt } }", json!({ "id": id })).await
        }
        "calendarFeeds" => call("{ calendarFeeds { id } }", json!({})).await,
        "importLedger" => {
            let id = new_item(app, &c.dept, "台账导入").await;
            assign(app, c, &id, "2026-12-31").await;
            let v = version(app, &id).await;
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            for (col, (header, value)) in [("事项ID", id.clone()), ("版本", v.to_string()), ("完成时限", "2027-06-30".to_owned())].iter().enumerate() {
                sheet.write_string(0, col as u16, *header).unwrap();
                sheet.write_string(1, col as u16, value).unwrap();
            }
            let r = crate::ledger::import_as(app, token, workbook.save_to_buffer().unwrap(), false, false).await;
            let outcome = match code(&r).as_str() {
                "OK" => {
                    let report = &r["data"]["importLedger"];
                    match report["rejected"][0]["code"].as_str() {
                        Some(code) => code.to_owned(),
                        None if report["applied"] == true => "OK".to_owned(),
                        None => panic!("neither applied nor rejected: {r:#}"),
                    }
                }
                other => other.to_owned(),
            };
            if outcome != "OK" {
                assert_eq!(version(app, &id).await, v, "importLedger refused but the item changed");
            }
            outcome
        }
        "auditDigest" => {
            let r = app.graphql_as(token, "{ auditDigest { itemId } }", json!({})).await;
            if r.get("errors").is_some() {
                return code(&r);
            }
            let sees = r["data"]["auditDigest"].as_array().unwrap().iter().any(|d| d["itemId"] == json!(w.item));
            if sees { "SEES" } else { "EMPTY" }.into()
        }
        "audit/digests.jsonl" => {
            let response = client_with(token).get(app.url("/audit/digests.jsonl")).send().await.unwrap();
            if response.status() != 200 {
                return code(&response.json::<Value>().await.unwrap());
            }
            let text = response.text().await.unwrap();
            if text.contains(&w.item) { "SEES" } else { "EMPTY" }.into()
        }
        "appraisal.xlsx" => {
            let response = client_with(token).get(app.url(&format!("/appraisal.xlsx?agency={}", c.dept))).send().await.unwrap();
            if response.status() == 200 {
                return "OK".into();
            }
            code(&response.json::<Value>().await.unwrap())
        }
        "ledger.xlsx" => {
            let response = crate::ledger::export(app, token, &c.dept, "agency").await;
            if response.status() != 200 {
                return code(&response.json::<Value>().await.unwrap());
            }
            let sheet = crate::ledger::parse(&response.bytes().await.unwrap());
            if sheet.item_ids().contains(&w.item) { "SEES" } else { "EMPTY" }.into()
        }
        "renameAgency" | "moveAgency" => {
            // A fresh unit under the city, so no caller's reach changes with the matrix.
            let unit = app.create_agency(&format!("待调整单位{n}"), Some(&c.city)).await;
            let r = if op == "renameAgency" {
                app.graphql_as(token, "mutation($id: ID!, $n: String!) { renameAgency(id: $id, name: $n) { name } }",
                    json!({ "id": unit, "n": format!("已更名单位{n}") })).await
            } else {
                app.graphql_as(token, "mutation($id: ID!, $p: ID!) { moveAgency(id: $id, parentId: $p) { parent { id } } }",
                    json!({ "id": unit, "p": c.dept })).await
            };
            let outcome = code(&r);
            if outcome != "OK" {
                let now = app.store.agency(unit.parse().unwrap()).await.unwrap().unwrap();
                assert_eq!(now.name, format!("待调整单位{n}"), "{op} refused but the name changed");
                assert_eq!(now.parent_id.map(|p| p.to_string()), Some(c.city.clone()), "{op} refused but it moved");
            }
            outcome
        }
        "changeAccountRole" | "accountSessions" | "revokeSession" => {
            // A fresh account of the department with a web session, so every caller meets
            // it as it is.
            let email = format!("admin-ops{n}@test.local");
            let account = app.services.create_account(&rectify::service::Actor::System, rectify::service::auth::AccountInput {
                email: email.clone(), password: Some("a password of ten".into()),
                role: rectify::domain::AccountRole::Coordinator, agency_id: Some(c.dept.parse().unwrap()), person_id: None,
            }).await.unwrap();
            let session = app.services.start_session(&email, "a password of ten", None).await.unwrap();
            match op {
                "changeAccountRole" => {
                    let fresh = crate::workflow::person(app, &c.dept, "新任领导").await;
                    let r = app.graphql_as(token, "mutation($id: ID!, $a: ID!, $p: ID!) { changeAccountRole(id: $id, role: LEADER, agencyId: $a, personId: $p) { role } }",
                        json!({ "id": account.id.to_string(), "a": c.dept, "p": fresh })).await;
                    let outcome = code(&r);
                    let role = app.store.account(account.id).await.unwrap().unwrap().role;
                    assert_eq!(role == "leader", outcome == "OK", "{op}: {outcome} but the role is {role}");
                    outcome
                }
                "accountSessions" => {
                    let r = app.graphql_as(token, "query($id: ID!) { accountSessions(accountId: $id) { id } }", json!({ "id": account.id.to_string() })).await;
                    let outcome = code(&r);
                    if outcome == "OK" {
                        assert_eq!(r["data"]["accountSessions"][0]["id"], json!(session.session.id.to_string()));
                    }
                    outcome
                }
                _ => {
                    let r = app.graphql_as(token, "mutation($id: ID!) { revokeSession(id: $id) }", json!({ "id": session.session.id.to_string() })).await;
                    let outcome = code(&r);
                    let live = app.services.resume_session(&session.secret).await.unwrap().is_some();
                    assert_eq!(live, outcome != "OK", "{op}: {outcome} but the session is live: {live}");
                    outcome
                }
            }
        }
        "agencyPosts" => call("query($a: ID!) { agencyPosts(agencyId: $a) { id } }", json!({ "a": c.dept })).await,
        other => panic!("no operation {other}"),
    }
}

store_test!(
    every_role_may_do_what_its_scope_allows_and_nothing_else,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let item = new_item(&app, &c.dept, "矩阵").await;
        assign(&app, &c, &item, "2026-12-31").await;
        let imported = app
        .ok("mutation($t: String!, $a: ID!) { importReport(input: { text: $t, agencyId: $a }) { report { id shortcomings { links { id } } } } }",
            json!({ "t": REPORT, "a": c.dept }))
        .await;
        let report = imported["importReport"]["report"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let link = imported["importReport"]["report"]["shortcomings"][0]["links"][0]["id"]
            .as_str()
            .expect("the import proposes a link")
            .to_owned();
        let world = World {
            item,
            report,
            link,
            c,
        };
        let c = &world.c;
        let tokens: [Option<&str>; 9] = [
            Some(&app.admin_token),
            Some(&c.supervisor),
            Some(&c.other_supervisor),
            Some(&c.coordinator),
            Some(&c.other_coordinator),
            Some(&c.leader_token),
            Some(&c.other_leader_token),
            Some(&c.responsible_token),
            None,
        ];
        let mut failures = Vec::new();
        let mut cells = 0;
        for (op, expected) in MATRIX {
            for (i, token) in tokens.iter().enumerate() {
                let got = run(&app, &world, op, *token, cells).await;
                cells += 1;
                if got != expected[i] {
                    failures.push(format!(
                        "{op} as {}: expected {}, got {got}",
                        CALLERS[i], expected[i]
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {cells} cells wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert_eq!(cells, MATRIX.len() * CALLERS.len());
        // Nested references stop at the jurisdiction's edge too.
        let parent = "query($id: ID!) { agency(id: $id) { parent { id } } }";
        let seen = app
            .ok_as(&c.supervisor, parent, json!({ "id": c.dept }))
            .await;
        assert_eq!(seen["agency"]["parent"]["id"], json!(c.city));
        let hidden = app
            .ok_as(&c.coordinator, parent, json!({ "id": c.dept }))
            .await;
        assert_eq!(hidden["agency"]["parent"], Value::Null);
        let listed = app
            .ok_as(
                &c.other_supervisor,
                "{ agencies { totalCount nodes { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            listed["agencies"]["totalCount"], 1,
            "only its own city: {listed}"
        );
        assert_eq!(listed["agencies"]["nodes"][0]["id"], json!(c.other_city));
    }
);

store_test!(
    tokens_expire_and_can_be_revoked_and_passwords_sign_in,
    |backend| async move {
        let app = spawn_app(backend).await;
        let agency = app.create_agency("某市司法局", None).await;
        app.ok(
        "mutation($a: ID!) { createAccount(input: { email: \"Coord@Test.local\", password: \"correct horse battery\", role: COORDINATOR, agencyId: $a }) { id email } }",
        json!({ "a": agency }),
    ).await;
        let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token tokenId expiresAt } }";
        assert_eq!(
            app.code_as(
                None,
                login,
                json!({ "e": "coord@test.local", "p": "wrong password!" })
            )
            .await,
            "UNAUTHENTICATED"
        );
        assert_eq!(
            app.code_as(
                None,
                login,
                json!({ "e": "nobody@test.local", "p": "correct horse battery" })
            )
            .await,
            "UNAUTHENTICATED"
        );
        let session = app
            .graphql_as(
                None,
                login,
                json!({ "e": "coord@test.local", "p": "correct horse battery" }),
            )
            .await;
        let token = session["data"]["login"]["token"]
            .as_str()
            .expect("signed in")
            .to_owned();
        assert!(token.starts_with("rfy_"));
        assert!(session["data"]["login"]["expiresAt"].is_string());
        let me = app.ok_as(&token, "{ me { email role } }", json!({})).await;
        assert_eq!(me["me"]["role"], "coordinator");

        // Stored only as a digest.
        let stored = app.store.token_by_hash(&token).await.unwrap();
        assert!(
            stored.is_none(),
            "the secret itself is not a key in the store"
        );

        // An unknown token is refused outright (HTTP 401), not treated as anonymous.
        let bogus = client_with(Some("rfy_not-a-token"))
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ me { email } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(bogus.status(), 401);

        app.ok_as(&token, "mutation { logout }", json!({})).await;
        let after = client_with(Some(&token))
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ me { email } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 401, "a revoked token no longer works");

        // An expired token is refused.
        let account = app
            .store
            .account_by_email("coord@test.local")
            .await
            .unwrap()
            .unwrap();
        let expired = app
            .services
            .issue_token(
                account.id,
                "old",
                Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
            )
            .await
            .unwrap();
        let old = client_with(Some(&expired.secret))
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ me { email } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), 401);

        // Nobody but an admin creates an admin; a short password is refused.
        let sup = app
            .token_for(
                rectify::domain::AccountRole::Supervisor,
                Some(&agency),
                None,
            )
            .await;
        assert_eq!(app.code_as(Some(&sup), "mutation { createAccount(input: { email: \"x@test.local\", role: ADMIN }) { id } }", json!({})).await, "FORBIDDEN");
        assert_eq!(app.code_as(Some(&app.admin_token), "mutation($a: ID!) { createAccount(input: { email: \"y@test.local\", password: \"short\", role: COORDINATOR, agencyId: $a }) { id } }", json!({ "a": agency })).await, "VALIDATION");
    }
);
