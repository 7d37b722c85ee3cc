//! The reminder sender's rate against a local SMTP sink (the bar: ≥ 1,000 messages/s),
//! rendering each item reminder as it sends it.
//! `cargo bench --bench remind` uses a fresh SQLite file; set `BENCH_DATABASE_URL` to a
//! PostgreSQL database (a schema of its own is created) to measure there.

use std::time::{Duration, Instant};

use rectify::{config::Settings, jobs::Reminders, service::Services, store::Store};

#[allow(dead_code)]
#[path = "../tests/api/smtp_sink.rs"]
mod smtp_sink;

/// Items seeded: a day's sweep over them finds some thousands of reminders due.
const ITEMS: usize = 60_000;

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
        let reminders = Reminders::new(services.clone(), &settings).expect("reminders");
        // Real item reminders, as a day's sweep enqueues them (unrendered: the sender renders
        // each from its item as it goes out).
        rectify::seed::seed(&services, 100, ITEMS, 7)
            .await
            .expect("seed");
        let swept = services
            .sweep_reminders(reminders.templates(), reminders.public_url(), None)
            .await
            .expect("sweep");
        let due = swept.enqueued as usize;
        let start = Instant::now();
        let report = reminders.send_due().await.expect("send");
        let elapsed = start.elapsed();
        assert!(due >= 1_000, "too few reminders due to measure: {swept:?}");
        assert_eq!(report.sent as usize, due, "{report:?}");
        assert_eq!(sink.messages().len(), due);
        println!(
            "rendered and sent {due} reminders in {:.2} s: {:.0} messages/s ({})",
            elapsed.as_secs_f64(),
            due as f64 / elapsed.as_secs_f64(),
            if url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
    });
}
