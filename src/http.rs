//! The axum router: the web application at `/` (see [`crate::web`]), `/graphql` (and the
//! offline GraphQL IDE there for browsers), evidence downloads, the report section as DOCX,
//! the 整改台账 ledger as XLSX, calendar feeds, health probes, and the layers every request
//! passes (request id, tracing, body limit, timeout).

mod caller;

pub use caller::{Caller, SESSION_COOKIE, bearer, cookie};

use std::{sync::Arc, time::Duration};

use async_graphql::{
    BatchRequest, ParseRequestError,
    http::{MultipartOptions, receive_batch_body},
    parser::{parse_query, types::OperationType},
};
use axum::{
    Json, Router,
    extract::{Path, Query, Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use futures_util::TryStreamExt;
use tokio_util::compat::TokioAsyncReadCompatExt;
use tower::ServiceBuilder;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    assets,
    config::Limits,
    graphql::{self, AppSchema},
    service::{ServiceError, Services, ledger::LedgerScope},
};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub services: Services,
    pub limits: Arc<Limits>,
    /// The address people reach the service at (links in calendar feeds).
    pub public_url: Arc<str>,
    /// The token `/metrics` asks for, if one is configured.
    pub metrics_token: Option<crate::config::Secret>,
    /// The reminder machinery (its templates render an urge at once).
    pub reminders: crate::jobs::Reminders,
}

/// Builds the router with all its layers.
pub fn router(state: AppState) -> Router {
    let limits = state.limits.clone();
    Router::new()
        .merge(crate::web::router(limits.max_body_bytes))
        .route("/ide/{*file}", get(ide_asset))
        .route("/graphql", get(graphql).post(graphql))
        .route("/graphql/ws", get(graphql_ws))
        .route("/evidence/{id}", get(evidence_download))
        .route("/ledger.xlsx", get(ledger_download))
        .route("/appraisal.xlsx", get(appraisal_download))
        .route("/audit/digests.jsonl", get(audit_digests_download))
        .route("/reports/section.docx", get(section_docx))
        .route("/calendar/{file}", get(calendar_feed))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn(track_request))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %logged_path(req.uri().path()), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // Every response says how a browser may use it; a handler may say more.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                // async-graphql reads the body as a stream, past axum's DefaultBodyLimit:
                // this layer refuses a declared oversize body with 413 at once and cuts an
                // undeclared (chunked) one at the limit.
                .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    limits.request_timeout,
                )),
        )
}

/// Scripts and styles only from this server (no inline script anywhere; inline style
/// attributes, which the IDE's editor sets, are allowed), no framing, no foreign posts.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
    object-src 'none'";

/// A request's path as logged: a calendar feed's path holds its secret token.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/calendar/") {
        "/calendar/…"
    } else {
        path
    }
}

/// Request ids are UUID v7: unique, and sortable by time in the logs.
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .ok()
            .map(RequestId::new)
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(3), state.services.store.ping()).await {
        Ok(Ok(())) => "ready".into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database did not answer").into_response(),
    }
}

/// Counts every answer by method, matched route (the pattern: no ids in labels) and status,
/// with its latency.
async fn track_request(req: Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    crate::telemetry::http_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Prometheus text (see `telemetry`): requests, GraphQL operations and errors, the pool,
/// the reminder jobs and deliveries, and figures counted from the database now — items by
/// state and overdue, the outbox by status (a failed count above zero wants a look),
/// evidence bytes. Behind `RECTIFY_METRICS_TOKEN` when one is set, otherwise only for this
/// machine.
async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    let allowed = match &state.metrics_token {
        Some(secret) => bearer(req.headers()).is_some_and(|t| secret.matches(t)),
        None => req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_some_and(|c| c.0.ip().is_loopback()),
    };
    if !allowed {
        return request_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "指标接口需要 RECTIFY_METRICS_TOKEN 所配置的令牌",
        );
    }
    let store = &state.services.store;
    let counts = match store.reminder_counts().await {
        Ok(counts) => counts,
        Err(e) => {
            tracing::warn!(error = %e, "metrics unavailable");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    let mut scraped: Vec<crate::telemetry::Scraped> = Vec::new();
    let mut set_gauge = |name: &'static str, label: Option<(&'static str, String)>, value: f64| {
        scraped.push((name, label, value));
    };
    for status in ["pending", "sending", "sent", "failed"] {
        let n = counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        set_gauge(
            "rectify_reminders",
            Some(("status", status.to_owned())),
            n as f64,
        );
    }
    if let Ok(bytes) = store.evidence_bytes_stored().await {
        set_gauge("rectify_evidence_bytes", None, bytes as f64);
    }
    if let Ok(states) = store.item_state_counts().await {
        for state_name in state.services.workflow.states() {
            let n = states
                .iter()
                .find(|(s, _)| *s == state_name.name)
                .map_or(0, |(_, n)| *n);
            set_gauge(
                "rectify_items",
                Some(("state", state_name.name.clone())),
                n as f64,
            );
        }
    }
    if let Ok(n) = store
        .overdue_count(
            state.services.today(),
            &state.services.workflow.open_states(),
        )
        .await
    {
        set_gauge("rectify_items_overdue", None, n as f64);
    }
    let (in_use, idle, max) = store.pool_status();
    set_gauge(
        "rectify_db_pool_connections",
        Some(("state", "in_use".to_owned())),
        in_use as f64,
    );
    set_gauge(
        "rectify_db_pool_connections",
        Some(("state", "idle".to_owned())),
        idle as f64,
    );
    set_gauge("rectify_db_pool_max_connections", None, max as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::telemetry::render(&scraped),
    )
        .into_response()
}

pub(crate) async fn ide() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        assets::IDE_HTML,
    )
        .into_response()
}

async fn ide_asset(Path(file): Path<String>) -> Response {
    match assets::ide_file(&file) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A GraphQL error response outside execution (bad body, batch, too large).
pub(crate) fn request_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let body = serde_json::json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": code } }],
    });
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

/// What a 503 asks clients to wait before trying again, in seconds.
const RETRY_AFTER_SECS: &str = "5";

/// The address a request came from: the peer's, or, when the peer is a proxy on this
/// machine, the last address it appended to `X-Forwarded-For`.
fn client_address(req: &Request) -> Option<std::net::IpAddr> {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0;
    Some(client_address_of(peer, req.headers()))
}

/// [`client_address`] from the peer's address and the request's headers.
pub(crate) fn client_address_of(
    peer: std::net::SocketAddr,
    headers: &axum::http::HeaderMap,
) -> std::net::IpAddr {
    let peer = peer.ip();
    if !peer.is_loopback() {
        return peer;
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer)
}

/// The offline GraphQL IDE, for a browser that opens `/graphql` without a query.
fn wants_ide(req: &Request) -> bool {
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let has_query = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("query=")));
    req.method() == Method::GET && accepts_html && !has_query
}

async fn graphql(State(state): State<AppState>, caller: Caller, req: Request) -> Response {
    if wants_ide(&req) {
        return ide().await;
    }
    let is_get = req.method() == Method::GET;
    let client = graphql::ClientAddress(client_address(&req));
    // A browser's session cookie is sent by any page that posts here: a POST that relies
    // on it must also carry the session's CSRF token in a header no other site can set.
    if let Some(session) = &caller.session
        && !is_get
        && req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            != Some(session.session.csrf_token.as_str())
    {
        return request_error(
            StatusCode::FORBIDDEN,
            "CSRF",
            "通过登录会话发出的请求须带 X-CSRF-Token 请求头，请刷新页面后重试",
        );
    }
    let actor = caller.actor;
    let parsed = if is_get {
        async_graphql::http::parse_query_string(req.uri().query().unwrap_or_default())
            .map(BatchRequest::Single)
            .map_err(|e| ParseRequestError::Io(std::io::Error::other(e.to_string())))
    } else {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(ToOwned::to_owned);
        let body = req.into_body().into_data_stream().map_err(|e| {
            // The body limit layer ends an oversize stream with an error: keep that apart.
            if is_length_limit(&e) {
                std::io::Error::new(std::io::ErrorKind::FileTooLarge, "request body too large")
            } else {
                std::io::Error::other(e.to_string())
            }
        });
        let reader = tokio_util::io::StreamReader::new(body).compat();
        let options = MultipartOptions::default()
            .max_file_size(state.limits.max_upload_bytes)
            .max_num_files(10);
        receive_batch_body(content_type, reader, options).await
    };
    let request = match parsed {
        Ok(BatchRequest::Single(request)) => request,
        Ok(BatchRequest::Batch(_)) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BATCH_NOT_SUPPORTED",
                "不接受批量请求：每次请求只能包含一个操作",
            );
        }
        Err(ParseRequestError::PayloadTooLarge) => return too_large(&state),
        Err(ParseRequestError::Io(e)) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            return too_large(&state);
        }
        Err(e) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("请求不是有效的 GraphQL 请求：{e}"),
            );
        }
    };
    if is_get && is_mutation(&request) {
        return request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "修改操作（mutation）须用 POST 发送",
        );
    }
    let kind = if is_mutation(&request) {
        "mutation"
    } else {
        "query"
    };
    let (actor, loaders) = graphql::request_data(&state.services, actor);
    let mut response = state
        .schema
        .execute(request.data(actor).data(loaders).data(client))
        .await;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", code_for_uncoded(&error.message));
        }
        // Every message is for people, in Chinese; an English one (async-graphql's own)
        // moves to `extensions.detail`.
        if !crate::service::error::is_chinese(&error.message) {
            let code = match extensions.get("code") {
                Some(async_graphql::Value::String(c)) => c.clone(),
                _ => String::new(),
            };
            let (message, detail) =
                graphql::error::in_chinese(&code, std::mem::take(&mut error.message));
            error.message = message;
            if let Some(detail) = detail {
                extensions.set("detail", detail);
            }
        }
    }
    let codes: Vec<String> = response
        .errors
        .iter()
        .filter_map(
            |e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
                Some(async_graphql::Value::String(c)) => Some(c.clone()),
                _ => None,
            },
        )
        .collect();
    crate::telemetry::graphql_operation(kind, &codes);
    // The database being away is the one failure a client should retry: say so in HTTP.
    let unavailable = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from("UNAVAILABLE"))
    });
    let mut http = Json(response).into_response();
    if unavailable {
        *http.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        http.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    } else {
        *http.status_mut() = StatusCode::OK;
    }
    http
}

/// GraphQL over WebSocket (subscriptions). The token comes in the `connection_init`
/// payload (`{"Authorization": "Bearer …"}`) or as the upgrade request's header.
async fn graphql_ws(
    State(state): State<AppState>,
    caller: Caller,
    protocol: async_graphql_axum::GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    // Any site may open a WebSocket with the browser's cookies: only a token counts here.
    let from_header = match caller.session {
        Some(_) => crate::service::Actor::Anonymous,
        None => caller.actor,
    };
    let schema = state.schema.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let services = state.services.clone();
            async_graphql_axum::GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .map(|v| v.trim_start_matches("Bearer ").trim().to_owned());
                    let actor = match token {
                        Some(token) => services
                            .authenticate(Some(&token))
                            .await
                            .map_err(|e| async_graphql::Error::new(e.to_string()))?,
                        None => from_header,
                    };
                    let (actor, loaders) = graphql::connection_data(&services, actor);
                    let mut data = async_graphql::Data::default();
                    data.insert(actor);
                    data.insert(loaders);
                    Ok(data)
                })
                .serve()
                .await
        })
}

/// An evidence file, for whoever may see its item (`Authorization: Bearer …`).
async fn evidence_download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<EvidenceQuery>,
    caller: Caller,
) -> Response {
    let actor = caller.actor;
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return request_error(StatusCode::NOT_FOUND, "NOT_FOUND", "没有该佐证材料");
    };
    let file = match state.services.evidence_file(&actor, id).await {
        Ok(file) => file,
        Err(e) => {
            let code = graphql::error::code_of(&e);
            let status = match code {
                "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
                "FORBIDDEN" => StatusCode::FORBIDDEN,
                "NOT_FOUND" => StatusCode::NOT_FOUND,
                "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            return request_error(status, code, &e.to_string());
        }
    };
    let handle = match tokio::fs::File::open(&file.path).await {
        Ok(handle) => handle,
        Err(e) => {
            tracing::error!(error = %e, path = %file.path.display(), "evidence file missing");
            return request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "佐证材料文件在存储中缺失，已记录，请联系管理员",
            );
        }
    };
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(handle));
    // Images and PDFs may be shown inside the item page (`?inline=1`); nothing else is.
    let inline = query.inline.is_some()
        && (file.content_type.starts_with("image/") || file.content_type == "application/pdf");
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        percent_encode(&file.name)
    );
    (
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_LENGTH, file.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            // Shown inside our own pages only (the types allowed are never HTML or SVG).
            (
                header::CONTENT_SECURITY_POLICY,
                "frame-ancestors 'self'".to_owned(),
            ),
        ],
        body,
    )
        .into_response()
}

/// The query of `GET /evidence/<id>`: `inline` asks to show an image or PDF in the page.
#[derive(serde::Deserialize)]
struct EvidenceQuery {
    inline: Option<String>,
}

/// The "上年度存在问题整改情况" section as a Word document,
/// `/reports/section.docx?agency=<id>&year=<Y>`, for whoever may read it over GraphQL
/// (`Authorization: Bearer …`).
async fn section_docx(
    State(state): State<AppState>,
    Query(params): Query<std::collections::HashMap<String, String>>,
    caller: Caller,
) -> Response {
    let actor = caller.actor;
    let Some(agency) = params
        .get("agency")
        .and_then(|a| uuid::Uuid::parse_str(a.trim()).ok())
    else {
        return request_error(
            StatusCode::BAD_REQUEST,
            "VALIDATION",
            "请以 ?agency=<单位编号>&year=<报告年度> 指定单位",
        );
    };
    let Some(year) = params
        .get("year")
        .and_then(|y| y.trim().parse::<i32>().ok())
    else {
        return request_error(
            StatusCode::BAD_REQUEST,
            "VALIDATION",
            "请以 ?agency=<单位编号>&year=<报告年度> 指定报告年度，如 year=2025",
        );
    };
    let file = match state
        .services
        .rectification_section(&actor, agency, year)
        .await
        .and_then(|s| Ok((s.docx_file_name(), s.docx()?)))
    {
        Ok(file) => file,
        Err(e) => return service_error(&e),
    };
    let (name, bytes) = file;
    let disposition = format!(
        "attachment; filename=\"section-{year}.docx\"; filename*=UTF-8''{}",
        percent_encode(&name)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                crate::domain::report_section::docx::CONTENT_TYPE.to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (
                HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The query of `GET /ledger.xlsx`.
#[derive(serde::Deserialize)]
struct LedgerQuery {
    agency: Option<String>,
    scope: Option<String>,
}

/// The 整改台账 of an agency (`scope=agency`, the default) or of its jurisdiction
/// (`scope=jurisdiction`) as XLSX, for whoever may read it (`Authorization: Bearer …`).
async fn ledger_download(
    State(state): State<AppState>,
    Query(query): Query<LedgerQuery>,
    caller: Caller,
) -> Response {
    let actor = caller.actor;
    let result = match ledger_request(&query) {
        Ok((agency, scope)) => state.services.export_ledger(&actor, agency, scope).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(file) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{}",
                        percent_encode(&file.file_name)
                    ),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
                (
                    HeaderName::from_static("x-content-type-options"),
                    "nosniff".to_owned(),
                ),
            ],
            file.bytes,
        )
            .into_response(),
        Err(e) => service_error(&e),
    }
}

/// The query of `GET /appraisal.xlsx`.
#[derive(serde::Deserialize)]
struct AppraisalQuery {
    agency: Option<String>,
}

/// The per-unit 考核 figures of an agency and its jurisdiction as XLSX
/// (`/appraisal.xlsx?agency=<id>`; without it, the caller's first dashboard root), for
/// whoever may read its dashboard (`Authorization: Bearer …` or the web session).
async fn appraisal_download(
    State(state): State<AppState>,
    Query(query): Query<AppraisalQuery>,
    caller: Caller,
) -> Response {
    let agency = match query
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => None,
        Some(a) => match uuid::Uuid::parse_str(a) {
            Ok(id) => Some(id),
            Err(_) => {
                return service_error(&ServiceError::invalid(
                    "agency",
                    format!("{a:?} 不是有效的单位编号（…/appraisal.xlsx?agency=<单位编号>）"),
                ));
            }
        },
    };
    match state.services.appraisal_export(&caller.actor, agency).await {
        Ok(file) => xlsx_response(file),
        Err(e) => service_error(&e),
    }
}

/// Every chain head within the caller's reach as JSON lines, the format of
/// `rectify audit digest` (admins and supervisors).
async fn audit_digests_download(State(state): State<AppState>, caller: Caller) -> Response {
    match state.services.audit_digest(&caller.actor).await {
        Ok(heads) => {
            let mut body = String::with_capacity(heads.len() * 120);
            for head in &heads {
                match serde_json::to_string(head) {
                    Ok(line) => {
                        body.push_str(&line);
                        body.push('\n');
                    }
                    Err(e) => return service_error(&ServiceError::Fault(e.to_string())),
                }
            }
            let name = format!("audit-digests-{}.jsonl", state.services.today());
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/jsonl; charset=utf-8".to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => service_error(&e),
    }
}

/// An XLSX file as a download.
fn xlsx_response(file: crate::service::ledger::LedgerFile) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"report.xlsx\"; filename*=UTF-8''{}",
                    percent_encode(&file.file_name)
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response()
}

/// The agency and scope a ledger download asks for.
fn ledger_request(query: &LedgerQuery) -> Result<(uuid::Uuid, LedgerScope), ServiceError> {
    let agency = query.agency.as_deref().unwrap_or_default();
    let agency = uuid::Uuid::parse_str(agency).map_err(|_| {
        ServiceError::invalid(
            "agency",
            format!("{agency:?} 不是有效的单位编号（…/ledger.xlsx?agency=<单位编号>）"),
        )
    })?;
    let scope = LedgerScope::parse(query.scope.as_deref().unwrap_or("agency"))?;
    Ok((agency, scope))
}

/// A plain-HTTP error response for a service error (downloads).
fn service_error(e: &ServiceError) -> Response {
    let code = e.code();
    let status = match code {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "VALIDATION" => StatusCode::BAD_REQUEST,
        "PAYLOAD_TOO_LARGE" => StatusCode::PAYLOAD_TOO_LARGE,
        "TOO_MANY_ATTEMPTS" => StatusCode::TOO_MANY_REQUESTS,
        "UNSUPPORTED_TYPE" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        "INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::CONFLICT,
    };
    match e {
        ServiceError::Internal(cause) => tracing::error!(error = %cause, "internal error"),
        ServiceError::Fault(cause) => tracing::error!(error = %cause, "internal error"),
        _ => {}
    }
    request_error(status, code, &e.to_string())
}

/// A person's calendar feed, `/calendar/<token>.ics`: the token in the path is the only
/// credential (calendar programs send no headers). An unknown or revoked token is a bare
/// 404 that tells nothing about why.
async fn calendar_feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.services.calendar_ics(token, &state.public_url).await {
        Ok(ics) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
                (HeaderName::from_static("x-content-type-options"), "nosniff"),
            ],
            ics,
        )
            .into_response(),
        Err(ServiceError::NotFound { .. }) => StatusCode::NOT_FOUND.into_response(),
        Err(ServiceError::Unavailable) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Err(ServiceError::Internal(cause)) => {
            tracing::error!(error = %cause, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(other) => {
            tracing::error!(error = %other, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// RFC 5987 percent-encoding of a file name (for `filename*`).
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The code of an error raised by async-graphql itself before any resolver ran
/// (resolver errors carry their own code from `graphql::error`).
fn code_for_uncoded(message: &str) -> &'static str {
    match message {
        "Query is nested too deep." => "QUERY_TOO_DEEP",
        "Query is too complex." => "QUERY_TOO_COMPLEX",
        _ => "GRAPHQL_VALIDATION",
    }
}

fn too_large(state: &AppState) -> Response {
    request_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!(
            "请求超过 {} 字节（每个上传文件最多 {} 字节）",
            state.limits.max_body_bytes, state.limits.max_upload_bytes
        ),
    )
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// True when the request's selected operation is a mutation.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = parse_query(&request.query) else {
        return false;
    };
    doc.operations.iter().any(|(name, op)| {
        op.node.ty == OperationType::Mutation
            && (request.operation_name.is_none()
                || request.operation_name.as_deref() == name.map(|n| n.as_str()))
    })
}
