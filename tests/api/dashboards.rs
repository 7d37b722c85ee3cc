//! Supervisors' dashboards through the real API: the figures after a realistic workflow, the
//! agency and jurisdiction scopes, and who may see them.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{ASSIGN, NOTE, act, cast, new_item, version},
};

const DASHBOARD: &str = "query($a: ID!, $s: DashboardScope, $m: Int) {
  dashboard(agencyId: $a, scope: $s) {
    scope asOf agencyCount reworkCount extensionCount recurringShortcomings
    agency { name }
    figures { total open closed cancelled overdue dueWithin7Days completionRate onTimeRate
              totalOverdueDays averageOverdueDays }
    byState { state label count }
    units(first: 10) { agency { name } reworkCount extensionCount
                       figures { total open closed overdue onTimeRate totalOverdueDays } }
    byLeader { person { name } figures { open closed overdue } }
    trend(months: $m) { month created closed due }
  } }";

const REQUEST_EXTENSION: &str = "mutation($id: ID!, $d: NaiveDate!, $v: Int!) {
  requestExtension(id: $id, dueOn: $d, reason: \"需等待上级文件\", expectedVersion: $v) { id } }";
const DECIDE_EXTENSION: &str = "mutation($r: ID!, $v: Int!) {
  decideExtension(requestId: $r, approve: true, comment: \"同意\", expectedVersion: $v) { status } }";

fn day(today: NaiveDate, offset: i64) -> String {
    (today + Duration::days(offset)).to_string()
}

/// Assigns `id` to the cast's leader, due on `due`.
async fn assign_due(app: &TestApp, c: &crate::workflow::Cast, id: &str, due: &str) {
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

/// Accepts, evidences and submits `id` as its owners.
pub async fn finish(app: &TestApp, c: &crate::workflow::Cast, id: &str) {
    let accepted = act(
        app,
        &c.leader_token,
        id,
        "accept",
        json!({ "measures": "修订制度，开展培训" }),
    )
    .await;
    assert_eq!(accepted, "OK");
    app.ok_as(&c.responsible_token, NOTE, json!({ "id": id }))
        .await;
    assert_eq!(
        act(app, &c.responsible_token, id, "submit", json!({})).await,
        "OK"
    );
}

fn state_count(dashboard: &Value, state: &str) -> u64 {
    dashboard["byState"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == state)
        .unwrap_or_else(|| panic!("{state} listed"))["count"]
        .as_u64()
        .unwrap()
}

store_test!(
    the_dashboard_counts_states_overdue_rates_rework_extensions_units_leaders_and_months,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let today = app.services.today();
        let finance = app.create_agency("某市财政局", Some(&c.city)).await;

        // Overdue by ten days, never accepted.
        let late = new_item(&app, &c.dept, "执法案卷不规范").await;
        assign_due(&app, &c, &late, &day(today, -10)).await;
        // Due in three days, then extended by three more (approved).
        let soon = new_item(&app, &c.dept, "普法形式单一").await;
        assign_due(&app, &c, &soon, &day(today, 3)).await;
        assert_eq!(
            act(
                &app,
                &c.leader_token,
                &soon,
                "accept",
                json!({ "measures": "创新普法形式" })
            )
            .await,
            "OK"
        );
        let v = version(&app, &soon).await;
        let asked = app
            .ok_as(
                &c.responsible_token,
                REQUEST_EXTENSION,
                json!({ "id": soon, "d": day(today, 6), "v": v }),
            )
            .await;
        let request = asked["requestExtension"]["id"].as_str().unwrap().to_owned();
        let v = version(&app, &soon).await;
        app.ok_as(
            &c.supervisor,
            DECIDE_EXTENSION,
            json!({ "r": request, "v": v }),
        )
        .await;
        // Closed on time.
        let on_time = new_item(&app, &c.dept, "备案审查不及时").await;
        assign_due(&app, &c, &on_time, &day(today, 30)).await;
        finish(&app, &c, &on_time).await;
        let rectified = json!({ "outcome": "RECTIFIED" });
        assert_eq!(
            act(&app, &c.supervisor, &on_time, "verify", rectified.clone()).await,
            "OK"
        );
        // Submitted after its due date, returned once (rework), then closed late.
        let reworked = new_item(&app, &c.dept, "复议质量不高").await;
        assign_due(&app, &c, &reworked, &day(today, -5)).await;
        finish(&app, &c, &reworked).await;
        assert_eq!(
            act(
                &app,
                &c.supervisor,
                &reworked,
                "reject",
                json!({ "comment": "佐证不足" })
            )
            .await,
            "OK"
        );
        assert_eq!(
            act(&app, &c.responsible_token, &reworked, "submit", json!({})).await,
            "OK"
        );
        assert_eq!(
            act(&app, &c.supervisor, &reworked, "verify", rectified).await,
            "OK"
        );
        // Another unit of the city, and another city that must not count.
        new_item(&app, &finance, "预算公开不及时").await;
        new_item(&app, &c.other_city, "另一市的问题").await;

        let d = app
            .ok_as(
                &c.supervisor,
                DASHBOARD,
                json!({ "a": c.city, "s": "JURISDICTION", "m": 2 }),
            )
            .await["dashboard"]
            .clone();
        assert_eq!(d["scope"], "JURISDICTION");
        assert_eq!(d["asOf"], today.to_string());
        assert_eq!(d["agencyCount"], 3, "the city, its 司法局 and 财政局");
        let f = &d["figures"];
        assert_eq!(f["total"], 5);
        assert_eq!(f["open"], 3);
        assert_eq!(f["closed"], 2);
        assert_eq!(f["cancelled"], 0);
        assert_eq!(f["overdue"], 1);
        assert_eq!(f["dueWithin7Days"], 1);
        assert_eq!(f["totalOverdueDays"], 10);
        assert_eq!(f["averageOverdueDays"], 10.0);
        assert_eq!(f["completionRate"], 0.4);
        assert_eq!(f["onTimeRate"], 0.5);
        assert_eq!(d["reworkCount"], 1);
        assert_eq!(d["extensionCount"], 1);
        assert_eq!(d["recurringShortcomings"], 0);
        assert_eq!(state_count(&d, "identified"), 1);
        assert_eq!(state_count(&d, "assigned"), 1);
        assert_eq!(state_count(&d, "in_progress"), 1);
        assert_eq!(state_count(&d, "closed"), 2);
        assert_eq!(state_count(&d, "cancelled"), 0);
        let labels: Vec<&str> = d["byState"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap())
            .collect();
        assert!(labels.contains(&"已销号"), "{labels:?}");

        // Units: the 司法局 first (it has the overdue item), with its own rework and extension.
        let units = d["units"].as_array().unwrap();
        assert_eq!(units.len(), 3);
        assert_eq!(units[0]["agency"]["name"], "某市司法局");
        assert_eq!(units[0]["figures"]["total"], 4);
        assert_eq!(units[0]["figures"]["overdue"], 1);
        assert_eq!(units[0]["figures"]["onTimeRate"], 0.5);
        assert_eq!(units[0]["reworkCount"], 1);
        assert_eq!(units[0]["extensionCount"], 1);
        let finance_line = units
            .iter()
            .find(|u| u["agency"]["name"] == "某市财政局")
            .expect("财政局 listed");
        assert_eq!(finance_line["figures"]["total"], 1);
        assert_eq!(finance_line["figures"]["onTimeRate"], Value::Null);

        // Leaders: 张局长 leads the four items of the 司法局; one line has no lead yet.
        let leaders = d["byLeader"].as_array().unwrap();
        let zhang = leaders
            .iter()
            .find(|l| l["person"]["name"] == "张局长")
            .expect("the lead listed");
        assert_eq!(zhang["figures"]["open"], 2);
        assert_eq!(zhang["figures"]["closed"], 2);
        assert_eq!(zhang["figures"]["overdue"], 1);
        assert!(leaders.iter().any(|l| l["person"].is_null()));

        // The trend: two months, this one last; everything was created and closed now.
        let trend = d["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 2);
        assert_eq!(trend[1]["month"], today.format("%Y-%m").to_string());
        let sum = |k: &str| trend.iter().map(|m| m[k].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum("created"), 5);
        assert_eq!(sum("closed"), 2);
        assert_eq!(trend[1]["created"], 5);

        // The agency scope counts the 司法局's own items; its coordinator may see it.
        let own = app
            .ok_as(
                &c.coordinator,
                DASHBOARD,
                json!({ "a": c.dept, "s": "AGENCY", "m": 1 }),
            )
            .await["dashboard"]
            .clone();
        assert_eq!(own["agencyCount"], 1);
        assert_eq!(own["figures"]["total"], 4);
        let city_alone = app
            .ok_as(
                &c.supervisor,
                DASHBOARD,
                json!({ "a": c.city, "s": "AGENCY" }),
            )
            .await["dashboard"]
            .clone();
        assert_eq!(city_alone["figures"]["total"], 0);
        assert_eq!(city_alone["figures"]["completionRate"], Value::Null);
    }
);

store_test!(
    dashboards_are_for_offices_within_reach_and_a_bad_trend_is_refused,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        new_item(&app, &c.dept, "执法案卷不规范").await;
        let vars = json!({ "a": c.city, "s": "JURISDICTION", "m": 1 });
        // Another city's office, the 司法局's coordinator (not the city's), leaders, persons.
        for token in [
            &c.other_supervisor,
            &c.other_coordinator,
            &c.coordinator,
            &c.leader_token,
            &c.responsible_token,
        ] {
            assert_eq!(
                app.code_as(Some(token), DASHBOARD, vars.clone()).await,
                "FORBIDDEN"
            );
        }
        assert_eq!(
            app.code_as(None, DASHBOARD, vars.clone()).await,
            "UNAUTHENTICATED"
        );
        // A coordinator's jurisdiction stops at its own agency.
        let own = app
            .ok_as(
                &c.coordinator,
                DASHBOARD,
                json!({ "a": c.dept, "s": "JURISDICTION", "m": 1 }),
            )
            .await;
        assert_eq!(own["dashboard"]["figures"]["total"], 1);
        for months in [0, 37] {
            assert_eq!(
                app.code_as(
                    Some(&c.supervisor),
                    DASHBOARD,
                    json!({ "a": c.city, "m": months })
                )
                .await,
                "VALIDATION"
            );
        }
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                DASHBOARD,
                json!({ "a": uuid::Uuid::now_v7().to_string() })
            )
            .await,
            "FORBIDDEN",
            "an agency outside reach (or none at all) is refused before it is looked up"
        );
    }
);
