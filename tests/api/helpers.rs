//! Test plumbing: a real server on a random port over a fresh database, and a GraphQL client.
//!
//! Every storage test runs on SQLite (a temporary file) and, when `TEST_DATABASE_URL` is
//! set, on PostgreSQL in a schema of its own, so tests run in parallel. With `CI` set, a
//! missing or unreachable PostgreSQL fails the PostgreSQL tests instead of skipping them.

use std::net::SocketAddr;

use rectify::{
    config::Settings,
    domain::AccountRole,
    service::{Actor, Services, auth::AccountInput},
    startup::{Application, Migrate},
    store::Store,
};
use serde_json::{Value, json};

/// Which store a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and what it runs on.
pub struct TestApp {
    pub addr: SocketAddr,
    /// A client signed in as the admin (its token in every request).
    pub client: reqwest::Client,
    /// The admin's token.
    pub admin_token: String,
    pub store: Store,
    #[allow(dead_code)]
    pub services: Services,
    /// The server's reminder sweep and sender (tests drive them by hand).
    #[allow(dead_code)]
    pub reminders: rectify::jobs::Reminders,
    #[allow(dead_code)]
    pub settings: Settings,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Generates one test per store from an async body taking a `Backend`.
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_url().is_none() {
                    return;
                }
                ($body)($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

/// The PostgreSQL URL for tests; panics under CI when it is missing.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests must run in CI")
        }
        _ => {
            eprintln!("TEST_DATABASE_URL is not set: PostgreSQL variant not run");
            None
        }
    }
}

/// A fresh, migrated database URL for one test.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/test.db?mode=rwc", dir.display()),
        Backend::Postgres => {
            let base = postgres_url().expect("PostgreSQL URL");
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = Store::connect(&base, 1)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {base} is unreachable: {e}"));
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create a test schema");
            admin.close().await.ok();
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}options=-c%20search_path%3D{schema}")
        }
    }
}

/// Starts the real server on a random port over a fresh database.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with settings adjusted by `tune`.
pub async fn spawn_app_with(backend: Backend, tune: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        database_url: fresh_database(backend, dir.path()).await,
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        db_max_connections: 8,
        ..Settings::default()
    };
    // Tests sweep and send by hand, never on a timer.
    settings.remind.sweep_interval = std::time::Duration::ZERO;
    settings.remind.send_interval = std::time::Duration::ZERO;
    tune(&mut settings);
    let app = Application::build(&settings, Migrate::Yes)
        .await
        .expect("the application starts");
    let addr = app.local_addr();
    let services = app.services().clone();
    let reminders = app.reminders().clone();
    let store = services.store.clone();
    let admin_token = issue_account(
        &services,
        "admin@test.local",
        AccountRole::Admin,
        None,
        None,
    )
    .await;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        client: client_with(Some(&admin_token)),
        admin_token,
        store,
        services,
        reminders,
        settings,
        _dir: dir,
        shutdown: Some(tx),
    }
}

/// An HTTP client that sends `token` (if any) with every request.
pub fn client_with(token: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

/// Creates an account directly through the services (no password) and returns a token.
pub async fn issue_account(
    services: &Services,
    email: &str,
    role: AccountRole,
    agency: Option<uuid::Uuid>,
    person: Option<uuid::Uuid>,
) -> String {
    let account = services
        .create_account(
            &Actor::System,
            AccountInput {
                email: email.into(),
                password: None,
                role,
                agency_id: agency,
                person_id: person,
            },
        )
        .await
        .expect("a test account");
    services
        .issue_token(account.id, "test", None)
        .await
        .expect("a token")
        .secret
}

impl TestApp {
    /// Creates an account of `role` and returns its token.
    #[allow(dead_code)]
    pub async fn token_for(
        &self,
        role: AccountRole,
        agency: Option<&str>,
        person: Option<&str>,
    ) -> String {
        let email = format!("{}-{}@test.local", role, uuid::Uuid::now_v7().simple());
        let parse = |s: Option<&str>| s.map(|s| uuid::Uuid::parse_str(s).unwrap());
        issue_account(&self.services, &email, role, parse(agency), parse(person)).await
    }

    /// POSTs a GraphQL operation as the holder of `token` (anonymous with `None`).
    #[allow(dead_code)]
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        client_with(token)
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON response")
    }

    /// Runs an operation as `token` that must succeed and returns its `data`.
    #[allow(dead_code)]
    pub async fn ok_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self.graphql_as(Some(token), query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Runs an operation as `token` and returns the first error's code, or "OK".
    #[allow(dead_code)]
    pub async fn code_as(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let response = self.graphql_as(token, query, variables).await;
        match response["errors"][0]["extensions"]["code"].as_str() {
            Some(code) => code.to_owned(),
            None if response.get("errors").is_none() => "OK".to_owned(),
            None => panic!("an error without a code: {response:#}"),
        }
    }

    /// `http://ADDR/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a GraphQL operation and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON response")
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Runs an operation that must fail and returns the first error's `extensions.code`.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let response = self.graphql(query, variables).await;
        response["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code: {response:#}"))
            .to_owned()
    }

    /// Creates an agency and returns its id.
    pub async fn create_agency(&self, name: &str, parent: Option<&str>) -> String {
        let data = self
            .ok(
                "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { id } }",
                json!({ "input": { "name": name, "parentId": parent } }),
            )
            .await;
        data["createAgency"]["id"].as_str().unwrap().to_owned()
    }
}

/// Today where the test agencies are.
pub fn today_here() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// The due date to assign for `due`: itself when it is not in the past, else a year ahead
/// (assignment refuses past dates), with whether the item must then be back-dated.
pub fn assignable(due: &str) -> (String, bool) {
    let day: chrono::NaiveDate = due.parse().expect("a date");
    if day < today_here() {
        (
            (today_here() + chrono::Duration::days(365)).to_string(),
            true,
        )
    } else {
        (due.to_owned(), false)
    }
}

/// Moves an item's due date to `due` in the database, as the passing of time would have
/// (assignment refuses past dates, so an overdue item is made this way in tests).
pub async fn backdate(app: &TestApp, item: &str, due: &str) {
    let id = uuid::Uuid::parse_str(item).unwrap();
    let key = if app.settings.database_url.starts_with("postgres") {
        format!("'{id}'")
    } else {
        format!("X'{}'", id.simple())
    };
    app.store
        .execute_unprepared(&format!(
            "UPDATE items SET due_on = '{due}' WHERE id = {key}"
        ))
        .await
        .expect("back-date an item");
}
