//! The tallies dashboards read are kept by the database in the transaction of every item
//! write. Whatever writes happen (assignments, extensions, submissions, verification,
//! returns, cancellation, reopening, report imports and their dry runs, writes racing a
//! recount), and on whatever day the window is moved to, they must agree with a count of
//! the items themselves.

use chrono::{Duration, NaiveDate};
use rectify::{
    domain::dashboard::StateNames,
    service::{Actor, dashboard::Reach},
    store::{dashboard::DashboardScope, tallies::TallyWindow},
};
use serde_json::json;

use crate::{
    dashboards::finish,
    helpers::*,
    store_test,
    workflow::{act, assign, cast, new_item, version},
};

const DECIDE_EXTENSION: &str = "mutation($r: ID!, $v: Int!) {
  decideExtension(requestId: $r, approve: true, comment: \"同意\", expectedVersion: $v) { status } }";
const REQUEST_EXTENSION: &str = "mutation($id: ID!, $d: NaiveDate!, $v: Int!) {
  requestExtension(id: $id, dueOn: $d, reason: \"需等待上级文件\", expectedVersion: $v) { id } }";
const IMPORT: &str =
    "mutation($input: ImportReportInput!) { importReport(input: $input) { status } }";
const REPORT: &str = "某市司法局2025年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次。\n\
二、存在的不足\n一是普法宣传形式单一，针对性和实效性不强。\n二是行政执法人员专业能力不足，执法培训覆盖面窄。\n\
三是行政复议案件办理质量有待提高。\n\
三、2026年工作计划\n（一）创新普法宣传形式。\n（二）加强执法队伍建设。\n\
某市司法局\n2026年1月20日\n";

fn day(today: NaiveDate, offset: i64) -> String {
    (today + Duration::days(offset)).to_string()
}

/// Asserts that the kept tallies for `scope` are this zone's and equal a count of the items.
async fn assert_kept_tallies_agree(app: &TestApp, scope: &DashboardScope, when: &str) {
    let names = StateNames::default();
    let kept = app
        .store
        .kept_unit_tallies(scope, names)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{when}: the window is {}'s week", scope.today));
    let counted = app.store.counted_unit_tallies(scope, names).await.unwrap();
    assert!(
        !counted.units.is_empty(),
        "{when}: there is something to count"
    );
    assert_eq!(kept, counted, "{when}");
}

store_test!(
    kept_tallies_agree_with_the_items_after_every_kind_of_write_and_on_every_day,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let finance = app.create_agency("某市财政局", Some(&c.city)).await;
        let resolved = app
            .services
            .dashboard_scope(&Actor::System, c.city.parse().unwrap(), Reach::Jurisdiction)
            .await
            .unwrap();
        let scope = resolved.zones[0].clone();
        let today = scope.today;
        // Items before the tallies were ever counted, then the first count.
        let mut items = Vec::new();
        for (n, offset) in [-10, -1, 0, 3, 7, 8, 30].into_iter().enumerate() {
            let id = new_item(&app, &c.dept, &format!("问题{n}")).await;
            assign(&app, &c, &id, &day(today, offset)).await;
            items.push(id);
        }
        new_item(&app, &finance, "预算公开不及时").await;
        assert!(app.store.move_tally_window(today).await.unwrap());
        assert!(
            !app.store.move_tally_window(today).await.unwrap(),
            "already there"
        );
        assert_kept_tallies_agree(&app, &scope, "after the first count").await;

        // Every kind of write after it, kept by the triggers alone.
        let unassigned = new_item(&app, &c.dept, "政务公开栏目更新不及时").await;
        assign(&app, &c, &unassigned, &day(today, 1)).await; // re-dated
        finish(&app, &c, &items[2]).await; // submitted on its due day: on time
        finish(&app, &c, &items[0]).await; // ten days late
        let rectified = json!({ "outcome": "RECTIFIED" });
        assert_eq!(
            act(&app, &c.supervisor, &items[2], "verify", rectified.clone()).await,
            "OK"
        );
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &items[0],
                "reject",
                json!({ "comment": "佐证不足" })
            )
            .await,
            "OK"
        );
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &items[6],
                "cancel",
                json!({ "comment": "重复" })
            )
            .await,
            "OK"
        );
        // An approved extension moves an item from "due within a week" to later.
        assert_eq!(
            act(
                &app,
                &c.leader_token,
                &items[3],
                "accept",
                json!({ "measures": "培训" })
            )
            .await,
            "OK"
        );
        let v2 = version(&app, &items[3]).await;
        let asked = app
            .ok_as(
                &c.responsible_token,
                REQUEST_EXTENSION,
                json!({ "id": items[3], "d": day(today, 20), "v": v2 }),
            )
            .await;
        let request = asked["requestExtension"]["id"].as_str().unwrap().to_owned();
        let v3 = version(&app, &items[3]).await;
        app.ok_as(
            &c.supervisor,
            DECIDE_EXTENSION,
            json!({ "r": request, "v": v3 }),
        )
        .await;
        // Reopening a closed item clears its submission.
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &items[2],
                "reopen",
                json!({ "comment": "复查发现反弹" })
            )
            .await,
            "OK"
        );
        // A report import (bulk inserts), after a dry run that is rolled back.
        for dry_run in [true, false] {
            let r = app
                .ok(
                    IMPORT,
                    json!({ "input": { "text": REPORT, "agencyId": c.dept, "dryRun": dry_run } }),
                )
                .await;
            assert_eq!(r["importReport"]["status"], "CREATED");
        }
        assert_kept_tallies_agree(&app, &scope, "after the writes").await;

        // Writes racing recounts of later days.
        let mut writers = Vec::new();
        for (n, id) in items.iter().enumerate().skip(4).take(2) {
            for round in 0..5 {
                let app_client = app.client.clone();
                let url = app.url("/graphql");
                let id = id.clone();
                let c_leader = c.leader.clone();
                let c_responsible = c.responsible.clone();
                let c_dept = c.dept.clone();
                // Assignment takes no past date: the racing writers re-date within the next 12 days.
                let due = day(today, (n as i64 * 3 + round) % 12);
                writers.push(tokio::spawn(async move {
                    // Each writer re-reads the version and retries on a stale one.
                    for _ in 0..20 {
                        let v: serde_json::Value = app_client
                            .post(&url)
                            .json(&json!({ "query": "query($id: ID!) { item(id: $id) { version } }", "variables": { "id": id } }))
                            .send().await.unwrap().json().await.unwrap();
                        let v = v["data"]["item"]["version"].as_i64().unwrap();
                        let r: serde_json::Value = app_client
                            .post(&url)
                            .json(&json!({ "query": crate::workflow::ASSIGN, "variables": { "id": id, "v": v, "input": {
                                "leadPersonId": c_leader, "responsiblePersonId": c_responsible,
                                "leadUnitId": c_dept, "dueOn": due, "category": "TIME_BOUND" } } }))
                            .send().await.unwrap().json().await.unwrap();
                        if r.get("errors").is_none() {
                            return;
                        }
                        assert_eq!(r["errors"][0]["extensions"]["code"], "STALE_VERSION", "{r}");
                    }
                    panic!("an assignment never got through");
                }));
            }
        }
        for k in 1..=3 {
            app.store
                .move_tally_window(today + Duration::days(k))
                .await
                .unwrap();
        }
        for w in writers {
            w.await.unwrap();
        }
        // And every day from then on, across each bucket's edges.
        for k in [3, 4, 5, 8, 9, 10, 11, 15, 40] {
            let later = DashboardScope {
                today: today + Duration::days(k),
                ..scope.clone()
            };
            app.store.move_tally_window(later.today).await.unwrap();
            assert_kept_tallies_agree(&app, &later, &format!("{k} days on")).await;
        }

        // A zone whose day is behind the window is counted from the items.
        let behind = DashboardScope {
            today,
            ..scope.clone()
        };
        let names = StateNames::default();
        assert!(
            app.store
                .kept_unit_tallies(&behind, names)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            app.store.unit_tallies(&behind, names).await.unwrap(),
            app.store
                .counted_unit_tallies(&behind, names)
                .await
                .unwrap(),
        );
    }
);

store_test!(
    the_reminder_sweep_moves_the_tallies_to_today,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        new_item(&app, &c.dept, "执法案卷不规范").await;
        assert!(
            app.store.tally_window().await.unwrap().is_empty(),
            "a new database has never counted"
        );
        app.reminders.sweep().await.unwrap();
        let today = app.services.today();
        assert_eq!(
            app.store.tally_window().await.unwrap(),
            TallyWindow::for_day(today)
        );
        assert!(
            !app.store.move_tally_window(today).await.unwrap(),
            "the day's recount is done"
        );
    }
);
