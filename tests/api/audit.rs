//! The audit trail: tampering done directly in the database — a changed byte, a deleted
//! row, two rows swapped, a truncated tail — is detected and located, through GraphQL and
//! through `rectify audit verify`.

use serde_json::{Value, json};

use crate::{
    helpers::*,
    store_test,
    workflow::{PROGRESS, TRANSITION, assign, cast, new_item, version},
};

/// Runs SQL on the test's database, picking an item by its (unique) title.
async fn tamper(app: &TestApp, sql: &str, title: &str) {
    let sql = sql.replace(
        "$ITEM",
        &format!("(SELECT id FROM items WHERE title = '{title}')"),
    );
    app.store
        .execute_unprepared(&sql)
        .await
        .expect("tampering runs");
}

fn breaks(report: &Value) -> Vec<(String, i64, String)> {
    report["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["itemId"].as_str().unwrap().to_owned(),
                b["seq"].as_i64().unwrap(),
                b["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn rectify(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rectify"))
        .args(args)
        .env("DATABASE_URL", &app.settings.database_url)
        .env("RECTIFY_DATA_DIR", &app.settings.data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the rectify binary runs")
}

store_test!(
    tampering_in_the_database_is_detected_and_located,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let mut ids = Vec::new();
        for title in ["T1", "T2", "T3", "T4", "T5"] {
            let id = new_item(&app, &c.dept, title).await;
            assign(&app, &c, &id, "2026-12-31").await;
            let v = version(&app, &id).await;
            app.ok_as(
                &c.leader_token,
                TRANSITION,
                json!({ "id": id, "action": "accept", "measures": "m", "v": v }),
            )
            .await;
            for p in ["进展一", "进展二"] {
                let v = version(&app, &id).await;
                app.ok_as(
                    &c.responsible_token,
                    PROGRESS,
                    json!({ "id": id, "p": p, "v": v }),
                )
                .await;
            }
            ids.push(id);
        }
        let verify =
            "{ auditVerify { ok itemsChecked eventsChecked breaks { itemId seq reason } } }";
        let clean = app.ok(verify, json!({})).await["auditVerify"].clone();
        assert_eq!(clean["ok"], true, "{clean:#}");
        assert_eq!(clean["eventsChecked"], 25);

        // A copy of the heads kept elsewhere, before anyone tampers.
        let digest = rectify(&app, &["audit", "digest"]);
        assert!(
            digest.status.success(),
            "{}",
            String::from_utf8_lossy(&digest.stderr)
        );
        let digest_file = app.settings.data_dir.join("heads.jsonl");
        std::fs::write(&digest_file, &digest.stdout).unwrap();
        assert_eq!(String::from_utf8_lossy(&digest.stdout).lines().count(), 5);

        // T1: one byte of a comment changed. T2: a row deleted. T3: two rows swapped.
        // T4: the last event deleted and the head rewritten to match (only the copy catches it).
        tamper(
            &app,
            "UPDATE item_events SET comment = '进展壹' WHERE item_id = $ITEM AND seq = 4",
            "T1",
        )
        .await;
        tamper(
            &app,
            "DELETE FROM item_events WHERE item_id = $ITEM AND seq = 3",
            "T2",
        )
        .await;
        tamper(
            &app,
            "UPDATE item_events SET seq = 100 WHERE item_id = $ITEM AND seq = 2",
            "T3",
        )
        .await;
        tamper(
            &app,
            "UPDATE item_events SET seq = 2 WHERE item_id = $ITEM AND seq = 3",
            "T3",
        )
        .await;
        tamper(
            &app,
            "UPDATE item_events SET seq = 3 WHERE item_id = $ITEM AND seq = 100",
            "T3",
        )
        .await;
        tamper(
            &app,
            "DELETE FROM item_events WHERE item_id = $ITEM AND seq = 5",
            "T4",
        )
        .await;
        tamper(&app, "UPDATE chain_heads SET seq = 4, hash = (SELECT hash FROM item_events e WHERE e.item_id = chain_heads.item_id AND e.seq = 4) WHERE item_id = $ITEM", "T4").await;

        let report = app.ok(verify, json!({})).await["auditVerify"].clone();
        assert_eq!(report["ok"], false);
        let found = breaks(&report);
        let at = |i: usize| {
            found
                .iter()
                .find(|b| b.0 == ids[i])
                .map(|b| (b.1, b.2.clone()))
        };
        let (seq, reason) = at(0).expect("the changed byte is caught");
        assert_eq!(seq, 4);
        assert!(reason.contains("changed"), "{reason}");
        let (seq, reason) = at(1).expect("the deleted row is caught");
        assert_eq!(seq, 3);
        assert!(reason.contains("missing"), "{reason}");
        let (seq, _) = at(2).expect("the swapped rows are caught");
        assert_eq!(seq, 2);
        assert!(
            at(3).is_none(),
            "a tail truncated with its head rewritten passes the chain alone"
        );
        assert!(at(4).is_none(), "the untouched chain is intact");

        // One item alone, as its supervisor.
        let one = app
            .ok_as(
                &c.supervisor,
                "query($id: ID) { auditVerify(itemId: $id) { ok breaks { seq } } }",
                json!({ "id": ids[1] }),
            )
            .await;
        assert_eq!(one["auditVerify"]["breaks"][0]["seq"], 3);

        // The command line, against the copy: the truncated tail is caught and located too.
        let out = rectify(
            &app,
            &[
                "audit",
                "verify",
                "--against",
                digest_file.to_str().unwrap(),
            ],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !out.status.success(),
            "a broken trail fails the command: {stdout}"
        );
        for (i, seq) in [(0, 4), (1, 3), (2, 2), (3, 5)] {
            assert!(
                stdout.contains(&format!("BROKEN item {} at event {seq}", ids[i])),
                "item {i}: {stdout}"
            );
        }
        assert!(!stdout.contains(&ids[4]), "{stdout}");
    }
);

store_test!(
    the_audit_trail_cannot_be_changed_through_the_api,
    |backend| async move {
        // No mutation updates or deletes an event: the schema offers none.
        let app = spawn_app(backend).await;
        let schema = rectify::graphql::sdl();
        for word in ["deleteEvent", "updateEvent", "removeEvent", "editHistory"] {
            assert!(!schema.contains(word), "{word}");
        }
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "追加").await;
        let before = app
            .ok(
                "query($id: ID!) { itemHistory(id: $id) { seq hash } }",
                json!({ "id": id }),
            )
            .await;
        assign(&app, &c, &id, "2026-12-31").await;
        let after = app
            .ok(
                "query($id: ID!) { itemHistory(id: $id) { seq hash prevHash } }",
                json!({ "id": id }),
            )
            .await;
        let after = after["itemHistory"].as_array().unwrap();
        assert_eq!(after.len(), 2, "appended, not rewritten");
        assert_eq!(after[0]["hash"], before["itemHistory"][0]["hash"]);
        assert_eq!(after[1]["prevHash"], after[0]["hash"]);
    }
);
