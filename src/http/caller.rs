//! Who sent a request: one axum extractor for GraphQL, downloads and pages. A bearer token
//! (`Authorization: Bearer …`) wins; otherwise the web application's session cookie; with
//! neither, the caller is anonymous. A bad token is refused; a dead session cookie is
//! simply no session (the pages then ask to sign in).

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::Response,
};

use super::{AppState, request_error};
use crate::service::{Actor, ServiceError, sessions::LiveSession};

/// The name of the web application's session cookie.
pub const SESSION_COOKIE: &str = "rectify_session";

/// The caller of a request, and their web session when they came with one.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    /// Set when the caller was recognised by the session cookie (not by a bearer token).
    pub session: Option<LiveSession>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let services = &state.services;
        if let Some(token) = bearer(&parts.headers) {
            let actor = services
                .authenticate(Some(token))
                .await
                .map_err(rejection)?;
            return Ok(Self {
                actor,
                session: None,
            });
        }
        if let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) {
            let session = services.resume_session(secret).await.map_err(rejection)?;
            return Ok(match session {
                Some(session) => Self {
                    actor: session.actor.clone(),
                    session: Some(session),
                },
                None => Self::anonymous(),
            });
        }
        Ok(Self::anonymous())
    }
}

impl Caller {
    /// A caller without credentials.
    pub fn anonymous() -> Self {
        Self {
            actor: Actor::Anonymous,
            session: None,
        }
    }
}

/// The bearer token of a request, if it sent one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The value of cookie `name`, if the request sent it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The response for credentials that could not be checked or were refused.
fn rejection(e: ServiceError) -> Response {
    match e {
        ServiceError::Unauthenticated => request_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "登录凭据无效、已过期或已被撤销，请重新登录（mutation login）",
        ),
        ServiceError::Unavailable => request_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "系统繁忙，暂时无法处理，请稍后重试",
        ),
        other => {
            tracing::error!(error = %other, "authentication failed");
            request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "系统内部错误，已记录，请稍后重试或联系管理员",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; rectify_session=rfs_x ; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("rfs_x"));
        assert_eq!(cookie(&headers, "c"), None);
        headers.insert(header::COOKIE, "rectify_session=".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), None);
    }

    #[test]
    fn reads_a_bearer_token() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer rfy_abc ".parse().unwrap());
        assert_eq!(bearer(&headers), Some("rfy_abc"));
    }
}
