//! Reminder channels and list messages: the webhook channel beside email (against a local
//! HTTP receiver, faults included), the weekly digest, and the January reporting-calendar
//! reminder to coordinators.

use std::time::Duration;

use chrono::{Datelike, Duration as Days, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::{
    helpers::*,
    smtp_sink::SmtpSink,
    store_test,
    webhook_sink::WebhookSink,
    workflow::{ASSIGN, cast, new_item, version},
};

const SET_WEBHOOK: &str = "mutation($a: ID!, $url: String) { setAgencyWebhook(agencyId: $a, url: $url) { agencyId url } }";

fn settings(
    sink: std::net::SocketAddr,
    tune: impl FnOnce(&mut rectify::config::Settings),
) -> impl FnOnce(&mut rectify::config::Settings) {
    move |s| {
        s.smtp.host = sink.ip().to_string();
        s.smtp.port = sink.port();
        s.smtp.timeout = Duration::from_secs(2);
        s.remind.retry_base = Duration::from_millis(20);
        s.remind.lease = Duration::from_secs(10);
        s.remind.webhook_timeout = Duration::from_secs(2);
        // The test receivers listen on this machine: an intranet robot, as configured.
        s.remind.webhook_allow =
            rectify::domain::destination::DestinationPolicy::parse("127.0.0.1").unwrap();
        s.public_url = "https://rectify.example.gov.cn".into();
        tune(s);
    }
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

async fn assign_due(app: &TestApp, c: &crate::workflow::Cast, id: &str, due: NaiveDate) {
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

/// Sends until nothing is due, waiting out short retry delays.
async fn drain(app: &TestApp) {
    for _ in 0..50 {
        app.reminders.send_due().await.unwrap();
        let pending = app
            .ok("{ reminders(status: PENDING) { totalCount } }", json!({}))
            .await["reminders"]["totalCount"]
            .as_u64()
            .unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("reminders still pending");
}

store_test!(
    a_webhook_gets_one_robot_message_per_reminder_beside_the_emails,
    |backend| async move {
        let smtp = SmtpSink::start().await;
        let hooks = WebhookSink::start().await;
        let app = spawn_app_with(backend, settings(smtp.addr, |_| {})).await;
        let c = cast(&app).await;
        let dept_hook = hooks.url("dept");
        let set = app
            .ok_as(
                &c.coordinator,
                SET_WEBHOOK,
                json!({ "a": c.dept, "url": dept_hook }),
            )
            .await;
        assert_eq!(
            set["setAgencyWebhook"]["url"],
            format!("http://{}/dept?…", hooks.addr),
            "the secret key is never shown back"
        );
        app.ok(
            SET_WEBHOOK,
            json!({ "a": c.city, "url": hooks.url("city") }),
        )
        .await;

        let soon = new_item(&app, &c.dept, "行政执法案卷评查发现的问题").await;
        assign_due(&app, &c, &soon, today() + Days::days(7)).await;
        let late = new_item(&app, &c.dept, "逾期未整改的问题").await;
        assign_due(&app, &c, &late, today() - Days::days(3)).await;

        let (swept, sent) = app.reminders.run_once().await.unwrap();
        // Emails: 2 owners × 2 items + 1 supervisor; webhooks: dept × 2, city × 1.
        assert_eq!(swept.enqueued, 8, "{swept:?}");
        assert_eq!(sent.sent, 8, "{sent:?}");
        assert_eq!(smtp.messages().len(), 5);
        let received = hooks.received();
        assert_eq!(received.len(), 3, "{received:?}");
        let dept: Vec<_> = received.iter().filter(|h| h.path == "dept").collect();
        assert_eq!(dept.len(), 2);
        let countdown = dept
            .iter()
            .find(|h| h.body["rectify"]["kind"] == "countdown")
            .unwrap();
        assert_eq!(countdown.body["msgtype"], "text");
        let content = countdown.body["text"]["content"].as_str().unwrap();
        for expected in [
            "【整改提醒】",
            "距整改时限还有7天",
            "行政执法案卷评查发现的问题",
            "张局长、李科长",
            "蓝色提示",
        ] {
            assert!(content.contains(expected), "{expected:?} in {content}");
        }
        assert_eq!(
            countdown.idempotency_key.as_deref(),
            countdown.body["rectify"]["message_id"].as_str(),
            "the Message-ID travels as the Idempotency-Key"
        );
        assert!(
            countdown
                .content_type
                .as_deref()
                .unwrap()
                .starts_with("application/json")
        );
        let city: Vec<_> = received.iter().filter(|h| h.path == "city").collect();
        assert_eq!(
            city.len(),
            1,
            "the escalation goes to the supervising agency's robot"
        );
        assert_eq!(city[0].body["rectify"]["kind"], "escalation");
        assert_eq!(city[0].body["rectify"]["escalation_level"], 3);

        let listed = app
            .ok(
                "{ reminders(status: SENT, first: 50) { nodes { channel recipient } } }",
                json!({}),
            )
            .await;
        let webhooks: Vec<&Value> = listed["reminders"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["channel"] == "webhook")
            .collect();
        assert_eq!(webhooks.len(), 3);
        assert!(
            webhooks
                .iter()
                .all(|n| !n["recipient"].as_str().unwrap().contains("secret")),
            "{webhooks:?}"
        );

        // Nothing twice.
        let (swept, sent) = app.reminders.run_once().await.unwrap();
        assert_eq!((swept.enqueued, sent.sent), (0, 0));
        assert_eq!(hooks.received().len(), 3);
    }
);

store_test!(
    a_webhook_that_is_busy_is_retried_and_one_that_refuses_fails_at_once,
    |backend| async move {
        let smtp = SmtpSink::start().await;
        let hooks = WebhookSink::start().await;
        let app = spawn_app_with(backend, settings(smtp.addr, |_| {})).await;
        let c = cast(&app).await;
        app.ok(
            SET_WEBHOOK,
            json!({ "a": c.dept, "url": hooks.url("dept") }),
        )
        .await;
        let id = new_item(&app, &c.dept, "忙碌的机器人").await;
        assign_due(&app, &c, &id, today() + Days::days(3)).await;

        hooks.answer(&[503, 429]);
        app.reminders.sweep().await.unwrap();
        drain(&app).await;
        let received = hooks.received();
        assert_eq!(received.len(), 1, "delivered once after two busy answers");
        let row = app
            .ok(
                "{ reminders(status: SENT, first: 50) { nodes { channel attempts } } }",
                json!({}),
            )
            .await;
        let webhook = row["reminders"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["channel"] == "webhook")
            .unwrap()
            .clone();
        assert_eq!(webhook["attempts"], 3);

        // A robot that answers 404 (a wrong key) is given up at once.
        let other = new_item(&app, &c.dept, "地址错误的机器人").await;
        assign_due(&app, &c, &other, today() + Days::days(1)).await;
        hooks.answer(&[404]);
        app.reminders.sweep().await.unwrap();
        drain(&app).await;
        let failed = app
            .ok(
                "{ reminders(status: FAILED) { totalCount nodes { channel attempts lastError } } }",
                json!({}),
            )
            .await;
        assert_eq!(failed["reminders"]["totalCount"], 1);
        assert_eq!(failed["reminders"]["nodes"][0]["channel"], "webhook");
        assert_eq!(failed["reminders"]["nodes"][0]["attempts"], 1);
        assert!(
            failed["reminders"]["nodes"][0]["lastError"]
                .as_str()
                .unwrap()
                .contains("404")
        );

        // A receiver that is down: the row waits for a retry, nothing is lost.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let down = format!("http://{}/hook?key=k", closed.local_addr().unwrap());
        drop(closed);
        app.ok(SET_WEBHOOK, json!({ "a": c.dept, "url": down }))
            .await;
        let third = new_item(&app, &c.dept, "服务中断").await;
        assign_due(&app, &c, &third, today()).await;
        app.reminders.sweep().await.unwrap();
        let report = app.reminders.send_due().await.unwrap();
        assert!(
            report.retried >= 1 && report.failed == 0,
            "the webhook row waits for another try: {report:?}"
        );
        let pending = app
            .ok(
                "{ reminders(status: PENDING) { nodes { channel lastError } } }",
                json!({}),
            )
            .await;
        assert_eq!(pending["reminders"]["nodes"][0]["channel"], "webhook");
    }
);

store_test!(
    only_those_who_manage_an_agency_set_its_webhook_and_only_to_a_web_address,
    |backend| async move {
        let app = spawn_app(backend).await;
        let c = cast(&app).await;
        for (token, who) in [
            (&c.other_coordinator, "another agency's coordinator"),
            (&c.leader_token, "a leader"),
            (&c.other_supervisor, "another city's office"),
        ] {
            assert_eq!(
                app.code_as(
                    Some(token),
                    SET_WEBHOOK,
                    json!({ "a": c.dept, "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x" })
                )
                .await,
                "FORBIDDEN",
                "{who}"
            );
            assert_eq!(
                app.code_as(
                    Some(token),
                    "query($a: ID!) { agencyWebhook(agencyId: $a) { url } }",
                    json!({ "a": c.dept })
                )
                .await,
                "FORBIDDEN",
                "{who} cannot read it"
            );
        }
        for bad in ["ftp://example.com/x", "not a url", "https://"] {
            assert_eq!(
                app.code_as(
                    Some(&c.coordinator),
                    SET_WEBHOOK,
                    json!({ "a": c.dept, "url": bad })
                )
                .await,
                "VALIDATION",
                "{bad}"
            );
        }
        let none = app
            .ok_as(
                &c.supervisor,
                "query($a: ID!) { agencyWebhook(agencyId: $a) { url } }",
                json!({ "a": c.dept }),
            )
            .await;
        assert_eq!(
            none["agencyWebhook"],
            Value::Null,
            "refusals changed nothing"
        );
        app.ok_as(
            &c.supervisor,
            SET_WEBHOOK,
            json!({ "a": c.dept, "url": "https://oapi.dingtalk.com/robot/send?access_token=t" }),
        )
        .await;
        let set = app
            .ok_as(
                &c.coordinator,
                "query($a: ID!) { agencyWebhook(agencyId: $a) { url } }",
                json!({ "a": c.dept }),
            )
            .await;
        assert_eq!(
            set["agencyWebhook"]["url"],
            "https://oapi.dingtalk.com/robot/send?…"
        );
        app.ok_as(
            &c.coordinator,
            SET_WEBHOOK,
            json!({ "a": c.dept, "url": null }),
        )
        .await;
        let removed = app
            .ok_as(
                &c.coordinator,
                "query($a: ID!) { agencyWebhook(agencyId: $a) { url } }",
                json!({ "a": c.dept }),
            )
            .await;
        assert_eq!(removed["agencyWebhook"], Value::Null);
    }
);

store_test!(
    the_weekly_digest_lists_each_persons_open_items_in_one_mail,
    |backend| async move {
        let smtp = SmtpSink::start().await;
        let weekday = today().weekday();
        let app = spawn_app_with(
            backend,
            settings(smtp.addr, move |s| {
                s.remind.policy.digest_weekday = Some(weekday)
            }),
        )
        .await;
        let c = cast(&app).await;
        let titles = ["事项甲：已逾期", "事项乙：九十天后到期", "事项丙：已完成"];
        let mut ids = Vec::new();
        for (title, due) in titles.iter().zip([-5, 90, 30]) {
            let id = new_item(&app, &c.dept, title).await;
            assign_due(&app, &c, &id, today() + Days::days(due)).await;
            ids.push(id);
        }
        // The third is cancelled: it is no longer open.
        let v = version(&app, &ids[2]).await;
        app.ok(
            "mutation($id: ID!, $v: Int!) { transitionItem(id: $id, action: \"cancel\", comment: \"并入其他事项\", expectedVersion: $v) { state } }",
            json!({ "id": ids[2], "v": v }),
        )
        .await;

        let templates = app.reminders.templates().clone();
        let report = app
            .services
            .sweep_reminders(&templates, "https://rectify.example.gov.cn", Some(today()))
            .await
            .unwrap();
        assert_eq!(report.lists, 2, "leader and responsible person: {report:?}");
        app.reminders.send_due().await.unwrap();
        let digests: Vec<_> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.header("Subject").unwrap().starts_with("【整改周报】"))
            .collect();
        assert_eq!(digests.len(), 2);
        for d in &digests {
            let subject = d.header("Subject").unwrap();
            assert!(subject.contains("2项整改事项"), "{subject}");
            assert!(subject.contains("1项已逾期"), "{subject}");
            let text = d.text();
            assert!(
                text.contains(titles[0]) && text.contains(titles[1]),
                "{text}"
            );
            assert!(!text.contains(titles[2]), "a cancelled item is not listed");
            assert!(
                text.contains("已逾期5天") && text.contains("红色督办"),
                "{text}"
            );
        }
        let again = app
            .services
            .sweep_reminders(&templates, "https://rectify.example.gov.cn", Some(today()))
            .await
            .unwrap();
        assert_eq!(again.lists, 0, "one digest per person and week");
        // The day after the catch-up window has no digest due.
        let later = app
            .services
            .sweep_reminders(
                &templates,
                "https://rectify.example.gov.cn",
                Some(today() + Days::days(3)),
            )
            .await
            .unwrap();
        assert_eq!(later.lists, 0);
    }
);

const REPORT_2024: &str = "某某县审计局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次。\n\
二、存在的不足\n一是普法宣传形式单一，针对性和实效性不强。\n二是行政执法人员专业能力不足，执法培训覆盖面窄。\n\
三、2025年工作计划\n（一）创新普法宣传形式。\n（二）加强执法队伍建设。\n\
某某县审计局\n2025年1月20日\n";

store_test!(
    each_january_coordinators_hear_of_earlier_reports_shortcomings_still_open,
    |backend| async move {
        let smtp = SmtpSink::start().await;
        let hooks = WebhookSink::start().await;
        let app = spawn_app_with(backend, settings(smtp.addr, |_| {})).await;
        let imported = app
            .ok(
                "mutation($input: ImportReportInput!) { importReport(input: $input) { agency { id } shortcomings { item { id } } } }",
                json!({ "input": { "text": REPORT_2024 } }),
            )
            .await;
        let agency = imported["importReport"]["agency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let items: Vec<String> = imported["importReport"]["shortcomings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["item"]["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(items.len(), 2);
        let coordinator = app
            .token_for(
                rectify::domain::AccountRole::Coordinator,
                Some(&agency),
                None,
            )
            .await;
        app.ok_as(
            &coordinator,
            SET_WEBHOOK,
            json!({ "a": agency, "url": hooks.url("audit") }),
        )
        .await;
        // Another agency's coordinator, with no report: hears nothing.
        let elsewhere = app.create_agency("某某县统计局", None).await;
        app.token_for(
            rectify::domain::AccountRole::Coordinator,
            Some(&elsewhere),
            None,
        )
        .await;
        // One of the two is closed by cancelling it.
        let v = version(&app, &items[1]).await;
        app.ok(
            "mutation($id: ID!, $v: Int!) { transitionItem(id: $id, action: \"cancel\", comment: \"已整改到位\", expectedVersion: $v) { state } }",
            json!({ "id": items[1], "v": v }),
        )
        .await;

        let templates = app.reminders.templates().clone();
        let sweep = |day: &str| {
            let app = &app;
            let templates = templates.clone();
            let day: NaiveDate = day.parse().unwrap();
            async move {
                app.services
                    .sweep_reminders(&templates, "https://rectify.example.gov.cn", Some(day))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(sweep("2026-12-31").await.lists, 0, "not before January");
        assert_eq!(sweep("2026-01-04").await.lists, 0, "not before the 5th");
        // 2026: the 2025 report is being written; the 2024 report's shortcomings count.
        assert_eq!(
            sweep("2026-01-06").await.lists,
            2,
            "coordinator and webhook"
        );
        assert_eq!(sweep("2026-01-20").await.lists, 0, "once a year");
        drain(&app).await;
        let mails = smtp.messages();
        assert_eq!(mails.len(), 1);
        let subject = mails[0].header("Subject").unwrap();
        assert!(
            subject.starts_with("【年度报告提醒】某某县审计局"),
            "{subject}"
        );
        assert!(subject.contains("1项"), "{subject}");
        let text = mails[0].text();
        assert!(text.contains("2025年度法治政府建设情况报告"), "{text}");
        assert!(text.contains("3月1日") && text.contains("4月1日"), "{text}");
        assert!(text.contains("普法宣传形式单一"), "{text}");
        assert!(
            !text.contains("执法培训覆盖面窄"),
            "the cancelled one is not listed"
        );
        let hooked = hooks.received();
        assert_eq!(hooked.len(), 1);
        assert_eq!(hooked[0].body["rectify"]["kind"], "report_calendar");
        // The next January the same items are still open: reminded again.
        assert_eq!(sweep("2027-01-05").await.lists, 2);
    }
);

store_test!(
    a_dingtalk_robot_with_a_secret_gets_every_call_signed_and_the_secret_is_never_shown,
    |backend| async move {
        use base64::Engine as _;
        use hmac::{Mac, digest::KeyInit};
        const SET_SIGNED: &str = "mutation($a: ID!, $url: String, $secret: String) { setAgencyWebhook(agencyId: $a, url: $url, secret: $secret) { url signed } }";
        let smtp = SmtpSink::start().await;
        let hooks = WebhookSink::start().await;
        let app = spawn_app_with(backend, settings(smtp.addr, |_| {})).await;
        let c = cast(&app).await;
        let secret = "SECd3f1e6a0b7c2+/=测";
        assert_eq!(
            app.code_as(
                Some(&c.coordinator),
                SET_SIGNED,
                json!({ "a": c.dept, "url": hooks.url("ding"), "secret": secret }),
            )
            .await,
            "VALIDATION",
            "a secret is printable ASCII"
        );
        let secret = "SECd3f1e6a0b7c2+/=xyz";
        let set = app
            .ok_as(
                &c.coordinator,
                SET_SIGNED,
                json!({ "a": c.dept, "url": hooks.url("ding"), "secret": secret }),
            )
            .await;
        assert_eq!(set["setAgencyWebhook"]["signed"], true);
        assert!(!set.to_string().contains("SECd3f"), "{set}");
        // Setting the same URL again without `secret` keeps it.
        let again = app
            .ok_as(
                &c.coordinator,
                SET_WEBHOOK,
                json!({ "a": c.dept, "url": hooks.url("ding") }),
            )
            .await;
        assert!(!again.to_string().contains("SECd3f"));
        let read = app
            .ok_as(
                &c.coordinator,
                "query($a: ID!) { agencyWebhook(agencyId: $a) { url signed } }",
                json!({ "a": c.dept }),
            )
            .await;
        assert_eq!(read["agencyWebhook"]["signed"], true, "{read}");

        let id = new_item(&app, &c.dept, "加签机器人").await;
        assign_due(&app, &c, &id, today() + Days::days(3)).await;
        let before = Utc::now().timestamp_millis();
        app.reminders.run_once().await.unwrap();
        let after = Utc::now().timestamp_millis();
        let received = hooks.received();
        assert_eq!(received.len(), 1, "{received:?}");
        let query = received[0].query.clone().unwrap();
        let pairs: Vec<(String, String)> = url_pairs(&query);
        assert_eq!(pairs[0], ("key".into(), "secret-ding".into()));
        let timestamp: i64 = pairs[1].1.parse().unwrap();
        assert_eq!(pairs[1].0, "timestamp");
        assert!((before..=after).contains(&timestamp), "{timestamp}");
        assert_eq!(pairs[2].0, "sign");
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}\n{secret}").as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(pairs[2].1, expected, "the receiver's own HMAC matches");
        assert!(
            !query.contains('+') && query.contains("%3D"),
            "the signature is URL-encoded: {query}"
        );

        // `secret: null` removes it: the next call is unsigned.
        let cleared = app
            .ok_as(
                &c.coordinator,
                SET_SIGNED,
                json!({ "a": c.dept, "url": hooks.url("ding"), "secret": null }),
            )
            .await;
        assert_eq!(cleared["setAgencyWebhook"]["signed"], false);
        let other = new_item(&app, &c.dept, "不加签").await;
        assign_due(&app, &c, &other, today() + Days::days(3)).await;
        app.reminders.run_once().await.unwrap();
        let last = hooks.received().pop().unwrap();
        assert_eq!(last.query.as_deref(), Some("key=secret-ding"));
    }
);

/// The pairs of a URL query, decoded.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}
