//! CSRF protection: every form carries the session's token in a hidden field `csrf`, and
//! every POST is refused (a Chinese 403 page) unless it sends it back. The sign-in form,
//! before any session, uses a double-submit cookie instead.

use axum::{
    Form,
    extract::{FromRequest, FromRequestParts, Request},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::{SignedIn, errors};
use crate::http::{AppState, cookie};

/// The cookie that carries the sign-in form's token.
pub const PRE_SESSION_COOKIE: &str = "rectify_csrf";

/// A form that names its CSRF field.
pub trait CsrfForm {
    /// The token the form sent back.
    fn csrf(&self) -> &str;
}

/// Whether `sent` is `expected` (compared through digests, in constant time for the length).
pub fn matches(expected: &str, sent: &str) -> bool {
    if expected.is_empty() {
        return false;
    }
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(sent.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Whether a sign-in form's token matches its cookie.
pub fn pre_session_ok(headers: &HeaderMap, sent: &str) -> bool {
    cookie(headers, PRE_SESSION_COOKIE).is_some_and(|expected| matches(expected, sent))
}

/// A form posted by a signed-in visitor with the session's CSRF token: extracting it
/// refuses a missing or wrong token with the 403 page.
pub struct Posted<T> {
    pub signed: SignedIn,
    pub form: T,
}

impl<T> FromRequest<AppState> for Posted<T>
where
    T: DeserializeOwned + CsrfForm + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let signed = SignedIn::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let req = Request::from_parts(parts, body);
        let Form(form) = Form::<T>::from_request(req, state).await.map_err(|_| {
            // A form that cannot be read lacks its token as far as we can tell.
            refused(&signed, &headers)
        })?;
        if !matches(&signed.session.session.csrf_token, form.csrf()) {
            return Err(refused(&signed, &headers));
        }
        Ok(Self { signed, form })
    }
}

/// The 403 page for a POST without a valid token.
pub fn refused(signed: &SignedIn, headers: &HeaderMap) -> Response {
    errors::page_for(Some(signed), headers, "CSRF").into_response()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn a_token_matches_only_itself() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("abc", ""));
        assert!(!matches("", ""), "no session token, no match");
    }
}
