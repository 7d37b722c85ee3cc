//! Who supervises whom: an office's reach is its mandates (an agency subtree each, between
//! two dates), not its place in the agency tree; escalations follow the mandates; the
//! migration gives existing offices the mandates their tree-based reach meant.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{
    helpers::*,
    smtp_sink::SmtpSink,
    store_test,
    workflow::{assign, cast, new_item},
};

const GRANT: &str = "mutation($o: ID!, $a: ID!) { grantSupervision(input: { officeId: $o, agencyId: $a, note: \"市委依法治市委员会办公室〔2026〕1号\" }) { id inForce validFrom validTo office { name } agency { name } } }";
const END: &str = "mutation($id: ID!) { endSupervision(id: $id) { id inForce validTo endedAt } }";

async fn office(app: &TestApp, name: &str, parent: Option<&str>) -> String {
    app.ok(
        "mutation($n: String!, $p: ID) { createAgency(input: { name: $n, parentId: $p, kind: OFFICE }) { id } }",
        json!({ "n": name, "p": parent }),
    )
    .await["createAgency"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn grant(app: &TestApp, office: &str, agency: &str) -> String {
    let granted = app.ok(GRANT, json!({ "o": office, "a": agency })).await;
    assert_eq!(granted["grantSupervision"]["inForce"], true, "{granted}");
    granted["grantSupervision"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The ids of the agencies `token` lists.
async fn agencies_seen(app: &TestApp, token: &str) -> BTreeSet<String> {
    let listed = app
        .ok_as(
            token,
            "{ agencies(first: 200) { nodes { id } } }",
            json!({}),
        )
        .await;
    ids(&listed["agencies"]["nodes"])
}

/// The ids of the items `token` lists.
async fn items_seen(app: &TestApp, token: &str) -> BTreeSet<String> {
    let listed = app
        .ok_as(token, "{ items(first: 200) { nodes { id } } }", json!({}))
        .await;
    ids(&listed["items"]["nodes"])
}

fn ids(nodes: &Value) -> BTreeSet<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

fn set<const N: usize>(ids: [&String; N]) -> BTreeSet<String> {
    ids.into_iter().cloned().collect()
}

store_test!(
    an_office_inside_a_department_supervises_exactly_the_trees_of_its_mandates,
    |backend| async move {
        let app = spawn_app(backend).await;
        let city = app.create_agency("某市人民政府", None).await;
        let justice = app.create_agency("某市司法局", Some(&city)).await;
        let education = app.create_agency("某市教育局", Some(&city)).await;
        let district = app.create_agency("某区人民政府", Some(&city)).await;
        let district_education = app.create_agency("某区教育局", Some(&district)).await;
        let other_city = app.create_agency("另一市人民政府", None).await;
        // Where it sits in real government: inside 司法局.
        let yfzs = office(&app, "某市委全面依法治市委员会办公室", Some(&justice)).await;
        let by_education = grant(&app, &yfzs, &education).await;
        let by_district = grant(&app, &yfzs, &district).await;
        // Its account comes after its mandates: it gets no mandate over its own subtree.
        let token = app
            .token_for(rectify::domain::AccountRole::Supervisor, Some(&yfzs), None)
            .await;

        let in_justice = new_item(&app, &justice, "司法局的事项").await;
        let in_education = new_item(&app, &education, "教育局的事项").await;
        let in_district = new_item(&app, &district_education, "区教育局的事项").await;
        let elsewhere = new_item(&app, &other_city, "另一市的事项").await;

        assert_eq!(
            agencies_seen(&app, &token).await,
            set([&education, &district, &district_education]),
            "the mandates' trees, not the office's own place (司法局) nor the city above"
        );
        assert_eq!(
            items_seen(&app, &token).await,
            set([&in_education, &in_district])
        );
        for hidden in [&in_justice, &elsewhere] {
            assert_eq!(
                app.code_as(
                    Some(&token),
                    "query($id: ID!) { item(id: $id) { id } }",
                    json!({ "id": hidden })
                )
                .await,
                "FORBIDDEN"
            );
        }
        // Dashboards and the report section follow the mandates.
        let board = app
            .ok_as(
                &token,
                "query($a: ID!) { dashboard(agencyId: $a, scope: JURISDICTION) { figures { total } } }",
                json!({ "a": district }),
            )
            .await;
        assert_eq!(board["dashboard"]["figures"]["total"], 1, "{board}");
        for (agency, expected) in [
            (&justice, "FORBIDDEN"),
            (&city, "FORBIDDEN"),
            (&education, "OK"),
        ] {
            let dashboard = app
                .code_as(
                    Some(&token),
                    "query($a: ID!) { dashboard(agencyId: $a) { figures { total } } }",
                    json!({ "a": agency }),
                )
                .await;
            assert_eq!(dashboard, expected, "dashboard of {agency}");
            let section = app
                .code_as(
                    Some(&token),
                    "query($a: ID!) { rectificationSection(agencyId: $a, year: 2025) { summary } }",
                    json!({ "a": agency }),
                )
                .await;
            // In reach, the section is refused only for want of a report, never for reach.
            if expected == "OK" {
                assert_ne!(section, "FORBIDDEN", "section of {agency}");
            } else {
                assert_eq!(section, "FORBIDDEN", "section of {agency}");
            }
        }

        // Admins list the mandates; ending one removes that tree from the office's reach at once.
        let listed = app
            .ok(
                "query($o: ID!) { supervisions(officeId: $o) { id inForce agency { id } } }",
                json!({ "o": yfzs }),
            )
            .await;
        assert_eq!(
            listed["supervisions"].as_array().unwrap().len(),
            2,
            "{listed}"
        );
        let ended = app.ok(END, json!({ "id": by_district })).await;
        assert_eq!(ended["endSupervision"]["inForce"], false, "{ended}");
        assert!(ended["endSupervision"]["endedAt"].is_string());
        assert_eq!(agencies_seen(&app, &token).await, set([&education]));
        assert_eq!(items_seen(&app, &token).await, set([&in_education]));
        assert_eq!(
            app.code_as(
                Some(&token),
                "query($id: ID!) { item(id: $id) { id } }",
                json!({ "id": in_district })
            )
            .await,
            "FORBIDDEN",
            "an ended mandate removes reach"
        );
        let in_force = app
            .ok(
                "query($o: ID!, $d: NaiveDate!) { supervisions(officeId: $o, inForceOn: $d) { id } }",
                json!({ "o": yfzs, "d": today_here() }),
            )
            .await;
        assert_eq!(in_force["supervisions"], json!([{ "id": by_education }]));

        // Overlapping mandates, unknown agencies and backwards dates are refused.
        assert_eq!(
            app.code_as(
                Some(&app.admin_token),
                GRANT,
                json!({ "o": yfzs, "a": education })
            )
            .await,
            "CONFLICT"
        );
        assert_eq!(
            app.code_as(
                Some(&app.admin_token),
                GRANT,
                json!({ "o": yfzs, "a": uuid::Uuid::now_v7().to_string() })
            )
            .await,
            "VALIDATION"
        );
        assert_eq!(
            app.code_as(
                Some(&app.admin_token),
                "mutation($o: ID!, $a: ID!) { grantSupervision(input: { officeId: $o, agencyId: $a, validFrom: \"2027-01-01\", validTo: \"2026-01-01\" }) { id } }",
                json!({ "o": yfzs, "a": city })
            )
            .await,
            "VALIDATION"
        );
        // The old mandate over the district may be granted again, from today on.
        grant(&app, &yfzs, &district).await;
        assert_eq!(
            agencies_seen(&app, &token).await,
            set([&education, &district, &district_education])
        );
    }
);

store_test!(
    escalations_go_to_the_offices_whose_mandates_cover_the_item,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, |s| {
            s.smtp.host = sink.addr.ip().to_string();
            s.smtp.port = sink.addr.port();
            s.smtp.timeout = std::time::Duration::from_secs(2);
            s.public_url = "https://rectify.example.gov.cn".into();
        })
        .await;
        let c = cast(&app).await;
        // A 纪委监委 stands outside the government tree; the city's own office hands over.
        let jiwei = office(&app, "某市纪委监委", None).await;
        grant(&app, &jiwei, &c.city).await;
        issue_account(
            &app.services,
            "jiwei@test.local",
            rectify::domain::AccountRole::Supervisor,
            Some(jiwei.parse().unwrap()),
            None,
        )
        .await;
        let city_mandates = app
            .ok(
                "query($o: ID!) { supervisions(officeId: $o) { id agency { id } } }",
                json!({ "o": c.city }),
            )
            .await;
        let own = &city_mandates["supervisions"];
        assert_eq!(
            own.as_array().unwrap().len(),
            1,
            "a supervisor account's first mandate: {own}"
        );
        assert_eq!(own[0]["agency"]["id"], json!(c.city));
        app.ok(END, json!({ "id": own[0]["id"] })).await;

        let id = new_item(&app, &c.dept, "逾期事项").await;
        let past = today_here() - chrono::Duration::days(3);
        assign(&app, &c, &id, &past.to_string()).await;
        app.reminders.run_once().await.unwrap();
        let escalations: Vec<Vec<String>> = sink
            .messages()
            .iter()
            .filter(|m| m.header("Subject").unwrap().contains("请督办"))
            .map(|m| m.to.clone())
            .collect();
        assert_eq!(escalations.len(), 1, "{escalations:?}");
        assert!(
            escalations[0]
                .iter()
                .any(|to| to.contains("jiwei@test.local")),
            "to the office by mandate: {escalations:?}"
        );
        assert!(
            !escalations[0].iter().any(|to| to.contains("supervisor-")),
            "not to the city's office, whose mandate ended: {escalations:?}"
        );
        // The city's office no longer sees the item; the 纪委监委 does.
        assert_eq!(
            app.code_as(
                Some(&c.supervisor),
                "query($id: ID!) { item(id: $id) { id } }",
                json!({ "id": id })
            )
            .await,
            "FORBIDDEN"
        );
    }
);

store_test!(
    the_migration_gives_each_existing_office_the_reach_it_had,
    |backend| async move {
        use migration::{Migrator, MigratorTrait};
        use sea_orm::{ConnectionTrait, Database, Statement};

        let dir = tempfile::tempdir().unwrap();
        let url = fresh_database(backend, dir.path()).await;
        let db = Database::connect(&url).await.unwrap();
        let before = Migrator::migrations()
            .iter()
            .position(|m| m.name().contains("supervisions"))
            .expect("the supervisions migration");
        Migrator::up(&db, Some(before as u32)).await.unwrap();

        // An installation as it was: a city, a department, a supervisor at the city and a
        // coordinator at the department.
        let backend_kind = db.get_database_backend();
        let (city, dept) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let (supervisor, coordinator) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let now = chrono::Utc::now();
        let p = |n: usize| -> String {
            (1..=n)
                .map(|i| {
                    if backend_kind == sea_orm::DbBackend::Postgres {
                        format!("${i}")
                    } else {
                        "?".into()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (id, name, parent) in [
            (city, "某市人民政府", None),
            (dept, "某市司法局", Some(city)),
        ] {
            db.execute_raw(Statement::from_sql_and_values(
                backend_kind,
                format!("INSERT INTO agencies (id, name, parent_id, kind, time_zone, created_at, updated_at) VALUES ({})", p(7)),
                [id.into(), name.into(), parent.into(), "government".into(), "Asia/Shanghai".into(), now.into(), now.into()],
            ))
            .await
            .unwrap();
        }
        for (id, email, role, agency) in [
            (supervisor, "old-supervisor@test.local", "supervisor", city),
            (
                coordinator,
                "old-coordinator@test.local",
                "coordinator",
                dept,
            ),
        ] {
            db.execute_raw(Statement::from_sql_and_values(
                backend_kind,
                format!("INSERT INTO accounts (id, email, role, agency_id, created_at, updated_at) VALUES ({})", p(6)),
                [id.into(), email.into(), role.into(), agency.into(), now.into(), now.into()],
            ))
            .await
            .unwrap();
        }
        db.close().await.unwrap();

        // The server migrates the rest on start.
        let app = spawn_app_with(backend, |s| s.database_url = url.clone()).await;
        let mandates = app
            .ok(
                "{ supervisions { office { id } agency { id } inForce validTo } }",
                json!({}),
            )
            .await;
        assert_eq!(
            mandates["supervisions"],
            json!([{ "office": { "id": city.to_string() }, "agency": { "id": city.to_string() }, "inForce": true, "validTo": null }]),
            "one mandate, for the one office with a supervisor account"
        );
        let token = app
            .services
            .issue_token(supervisor, "old", None)
            .await
            .unwrap()
            .secret;
        assert_eq!(
            agencies_seen(&app, &token).await,
            [city.to_string(), dept.to_string()].into_iter().collect(),
            "the office still reaches its agency and everything under it"
        );
    }
);
