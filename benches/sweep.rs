//! The reminder sweep over a large database (the bar: 1,000,000 items on PostgreSQL in
//! ≤ 2 s). `BENCH_DATABASE_URL` names the database (default: a fresh SQLite file);
//! `BENCH_ITEMS` the item count (default 1,000,000). An empty database is seeded first with
//! `rectify::seed` (1,000 agencies); a seeded one is reused, so repeated runs are quick.
//! Starts from an empty outbox and no sweep mark, as a new deployment does.

use std::time::Instant;

use rectify::{config::Settings, jobs::Reminders, service::Services, store::Store};

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "rectify=info".into()),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = std::env::var("BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
        let items: usize = std::env::var("BENCH_ITEMS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000_000);
        let store = Store::connect(&url, 8).await.expect("connect");
        store.migrate().await.expect("migrate");
        let settings = Settings::default();
        let services = Services::new(store.clone(), settings.time_zone);
        let existing = store
            .count_items(&rectify::store::items::ItemFilter::default())
            .await
            .expect("count");
        if (existing as usize) < items {
            let started = Instant::now();
            rectify::seed::seed(&services, 1000, items - existing as usize, 7)
                .await
                .expect("seed");
            println!(
                "seeded {} items in {:.1} s",
                items - existing as usize,
                started.elapsed().as_secs_f64()
            );
        }
        let reset = if url.starts_with("postgres") {
            "TRUNCATE reminders, job_runs"
        } else {
            "DELETE FROM reminders; DELETE FROM job_runs;"
        };
        store.execute_unprepared(reset).await.expect("reset the outbox");
        let reminders = Reminders::new(services.clone(), &settings).expect("reminders");
        let engine = if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        let today = services.today();
        // The days a deployment meets: its first sweep (today only), sweeps later the same
        // day (only what changed), the next day's, and one after two days down (catch-up).
        let rounds = [
            ("first sweep of a deployment", today),
            ("again the same day", today),
            ("the next day", today + chrono::Duration::days(1)),
            ("after two days down", today + chrono::Duration::days(4)),
        ];
        for (round, day) in rounds {
            let started = Instant::now();
            let report = services
                .sweep_reminders(reminders.templates(), reminders.public_url(), Some(day))
                .await
                .expect("sweep");
            println!(
                "sweep, {round}: {:.3} s — {} candidates, {} enqueued, over {items} items ({engine})",
                started.elapsed().as_secs_f64(),
                report.candidates,
                report.enqueued,
            );
        }
    });
}
