//! A local HTTP receiver for the webhook channel: records every POST and answers with the
//! statuses it is told to (a queue; when empty, 200 with a robot's `{"errcode":0}`).

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};

/// A received POST.
#[derive(Clone, Debug)]
pub struct Hook {
    pub path: String,
    /// The query string as it arrived (still URL-encoded).
    pub query: Option<String>,
    pub idempotency_key: Option<String>,
    pub content_type: Option<String>,
    pub body: serde_json::Value,
}

#[derive(Default)]
struct Shared {
    received: Vec<Hook>,
    answers: VecDeque<u16>,
}

/// The running receiver.
#[derive(Clone)]
pub struct WebhookSink {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

impl WebhookSink {
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, shared }
    }

    /// The URL of a robot at `path`, with a secret key in its query as real robots have.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}?key=secret-{path}", self.addr)
    }

    /// Answer the next requests with these statuses, in order.
    pub fn answer(&self, statuses: &[u16]) {
        self.shared.lock().unwrap().answers.extend(statuses);
    }

    pub fn received(&self) -> Vec<Hook> {
        self.shared.lock().unwrap().received.clone()
    }
}

async fn receive(
    State(shared): State<Arc<Mutex<Shared>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut shared = shared.lock().unwrap();
    let status = shared.answers.pop_front().unwrap_or(200);
    if status == 200 {
        shared.received.push(Hook {
            path: uri.path().trim_start_matches('/').to_owned(),
            query: uri.query().map(str::to_owned),
            idempotency_key: header("idempotency-key"),
            content_type: header("content-type"),
            body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        });
    }
    (
        StatusCode::from_u16(status).unwrap(),
        if status == 200 {
            r#"{"errcode":0,"errmsg":"ok"}"#
        } else {
            "busy"
        },
    )
}
