//! Reminders end to end: the sweep writes the outbox, the sender speaks real SMTP to an
//! in-process sink; faults — a server down for a while, 4xx and 5xx answers, a slow server,
//! a sender killed mid-run, two senders at once — lose nothing and duplicate (almost) nothing.

use std::{collections::HashMap, time::Duration};

use chrono::Utc;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    smtp_sink::SmtpSink,
    store_test,
    workflow::{ASSIGN, cast, new_item, version},
};

pub fn smtp_to(sink_addr: std::net::SocketAddr) -> impl FnOnce(&mut rectify::config::Settings) {
    move |s| {
        s.smtp.host = sink_addr.ip().to_string();
        s.smtp.port = sink_addr.port();
        s.smtp.timeout = Duration::from_secs(2);
        s.remind.retry_base = Duration::from_secs(1);
        s.remind.lease = Duration::from_secs(10);
        s.public_url = "https://rectify.example.gov.cn".into();
    }
}

pub fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

pub async fn assign_due(
    app: &TestApp,
    c: &crate::workflow::Cast,
    id: &str,
    due: chrono::NaiveDate,
) {
    let v = version(app, id).await;
    let (given, past) = assignable(&due.to_string());
    app.ok_as(
        &c.coordinator,
        ASSIGN,
        json!({ "id": id, "v": v, "input": { "leadPersonId": c.leader, "responsiblePersonId": c.responsible,
                "dueOn": given, "category": "TIME_BOUND" } }),
    )
    .await;
    if past {
        backdate(app, id, &due.to_string()).await;
    }
}

store_test!(
    a_countdown_reminder_goes_out_once_in_chinese_to_lead_and_responsible,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "行政复议案件办理质量有待提高").await;
        assign_due(&app, &c, &id, today() + chrono::Duration::days(7)).await;

        let (swept, sent) = app.reminders.run_once().await.unwrap();
        assert_eq!(swept.enqueued, 2, "{swept:?}");
        assert_eq!(sent.sent, 2, "{sent:?}");
        let messages = sink.messages();
        assert_eq!(messages.len(), 2);
        let people = app
            .ok(
                "query($a: ID!) { persons(agencyId: $a) { nodes { id email } } }",
                json!({ "a": c.dept }),
            )
            .await;
        let email_of = |id: &str| {
            people["persons"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == json!(id))
                .unwrap()["email"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let mut recipients: Vec<String> = messages.iter().flat_map(|m| m.to.clone()).collect();
        recipients.sort();
        let mut expected = vec![email_of(&c.leader), email_of(&c.responsible)];
        expected.sort();
        assert_eq!(recipients, expected);
        let m = &messages[0];
        assert!(
            m.from.contains("rectify@localhost"),
            "sent from the configured sender: {}",
            m.from
        );
        // Addressed by name, identified under the service's own domain, marked automatic.
        let to = m.header("To").unwrap();
        assert!(
            to.contains('<') && !to.starts_with('<'),
            "the name stands before the address: {to}"
        );
        let message_id = m.header("Message-ID").unwrap();
        assert!(
            message_id.ends_with("@rectify.example.gov.cn>"),
            "{message_id}"
        );
        assert_eq!(
            m.header("Auto-Submitted").as_deref(),
            Some("auto-generated")
        );
        assert_eq!(m.header("X-Auto-Response-Suppress").as_deref(), Some("All"));
        let subject = m.header("Subject").unwrap();
        assert!(subject.starts_with("【整改提醒】"), "{subject}");
        assert!(subject.contains("距整改时限还有7天"), "{subject}");
        let body = m.text();
        for expected in [
            "行政复议案件办理质量有待提高",
            "已交办",
            "蓝色提示",
            "还有7天",
            &format!("https://rectify.example.gov.cn/items/{id}"),
        ] {
            assert!(body.contains(expected), "missing {expected:?} in {body}");
        }
        assert!(body.contains("<table"), "an HTML alternative is sent too");
        let message_id = m.header("Message-ID").unwrap();
        assert!(
            message_id.starts_with("<reminder-")
                && message_id.ends_with("@rectify.example.gov.cn>"),
            "{message_id}"
        );

        // Sweeping again the same day enqueues nothing and sends nothing.
        let (swept, sent) = app.reminders.run_once().await.unwrap();
        assert_eq!((swept.enqueued, sent.sent), (0, 0));
        assert_eq!(sink.messages().len(), 2);
        let listed = app.ok("{ reminders(status: SENT) { totalCount nodes { kind refersTo escalationLevel messageId } } }", json!({})).await;
        assert_eq!(listed["reminders"]["totalCount"], 2);
        assert_eq!(listed["reminders"]["nodes"][0]["kind"], "countdown");
        assert_eq!(listed["reminders"]["nodes"][0]["escalationLevel"], 1);
        assert_eq!(
            app.ok(
                "query($id: ID!) { item(id: $id) { escalationLevel } }",
                json!({ "id": id })
            )
            .await["item"]["escalationLevel"],
            1
        );
    }
);

store_test!(
    an_overdue_item_reminds_its_owners_and_escalates_to_the_supervising_office,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "逾期事项").await;
        assign_due(&app, &c, &id, today() - chrono::Duration::days(3)).await;
        let (swept, _) = app.reminders.run_once().await.unwrap();
        assert_eq!(swept.enqueued, 3, "two owners, one supervisor: {swept:?}");
        let messages = sink.messages();
        let escalation: Vec<_> = messages
            .iter()
            .filter(|m| m.header("Subject").unwrap().contains("请督办"))
            .collect();
        assert_eq!(escalation.len(), 1);
        assert!(
            escalation[0].to[0].starts_with("supervisor-"),
            "{:?}",
            escalation[0].to
        );
        assert!(escalation[0].text().contains("红色督办"));
        assert!(
            messages
                .iter()
                .any(|m| m.header("Subject").unwrap().contains("已逾期3天"))
        );
        let other = app
            .ok_as(
                &c.other_supervisor,
                "{ reminders { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            other["reminders"]["totalCount"], 0,
            "another city's office sees none of them"
        );
        let red = app
            .ok(
                "{ items(filter: { overdue: true }) { nodes { escalationLevel } } }",
                json!({}),
            )
            .await;
        assert_eq!(red["items"]["nodes"][0]["escalationLevel"], 3);
    }
);

store_test!(
    urging_by_hand_is_recorded_and_mailed_at_once,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "督办事项").await;
        assign_due(&app, &c, &id, today() + chrono::Duration::days(60)).await;
        let urge = "mutation($id: ID!, $v: Int!) { urgeItem(id: $id, note: \"请本周内完成\", expectedVersion: $v) { version } }";
        let v = version(&app, &id).await;
        assert_eq!(
            app.code_as(Some(&c.coordinator), urge, json!({ "id": id, "v": v }))
                .await,
            "FORBIDDEN"
        );
        app.ok_as(&c.supervisor, urge, json!({ "id": id, "v": v }))
            .await;
        app.reminders.send_due().await.unwrap();
        let messages = sink.messages();
        assert_eq!(messages.len(), 2);
        assert!(
            messages[0]
                .header("Subject")
                .unwrap()
                .starts_with("【督办】")
        );
        assert!(messages[0].text().contains("请本周内完成"));
        let history = app
            .ok(
                "query($id: ID!) { itemHistory(id: $id) { action comment } }",
                json!({ "id": id }),
            )
            .await;
        assert!(
            history["itemHistory"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "urge" && e["comment"] == "请本周内完成")
        );
    }
);

/// Enqueues `n` reminders straight into the outbox (the sender is what is under test).
pub async fn enqueue(app: &TestApp, n: usize, tag: &str) {
    let news = (0..n)
        .map(|i| rectify::store::reminders::NewReminder {
            item_id: None,
            agency_id: None,
            recipient_person_id: None,
            recipient_address: format!("r{i}@test.local"),
            channel: "email".into(),
            kind: "countdown".into(),
            refers_to: None,
            scheduled_at: Utc::now(),
            escalation_level: 0,
            recipient_name: None,
            as_of: None,
            subject: Some(format!("【整改提醒】{tag} {i}")),
            body_text: Some("正文".into()),
            body_html: Some("<p>正文</p>".into()),
            idempotency_key: format!("{tag}:{i}"),
        })
        .collect::<Vec<_>>();
    for chunk in news.chunks(200) {
        app.store.enqueue_reminders(chunk.to_vec()).await.unwrap();
    }
}

async fn statuses(app: &TestApp) -> HashMap<String, i64> {
    app.store
        .reminder_counts()
        .await
        .unwrap()
        .into_iter()
        .collect()
}

store_test!(
    a_server_refusing_connections_loses_nothing_and_everything_goes_once_it_is_back,
    |backend| async move {
        // A port with nobody listening: connections are refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let app = spawn_app_with(backend, smtp_to(port)).await;
        enqueue(&app, 30, "down").await;
        let first = app.reminders.send_due().await.unwrap();
        assert_eq!((first.sent, first.retried, first.failed), (0, 30, 0));
        assert_eq!(
            statuses(&app).await.get("pending"),
            Some(&30),
            "all kept, waiting for a retry"
        );

        let sink = SmtpSink::start_on(port).await;
        tokio::time::sleep(Duration::from_millis(1600)).await; // the first retry delay (1–1.5 s)
        let second = app.reminders.send_due().await.unwrap();
        assert_eq!(second.sent, 30, "{second:?}");
        let ids: std::collections::HashSet<String> = sink
            .messages()
            .iter()
            .map(|m| m.header("Message-ID").unwrap())
            .collect();
        assert_eq!(
            (sink.messages().len(), ids.len()),
            (30, 30),
            "each sent once"
        );
    }
);

store_test!(
    a_permanent_refusal_fails_at_once_and_repeated_temporary_ones_give_up_visibly,
    |backend| async move {
        let sink = SmtpSink::start().await;
        sink.behaviour.lock().unwrap().mail_reply = Some("550 5.7.1 relaying denied".into());
        let app = spawn_app_with(backend, |s| {
            smtp_to(sink.addr)(s);
            s.remind.max_attempts = 2;
        })
        .await;
        enqueue(&app, 3, "refused").await;
        let report = app.reminders.send_due().await.unwrap();
        assert_eq!((report.sent, report.failed), (0, 3));

        sink.behaviour.lock().unwrap().mail_reply = Some("451 4.3.0 try again later".into());
        enqueue(&app, 2, "busy").await;
        let first = app.reminders.send_due().await.unwrap();
        assert_eq!(first.retried, 2);
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let second = app.reminders.send_due().await.unwrap();
        assert_eq!(
            second.failed, 2,
            "the second attempt was the last: {second:?}"
        );

        let failed = app
            .ok(
                "{ reminders(status: FAILED) { totalCount nodes { attempts lastError } } }",
                json!({}),
            )
            .await;
        assert_eq!(failed["reminders"]["totalCount"], 5);
        assert!(
            failed["reminders"]["nodes"][0]["lastError"]
                .as_str()
                .unwrap()
                .contains("550")
        );
        let metrics = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("rectify_reminders{status=\"failed\"} 5"),
            "{metrics}"
        );
    }
);

store_test!(a_slow_server_never_holds_the_sender, |backend| async move {
    let sink = SmtpSink::start().await;
    sink.behaviour.lock().unwrap().delay = Duration::from_secs(30);
    let app = spawn_app_with(backend, |s| {
        smtp_to(sink.addr)(s);
        s.smtp.timeout = Duration::from_millis(500);
        s.remind.retry_base = Duration::from_secs(60);
    })
    .await;
    enqueue(&app, 3, "slow").await;
    let started = std::time::Instant::now();
    let report = app.reminders.send_due().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(report.retried, 3, "timeouts are temporary: {report:?}");
    let pending: Value = app
        .ok(
            "{ reminders(status: PENDING) { nodes { lastError } } }",
            json!({}),
        )
        .await;
    assert!(
        pending["reminders"]["nodes"][0]["lastError"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("time"),
        "{pending}"
    );
});

fn child(app: &TestApp, sink: &SmtpSink) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rectify"));
    cmd.args(["remind", "--once"])
        .env("DATABASE_URL", &app.settings.database_url)
        .env("RECTIFY_DATA_DIR", &app.settings.data_dir)
        .env("RECTIFY_SMTP_HOST", sink.addr.ip().to_string())
        .env("RECTIFY_SMTP_PORT", sink.addr.port().to_string())
        .env("RECTIFY_SMTP_TIMEOUT_SECS", "1")
        .env("RECTIFY_REMIND_LEASE_SECS", "3")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    cmd
}

store_test!(
    a_sender_killed_mid_run_delivers_everything_after_restart,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        enqueue(&app, 1000, "kill").await;
        let mut kills = 0;
        for round in 0..5u64 {
            let mut c = child(&app, &sink).spawn().unwrap();
            // Let it send for a while, then kill it without warning (SIGKILL).
            tokio::time::sleep(Duration::from_millis(150 + (round * 97) % 250)).await;
            if c.try_wait().unwrap().is_none() {
                c.kill().unwrap();
                kills += 1;
            }
            c.wait().unwrap();
        }
        // Rows a killed sender held come back when their lease lapses.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let done = child(&app, &sink).output().unwrap();
        assert!(done.status.success());
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert!(
            stdout.contains("enqueued 0"),
            "a second sweep enqueues nothing: {stdout}"
        );

        let messages = sink.messages();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for m in &messages {
            *by_id.entry(m.header("Message-ID").unwrap()).or_default() += 1;
        }
        assert_eq!(by_id.len(), 1000, "every reminder delivered");
        let duplicates = messages.len() - 1000;
        assert!(
            duplicates <= kills,
            "{duplicates} duplicates after {kills} kills"
        );
        assert_eq!(statuses(&app).await.get("sent"), Some(&1000));
        eprintln!("kill test: {kills} kills, {duplicates} duplicates (same Message-ID)");
    }
);

store_test!(
    two_senders_at_once_send_each_reminder_exactly_once,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        enqueue(&app, 500, "pair").await;
        let a = child(&app, &sink).spawn().unwrap();
        let b = child(&app, &sink).spawn().unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success() && b.status.success());
        let messages = sink.messages();
        let ids: std::collections::HashSet<String> = messages
            .iter()
            .map(|m| m.header("Message-ID").unwrap())
            .collect();
        assert_eq!((messages.len(), ids.len()), (500, 500), "exactly once");
        eprintln!(
            "two senders: {} / {}",
            String::from_utf8_lossy(&a.stdout).trim(),
            String::from_utf8_lossy(&b.stdout).trim()
        );
    }
);

store_test!(
    the_escalation_level_filters_and_counts_in_sql_as_each_item_shows_it,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        let mut expected: HashMap<String, i64> = HashMap::new();
        for (title, days, level) in [
            ("红", -2, 3),
            ("黄", 2, 2),
            ("蓝", 5, 1),
            ("常", 30, 0),
            ("迟", 30, 2),
        ] {
            let id = new_item(&app, &c.dept, title).await;
            assign_due(&app, &c, &id, today() + chrono::Duration::days(days)).await;
            if title == "迟" {
                // Assigned five days ago and still not accepted.
                app.store
                    .execute_unprepared(&format!(
                        "UPDATE items SET assigned_at = '{}' WHERE title = '迟'",
                        (Utc::now() - chrono::Duration::days(5)).format("%Y-%m-%d %H:%M:%S%:z")
                    ))
                    .await
                    .unwrap();
            } else {
                let v = version(&app, &id).await;
                app.ok_as(
                    &c.leader_token,
                    crate::workflow::TRANSITION,
                    json!({ "id": id, "action": "accept", "measures": "m", "v": v }),
                )
                .await;
            }
            expected.insert(id, level);
        }
        let unassigned = new_item(&app, &c.dept, "未交办").await;
        expected.insert(unassigned, 0);
        let all = app
            .ok(
                "{ items(first: 50) { nodes { id escalationLevel } } }",
                json!({}),
            )
            .await;
        for node in all["items"]["nodes"].as_array().unwrap() {
            assert_eq!(
                node["escalationLevel"].as_i64(),
                expected.get(node["id"].as_str().unwrap()).copied(),
                "{node}"
            );
        }
        for level in 0..=3 {
            let listed = app
            .ok("query($l: Int!) { items(filter: { escalationLevel: $l }) { totalCount nodes { id escalationLevel } } }", json!({ "l": level }))
            .await;
            let want = expected.values().filter(|l| **l == level).count();
            assert_eq!(
                listed["items"]["totalCount"], want,
                "level {level}: {listed}"
            );
            for node in listed["items"]["nodes"].as_array().unwrap() {
                assert_eq!(node["escalationLevel"], level);
            }
        }
    }
);

store_test!(
    a_repeated_sweep_judges_only_what_changed_since_the_last,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        let c = cast(&app).await;
        for n in 0..3 {
            let id = new_item(&app, &c.dept, &format!("第{n}项")).await;
            assign_due(&app, &c, &id, today() + chrono::Duration::days(7)).await;
        }
        let (first, _) = app.reminders.run_once().await.unwrap();
        assert_eq!((first.candidates, first.enqueued), (3, 6), "{first:?}");
        // An hour passes (items changed just before a sweep started are judged again, in
        // case their transaction committed after it began).
        let ago = |h| (Utc::now() - chrono::Duration::hours(h)).format("%Y-%m-%dT%H:%M:%S%:z");
        let (two_hours_ago, hour_ago) = (ago(2), ago(1));
        app.store
            .execute_unprepared(&format!("UPDATE items SET updated_at = '{two_hours_ago}'"))
            .await
            .unwrap();
        app.store
            .execute_unprepared(&format!(
                "UPDATE job_runs SET last_started_at = '{hour_ago}'"
            ))
            .await
            .unwrap();
        let (again, _) = app.reminders.run_once().await.unwrap();
        assert_eq!(
            (again.candidates, again.enqueued),
            (0, 0),
            "nothing changed, nothing judged: {again:?}"
        );
        // Assigned after today's sweep, due in 14 days: the next sweep still finds it.
        let late = new_item(&app, &c.dept, "后交办的事项").await;
        assign_due(&app, &c, &late, today() + chrono::Duration::days(14)).await;
        let (next, sent) = app.reminders.run_once().await.unwrap();
        assert_eq!((next.candidates, next.enqueued), (1, 2), "{next:?}");
        assert_eq!(sent.sent, 2);
        assert!(
            sink.messages()
                .iter()
                .any(|m| m.header("Subject").unwrap().contains("距整改时限还有14天"))
        );
    }
);

store_test!(
    one_connection_carries_a_burst_and_a_closed_one_is_replaced_unnoticed,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        enqueue(&app, 50, "burst").await;
        let burst = app.reminders.send_due().await.unwrap();
        assert_eq!((burst.sent, burst.retried), (50, 0));
        assert_eq!(sink.sessions(), 1, "the burst reused one connection");

        // The relay now hangs up after every message; a connection idle for a while is
        // checked before reuse, so nothing fails and nothing waits for a retry.
        sink.behaviour.lock().unwrap().hang_up_after_message = true;
        enqueue(&app, 1, "then-hang-up").await;
        let last_on_the_old = app.reminders.send_due().await.unwrap();
        assert_eq!(last_on_the_old.sent, 1);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        enqueue(&app, 1, "after-idle").await;
        let next = app.reminders.send_due().await.unwrap();
        assert_eq!(
            (next.sent, next.retried, next.failed),
            (1, 0, 0),
            "{next:?}"
        );
        assert_eq!(sink.messages().len(), 52);
        assert_eq!(sink.sessions(), 2, "the closed connection was replaced");
    }
);

store_test!(
    a_batch_larger_than_one_statement_holds_is_enqueued_whole_and_only_once,
    |backend| async move {
        // 4,000 rows bind 80,000 values: more than PostgreSQL (65,535) or SQLite (32,766)
        // takes in one statement. The sweep of a large database enqueues batches this big.
        let app = spawn_app(backend).await;
        let news = |n: usize| {
            (0..n)
                .map(|i| rectify::store::reminders::NewReminder {
                    item_id: None,
                    agency_id: None,
                    recipient_person_id: None,
                    recipient_address: format!("p{i}@test.local"),
                    channel: "email".into(),
                    kind: "digest".into(),
                    refers_to: None,
                    scheduled_at: Utc::now(),
                    escalation_level: 0,
                    recipient_name: None,
                    as_of: None,
                    subject: Some("【整改提醒】".into()),
                    body_text: Some("正文".into()),
                    body_html: Some("<p>正文</p>".into()),
                    idempotency_key: format!("bulk-{i}"),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            app.store.enqueue_reminders(news(4_000)).await.unwrap(),
            4_000
        );
        assert_eq!(app.store.enqueue_reminders(news(4_500)).await.unwrap(), 500);
        let counts = app.store.reminder_counts().await.unwrap();
        let pending = counts.iter().find(|(s, _)| s == "pending").map(|(_, n)| *n);
        assert_eq!(pending, Some(4_500));
    }
);

store_test!(
    a_reminder_is_rendered_from_the_item_as_it_is_when_sent_and_keeps_what_was_sent,
    |backend| async move {
        let sink = SmtpSink::start().await;
        let app = spawn_app_with(backend, smtp_to(sink.addr)).await;
        let c = cast(&app).await;
        let id = new_item(&app, &c.dept, "执法公示信息更新不及时").await;
        assign_due(&app, &c, &id, today() + chrono::Duration::days(7)).await;

        // The sweep enqueues the reminder unrendered …
        let swept = app.reminders.sweep().await.unwrap();
        assert_eq!(swept.enqueued, 2, "{swept:?}");
        let pending = app
            .ok(
                "{ reminders(status: PENDING) { nodes { kind subject } } }",
                json!({}),
            )
            .await;
        let nodes = pending["reminders"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), 2);
        assert!(nodes.iter().all(|n| n["subject"].is_null()), "{nodes:?}");

        // … the leader accepts before it goes out: the message shows the state it is in then.
        let v = version(&app, &id).await;
        app.ok_as(
            &c.leader_token,
            crate::workflow::TRANSITION,
            json!({ "id": id, "action": "accept", "measures": "修订公示制度", "v": v }),
        )
        .await;
        let sent = app.reminders.send_due().await.unwrap();
        assert_eq!(sent.sent, 2, "{sent:?}");
        for m in sink.messages() {
            let subject = m.header("Subject").unwrap();
            assert!(subject.contains("距整改时限还有7天"), "{subject}");
            let body = m.text();
            assert!(
                body.contains("整改中") && !body.contains("已交办"),
                "{body}"
            );
            assert!(body.contains("执法公示信息更新不及时"), "{body}");
        }

        // The outbox keeps the message as sent.
        let listed = app
            .ok(
                "{ reminders(status: SENT) { nodes { subject } } }",
                json!({}),
            )
            .await;
        for n in listed["reminders"]["nodes"].as_array().unwrap() {
            assert!(
                n["subject"].as_str().unwrap().contains("距整改时限还有7天"),
                "{n}"
            );
        }
    }
);
