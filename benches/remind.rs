//! The reminder sender's rate against a local SMTP sink (the bar: ≥ 1,000 messages/s).
//! `cargo bench --bench remind` uses a fresh SQLite file; set `BENCH_DATABASE_URL` to a
//! PostgreSQL database (a schema of its own is created) to measure there.

use std::time::{Duration, Instant};

use chrono::Utc;
use rectify::{
    config::Settings,
    jobs::Reminders,
    service::Services,
    store::{Store, reminders::NewReminder},
};

#[allow(dead_code)]
#[path = "../tests/api/smtp_sink.rs"]
mod smtp_sink;

const MESSAGES: usize = 5_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match std::env::var("BENCH_DATABASE_URL") {
            Ok(base) => {
                let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
                let admin = Store::connect(&base, 1).await.expect("connect");
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options=-c%20search_path%3D{schema}")
            }
            Err(_) => format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()),
        };
        let store = Store::connect(&url, 8).await.expect("connect");
        store.migrate().await.expect("migrate");
        let sink = smtp_sink::SmtpSink::start().await;
        let mut settings = Settings::default();
        settings.smtp.host = sink.addr.ip().to_string();
        settings.smtp.port = sink.addr.port();
        settings.smtp.timeout = Duration::from_secs(5);
        let services = Services::new(store.clone(), settings.time_zone);
        let reminders = Reminders::new(services, &settings).expect("reminders");
        let news: Vec<NewReminder> = (0..MESSAGES)
            .map(|i| NewReminder {
                item_id: None,
                agency_id: None,
                recipient_person_id: None,
                recipient_address: format!("leader{i}@example.gov.cn"),
                channel: "email".into(),
                kind: "countdown".into(),
                refers_to: None,
                scheduled_at: Utc::now(),
                escalation_level: 1,
                subject: format!("【整改提醒】事项{i}距整改时限还有7天"),
                body_text: "您负责的整改事项距整改时限还有7天，请抓紧推进。".repeat(8),
                body_html: "<p>您负责的整改事项距整改时限还有7天，请抓紧推进。</p>".repeat(8),
                idempotency_key: format!("bench:{i}"),
            })
            .collect();
        for chunk in news.chunks(500) {
            store
                .enqueue_reminders(chunk.to_vec())
                .await
                .expect("enqueue");
        }
        let start = Instant::now();
        let report = reminders.send_due().await.expect("send");
        let elapsed = start.elapsed();
        assert_eq!(report.sent as usize, MESSAGES, "{report:?}");
        assert_eq!(sink.messages().len(), MESSAGES);
        println!(
            "sent {MESSAGES} reminders in {:.2} s: {:.0} messages/s ({})",
            elapsed.as_secs_f64(),
            MESSAGES as f64 / elapsed.as_secs_f64(),
            if url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
    });
}
