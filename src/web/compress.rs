//! Gzip for the web application's text (pages, fragments, CSS, JavaScript) when the
//! browser accepts it: a first visit then downloads htmx, the stylesheet and the page in
//! about a third of their size. Done here with flate2, already in the build for the
//! ledger's XLSX, instead of a compression layer that would bring its own crates. Files
//! (evidence, ledgers) and small answers pass untouched.

use std::io::Write;

use axum::{
    body::{Body, HttpBody},
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};
use flate2::{Compression, write::GzEncoder};

/// Answers shorter than this are not worth a gzip header.
const MIN_BYTES: usize = 1024;
/// The largest answer compressed (pages are far smaller; anything larger passes as is).
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Whether a content type is text worth compressing.
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/javascript")
        || content_type.starts_with("image/svg+xml")
}

/// Whether the request accepts gzip (`Accept-Encoding: gzip`, not refused with `q=0`).
fn accepts_gzip(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"))
                && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

/// The middleware: compresses a text answer for a browser that accepts gzip.
pub async fn gzip(request: Request, next: Next) -> Response {
    let wanted = accepts_gzip(&request);
    let response = next.run(request).await;
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(compressible);
    // Only answers of a known, bounded length (pages and assets are): a stream passes.
    let length = response.body().size_hint().exact();
    if !is_text
        || response.headers().contains_key(header::CONTENT_ENCODING)
        || length.is_none_or(|n| n > MAX_BYTES as u64)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !wanted {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "an answer could not be read for compression");
            return Response::from_parts(parts, Body::empty());
        }
    };
    if bytes.len() < MIN_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::default());
    let compressed = encoder.write_all(&bytes).and_then(|()| encoder.finish());
    match compressed {
        Ok(gzipped) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            parts
                .headers
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            Response::from_parts(parts, Body::from(gzipped))
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}
