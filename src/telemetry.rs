//! Operational metrics through the `metrics` facade, exposed in the Prometheus text format
//! at `/metrics` by `metrics-exporter-prometheus` (no HTTP listener of its own: the
//! router serves the page, behind its token).
//!
//! Families (all prefixed `rectify_`):
//! - `http_requests_total`, `http_request_duration_seconds` — by method, matched route
//!   (the pattern, never the raw path) and status;
//! - `graphql_operations_total` by operation type, `graphql_errors_total` by code;
//! - `db_pool_connections` by state (in_use, idle), `db_pool_max_connections`;
//!   `db_pool_acquire_seconds` (how long each statement waited for a connection) and
//!   `db_pool_waits_total` (acquires that waited [`WAIT`] or longer), read from the events
//!   sqlx emits per acquire (see [`pool_waits_layer`]);
//! - `job_duration_seconds`, `job_last_success_timestamp_seconds` — by job (sweep, send);
//! - `deliveries_total` — reminders by channel (email, webhook) and outcome (sent, retry,
//!   failed);
//! - `items` by state, `items_overdue`, `reminders` by status, `evidence_bytes` — counted
//!   from the database at each scrape;
//! - `build_info` — 1, with the version.

use std::{sync::OnceLock, time::Duration};

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets (seconds): from 5 ms to a minute.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Acquire-time buckets (seconds): an idle connection is lent in microseconds; anything
/// from a millisecond up is a request queueing for the pool.
const ACQUIRE_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0,
];

/// An acquire that took this long or longer counts as a wait: no connection was free.
pub const WAIT: Duration = Duration::from_millis(1);

/// Where sqlx reports each acquire (with `acquire_time_level` set, see `store::connect`).
pub const ACQUIRE_TARGET: &str = "sqlx::pool::acquire";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use (`None` when another recorder was
/// installed first: metrics then go there and the page shows only what is counted here).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("rectify_db_pool_acquire_seconds".into()),
                    ACQUIRE_BUCKETS,
                )
                .ok()?
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()?;
            describe();
            gauge!("rectify_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            Some(handle)
        })
        .as_ref()
}

fn describe_scraped() {
    describe_gauge!("rectify_items", "Items by workflow state.");
    describe_gauge!("rectify_items_overdue", "Open items past their due date.");
    describe_gauge!("rectify_reminders", "Reminders in the outbox, by status.");
    describe_gauge!(
        "rectify_evidence_bytes",
        "Bytes of evidence files in storage."
    );
    describe_gauge!(
        "rectify_db_pool_connections",
        "Database pool connections, in use and idle."
    );
    describe_gauge!(
        "rectify_db_pool_max_connections",
        "The database pool's size limit."
    );
}

fn describe() {
    describe_counter!("rectify_http_requests_total", "HTTP requests answered.");
    describe_histogram!(
        "rectify_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer an HTTP request."
    );
    describe_counter!(
        "rectify_graphql_operations_total",
        "GraphQL operations executed, by type."
    );
    describe_counter!(
        "rectify_graphql_errors_total",
        "GraphQL errors answered, by extensions.code."
    );
    describe_histogram!(
        "rectify_job_duration_seconds",
        metrics::Unit::Seconds,
        "Duration of a reminder sweep or sending round."
    );
    describe_gauge!(
        "rectify_job_last_success_timestamp_seconds",
        "When a sweep or sending round last succeeded (Unix time)."
    );
    describe_counter!(
        "rectify_deliveries_total",
        "Reminder deliveries by channel and outcome."
    );
    describe_gauge!("rectify_build_info", "The running build (always 1).");
    describe_histogram!(
        "rectify_db_pool_acquire_seconds",
        metrics::Unit::Seconds,
        "Time a statement waited for a database connection."
    );
    describe_counter!(
        "rectify_db_pool_waits_total",
        "Connection acquires that waited 1 ms or longer (no connection was free)."
    );
}

/// A tracing layer that turns sqlx's per-acquire events into the pool's wait metrics.
///
/// sqlx's pool exposes its queue to no callback; the only place an acquire's duration is
/// seen is the event it emits on [`ACQUIRE_TARGET`] when `acquire_time_level` is on. The
/// layer carries its own filter, so the event is dispatched here whatever level the log
/// output is set to, and never printed.
pub fn pool_waits_layer<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::{Layer, filter::Targets};
    PoolWaits.with_filter(Targets::new().with_target(ACQUIRE_TARGET, tracing::Level::TRACE))
}

struct PoolWaits;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for PoolWaits {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct AcquiredAfter(Option<f64>);
        impl tracing::field::Visit for AcquiredAfter {
            fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
                if field.name() == "acquired_after_secs" {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        if event.metadata().target() != ACQUIRE_TARGET {
            return;
        }
        let mut seen = AcquiredAfter(None);
        event.record(&mut seen);
        if let Some(secs) = seen.0 {
            pool_acquire(Duration::from_secs_f64(secs.max(0.0)));
        }
    }
}

/// Records one connection acquire that took `took`.
pub fn pool_acquire(took: Duration) {
    histogram!("rectify_db_pool_acquire_seconds").record(took.as_secs_f64());
    if took >= WAIT {
        counter!("rectify_db_pool_waits_total").increment(1);
    }
}

/// Counts one HTTP answer.
pub fn http_request(method: &str, route: &str, status: u16, took: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    counter!("rectify_http_requests_total", &labels).increment(1);
    histogram!("rectify_http_request_duration_seconds", &labels).record(took.as_secs_f64());
}

/// Counts one GraphQL operation and its errors' codes.
pub fn graphql_operation(kind: &'static str, error_codes: &[String]) {
    counter!("rectify_graphql_operations_total", "type" => kind).increment(1);
    for code in error_codes {
        counter!("rectify_graphql_errors_total", "code" => code.clone()).increment(1);
    }
}

/// Records a background job's round.
pub fn job(name: &'static str, took: Duration, ok: bool) {
    histogram!("rectify_job_duration_seconds", "job" => name).record(took.as_secs_f64());
    if ok {
        let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        gauge!("rectify_job_last_success_timestamp_seconds", "job" => name).set(now);
    }
}

/// Counts one delivery attempt's outcome (`sent`, `retry`, `failed`) on `channel`.
pub fn delivery(channel: &str, outcome: &'static str) {
    counter!("rectify_deliveries_total", "channel" => channel.to_owned(), "outcome" => outcome)
        .increment(1);
}

/// A figure counted at scrape time: its name, an optional label, its value.
pub type Scraped = (&'static str, Option<(&'static str, String)>, f64);

/// The page: everything this process recorded, then the figures counted from this app's
/// database now. Those go through a recorder of their own for this one page, so that
/// two apps in one process (tests) never show each other's figures.
pub fn render(scraped: &[Scraped]) -> String {
    let mut page = match handle() {
        Some(h) => {
            h.run_upkeep();
            h.render()
        }
        None => String::new(),
    };
    let local = PrometheusBuilder::new().build_recorder();
    let handle = local.handle();
    metrics::with_local_recorder(&local, || {
        describe_scraped();
        for (name, label, value) in scraped {
            match label {
                Some((k, v)) => gauge!(*name, *k => v.clone()).set(*value),
                None => gauge!(*name).set(*value),
            }
        }
    });
    page.push_str(&handle.render());
    page
}
