//! The reminder sweep over a large database (the bar: 1,000,000 items on PostgreSQL in
//! ≤ 2 s). `BENCH_DATABASE_URL` names the database (default: a fresh SQLite file);
//! `BENCH_ITEMS` the item count (default 1,000,000). An empty database is seeded first with
//! `rectify::seed` (1,000 agencies); a seeded one is reused, so repeated runs are quick.

use std::time::Instant;

use rectify::{config::Settings, jobs::Reminders, service::Services, store::Store};

fn main() {
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
        let reminders = Reminders::new(services, &settings).expect("reminders");
        for round in ["first (enqueues)", "second (nothing new)", "third"] {
            let started = Instant::now();
            let report = reminders.sweep().await.expect("sweep");
            println!(
                "sweep {round}: {:.3} s — {} candidates, {} enqueued, over {} items ({})",
                started.elapsed().as_secs_f64(),
                report.candidates,
                report.enqueued,
                items,
                if url.starts_with("postgres") {
                    "PostgreSQL"
                } else {
                    "SQLite"
                }
            );
        }
    });
}
