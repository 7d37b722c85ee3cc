//! Every kind of email, as it reaches a real SMTP server, parsed by an independent MIME
//! parser (`mail-parser`): its plain and HTML parts say the same thing, and an urge says
//! what the item's real state is, with the supervisor's note in both parts.

use std::{collections::BTreeMap, time::Duration};

use chrono::{Datelike, Duration as Days, NaiveDate};
use mail_parser::MessageParser;
use serde_json::json;

use crate::{
    helpers::*,
    smtp_sink::SmtpSink,
    store_test,
    workflow::{ASSIGN, TRANSITION, cast, new_item, version},
};

const REPORT_2024: &str = "某市司法局2024年法治政府建设年度报告\n\
一、主要举措和成效\n（一）加强学习。全年组织专题学法12次。\n\
二、存在的不足\n一是普法宣传形式单一。针对性和实效性不强，群众知晓率偏低。\n\
三、2025年工作计划\n（一）创新普法宣传形式。\n\
某市司法局\n2025年1月20日\n";

/// A parsed message: its subject, plain part and HTML part.
struct Parsed {
    subject: String,
    text: String,
    html: String,
}

fn parse(raw: &str) -> Parsed {
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    assert_eq!(message.text_body.len(), 1, "one plain part");
    assert_eq!(message.html_body.len(), 1, "one HTML part");
    Parsed {
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap().into_owned(),
        html: message.body_html(0).unwrap().into_owned(),
    }
}

/// The words a reader sees in an HTML document (and its links' targets), entities
/// decoded.
fn html_words(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        if let Some(href) = tag
            .split("href=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
        {
            out.push(' ');
            out.push_str(href);
            out.push(' ');
        }
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Text without whitespace and the separators a table cell stands for.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '：' | ':' | '·' | '•' | '-'))
        .collect()
}

/// Every line of the plain part is in the HTML part, and every sentence the HTML part
/// shows is in the plain part.
fn assert_same_content(kind: &str, p: &Parsed) {
    let html = squeeze(&html_words(&p.html));
    // A numbered line of the plain part is an <ol> item in the HTML part.
    let unnumbered = |l: &str| {
        let l = l.trim_start();
        match l.split_once(". ") {
            Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest.to_owned(),
            _ => l.to_owned(),
        }
    };
    for line in p
        .text
        .lines()
        .map(|l| squeeze(&unnumbered(l)))
        .filter(|l| !l.is_empty())
    {
        assert!(
            html.contains(&line),
            "{kind}: the HTML part lacks {line:?}\n--- text\n{}\n--- html\n{}",
            p.text,
            p.html
        );
    }
    let text = squeeze(&p.text);
    for shown in html_words(&p.html)
        .split(['\n', ' '])
        .map(squeeze)
        .filter(|w| w.chars().count() >= 4 && !w.starts_with("http"))
    {
        // Link texts stand for the URL written out in the plain part.
        if shown.contains("整改跟踪系统") && !text.contains(&shown) && shown.len() < 40 {
            continue;
        }
        if matches!(shown.as_str(), "查看整改事项") {
            continue;
        }
        assert!(
            text.contains(&shown),
            "{kind}: the plain part lacks {shown:?}\n--- text\n{}\n--- html\n{}",
            p.text,
            p.html
        );
    }
}

store_test!(
    every_email_kind_parses_and_its_plain_and_html_parts_say_the_same,
    |backend| async move {
        let smtp = SmtpSink::start().await;
        let today = today_here();
        let app = spawn_app_with(backend, move |s| {
            s.smtp.host = smtp.addr.ip().to_string();
            s.smtp.port = smtp.addr.port();
            s.smtp.timeout = Duration::from_secs(2);
            s.remind.policy.digest_weekday = Some(today.weekday());
            s.public_url = "https://rectify.example.gov.cn".into();
        })
        .await;
        let c = cast(&app).await;
        let assign = |id: String, due: NaiveDate| {
            let app = &app;
            let c = &c;
            async move {
                let v = version(app, &id).await;
                let (given, past) = assignable(&due.to_string());
                app.ok_as(
                    &c.coordinator,
                    ASSIGN,
                    json!({ "id": id, "v": v, "input": { "leadPersonId": c.leader,
                        "responsiblePersonId": c.responsible, "dueOn": given, "category": "TIME_BOUND" } }),
                )
                .await;
                if past {
                    backdate(app, &id, &due.to_string()).await;
                }
            }
        };
        // An imported item: its shortcoming is longer than its title.
        let imported = app
            .ok(
                "mutation($input: ImportReportInput!) { importReport(input: $input) { shortcomings { shortcoming { text } item { id title } } } }",
                json!({ "input": { "text": REPORT_2024, "agencyId": c.dept } }),
            )
            .await;
        let shortcoming = &imported["importReport"]["shortcomings"][0];
        let soon = shortcoming["item"]["id"].as_str().unwrap().to_owned();
        assign(soon.clone(), today + Days::days(7)).await;
        let late = new_item(&app, &c.dept, "逾期未整改的问题").await;
        assign(late.clone(), today - Days::days(3)).await;
        // A long-term item (长期坚持), accepted today: it owes a progress report each period.
        let standing = new_item(&app, &c.dept, "长期坚持的整改事项").await;
        let v = version(&app, &standing).await;
        app.ok_as(
            &c.coordinator,
            ASSIGN,
            json!({ "id": standing, "v": v, "input": { "leadPersonId": c.leader,
                "responsiblePersonId": c.responsible, "category": "LONG_TERM",
                "dueOn": (today + Days::days(365)).to_string() } }),
        )
        .await;
        let v = version(&app, &standing).await;
        app.ok_as(
            &c.leader_token,
            TRANSITION,
            json!({ "id": standing, "action": "accept", "measures": "建立长效机制", "v": v }),
        )
        .await;

        // A supervisor urges the item due in 7 days.
        let v = version(&app, &soon).await;
        app.ok_as(
            &c.supervisor,
            "mutation($id: ID!, $v: Int!) { urgeItem(id: $id, note: \"请于本周五前报送整改方案\", expectedVersion: $v) { version } }",
            json!({ "id": soon, "v": v }),
        )
        .await;
        let templates = app.reminders.templates().clone();
        let url = "https://rectify.example.gov.cn";
        app.services
            .sweep_reminders(&templates, url, Some(today))
            .await
            .unwrap();
        // The days the assignments not accepted (签收) remind the leader, then the
        // supervisors, and the long-term item's first progress report falls due.
        let policy = app.settings.remind.policy.clone();
        for later in [
            policy.accept_within_days,
            2 * policy.accept_within_days,
            policy.long_term_every_days,
        ] {
            app.services
                .sweep_reminders(&templates, url, Some(today + Days::days(later)))
                .await
                .unwrap();
        }
        let january = NaiveDate::from_ymd_opt(today.year() + 1, 1, 6).unwrap();
        app.services
            .sweep_reminders(&templates, url, Some(january))
            .await
            .unwrap();
        app.reminders.send_due().await.unwrap();

        let mut by_kind: BTreeMap<String, Parsed> = BTreeMap::new();
        for m in smtp.messages() {
            let parsed = parse(&m.data);
            let kind = match parsed.subject.as_str() {
                s if s.starts_with("【督办】") => "urge",
                s if s.starts_with("【整改周报】") => "digest",
                s if s.starts_with("【年度报告提醒】") => "report_calendar",
                s if s.contains("仍未签收") => "not_accepted_escalation",
                s if s.contains("尚未签收") => "not_accepted",
                s if s.contains("进展") => "progress_report",
                s if s.contains("请督办") => "escalation",
                s if s.contains("已逾期") => "overdue",
                s if s.contains("距整改时限") => "countdown",
                s => panic!("an unknown subject {s}"),
            };
            // The first of a kind (the January sweep sends a later digest too).
            by_kind.entry(kind.to_owned()).or_insert(parsed);
        }
        assert_eq!(
            by_kind.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "countdown",
                "digest",
                "escalation",
                "not_accepted",
                "not_accepted_escalation",
                "overdue",
                "progress_report",
                "report_calendar",
                "urge"
            ]
        );
        for (kind, parsed) in &by_kind {
            assert_same_content(kind, parsed);
        }

        // The urge: the item's real time limit and level, the note in both parts.
        let urge = &by_kind["urge"];
        for part in [&urge.text, &urge.html] {
            assert!(part.contains("请于本周五前报送整改方案"), "{part}");
            assert!(part.contains("还有7天"), "{part}");
            assert!(part.contains("蓝色提示"), "{part}");
            assert!(
                !part.contains("逾期") && !part.contains("红色督办"),
                "{part}"
            );
            assert!(part.contains("某市人民政府"), "who urged: {part}");
        }
        // 存在问题 is the shortcoming as the report states it, not the report's title.
        let text = shortcoming["shortcoming"]["text"].as_str().unwrap();
        for kind in ["urge", "countdown"] {
            let p = &by_kind[kind];
            assert!(
                p.text.contains(&format!("存在问题：{text}")),
                "{kind}: {}",
                p.text
            );
            assert!(!p.text.contains("年度报告\n"), "{}", p.text);
        }
        // A hand-made item's problem is its title: no 存在问题 row repeating the source.
        for kind in ["overdue", "escalation"] {
            let p = &by_kind[kind];
            assert!(!p.text.contains("存在问题"), "{kind}: {}", p.text);
            assert!(!p.text.contains("法治督察反馈意见"), "{kind}: {}", p.text);
        }
        // The digest's footer line is in its HTML part too.
        assert!(by_kind["digest"].html.contains("本周报每周发送一次"));
    }
);
