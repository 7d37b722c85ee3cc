//! The webhook channel: a reminder as a JSON POST, in the text-message shape that 企业微信
//! and 钉钉 group robots accept (`{"msgtype":"text","text":{"content":…}}`), with the
//! structured reminder beside it under `rectify` for internal gateways.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use reqwest::{
    StatusCode,
    dns::{Addrs, Name, Resolve, Resolving},
};
use serde::Serialize;

use super::SendError;
use crate::domain::destination::DestinationPolicy;

/// The structured part of a webhook message.
#[derive(Clone, Debug, Serialize)]
pub struct WebhookReminder {
    pub message_id: String,
    pub kind: String,
    pub item_id: Option<String>,
    pub escalation_level: i32,
    pub subject: String,
    /// The day the reminder belongs to.
    pub refers_to: Option<String>,
}

#[derive(Serialize)]
struct Text<'a> {
    content: &'a str,
}

#[derive(Serialize)]
struct Body<'a> {
    msgtype: &'static str,
    text: Text<'a>,
    rectify: &'a WebhookReminder,
}

/// The most bytes a group robot accepts in a text message (企业微信: 2,048; 钉钉 more).
pub const MAX_CHAT_BYTES: usize = 2048;

/// An email's text as a chat message: without the email's closing line (此邮件由…), cut to
/// [`MAX_CHAT_BYTES`] at a whole character, with an ellipsis where it was cut.
pub fn chat_text(text: &str) -> String {
    let kept: Vec<&str> = text
        .trim_end()
        .lines()
        .filter(|l| !l.trim_start().starts_with("此邮件由"))
        .collect();
    let text = kept.join("\n");
    let text = text.trim_end();
    if text.len() <= MAX_CHAT_BYTES {
        return text.to_owned();
    }
    let ellipsis = "…";
    let mut end = MAX_CHAT_BYTES - ellipsis.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &text[..end])
}

/// The JSON body posted for a reminder.
pub fn payload(content: &str, reminder: &WebhookReminder) -> String {
    let content = chat_text(content);
    serde_json::to_string(&Body {
        msgtype: "text",
        text: Text { content: &content },
        rectify: reminder,
    })
    .expect("a reminder serialises")
}

/// A 钉钉 robot's 加签 signature for `timestamp_ms`: base64(HMAC-SHA256(key = secret,
/// message = "timestamp\nsecret")), before URL encoding.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    use base64::Engine as _;
    use hmac::{Mac, digest::KeyInit};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `url` with the 加签 parameters `timestamp` (milliseconds) and `sign` (URL-encoded) added.
pub fn signed_url(url: &reqwest::Url, secret: &str, timestamp_ms: i64) -> reqwest::Url {
    let mut signed = url.clone();
    signed
        .query_pairs_mut()
        .append_pair("timestamp", &timestamp_ms.to_string())
        .append_pair("sign", &dingtalk_sign(timestamp_ms, secret));
    signed
}

/// The most of a webhook's answer that is read (robots answer with a short JSON).
const MAX_ANSWER_BYTES: usize = 4096;

/// Resolves webhook hosts and keeps only the addresses the policy permits, so the
/// connection goes to an address that was checked (no second lookup to race).
struct CheckedResolver {
    policy: Arc<DestinationPolicy>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| policy.permits(&host, a.ip()))
                .collect();
            if permitted.is_empty() {
                return Err(format!(
                    "{host} resolves only to internal addresses, which RECTIFY_WEBHOOK_ALLOW does not name"
                )
                .into());
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

/// Posts webhook messages (one pooled HTTP client).
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    policy: Arc<DestinationPolicy>,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender whose every POST (connection included) ends within `timeout`, that reaches
    /// internal addresses only where `policy` allows and follows no redirect.
    pub fn new(timeout: Duration, policy: DestinationPolicy) -> Result<Self, String> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(CheckedResolver {
                policy: Arc::clone(&policy),
            }))
            .no_proxy()
            .user_agent(concat!("rectify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the webhook client: {e}"))?;
        Ok(Self { client, policy })
    }

    /// Posts `body` (JSON) to `url`. 2xx is delivered unless a robot's JSON answer carries
    /// an error code; 408, 429 and 5xx, refused connections and timeouts are temporary;
    /// any other answer, a redirect included, is permanent. At most a few KB of the answer
    /// are read, and none of it is kept in the error (it may hold anything). With a 加签
    /// `secret`, the call is signed for the moment it is made.
    pub async fn send(
        &self,
        url: &str,
        body: &str,
        message_id: &str,
        secret: Option<&str>,
    ) -> Result<(), SendError> {
        let mut parsed = reqwest::Url::parse(url)
            .map_err(|e| SendError::Permanent(format!("bad webhook URL: {e}")))?;
        if let Some(secret) = secret {
            parsed = signed_url(&parsed, secret, chrono::Utc::now().timestamp_millis());
        }
        // An address written in the URL is never resolved, so it is checked here.
        let literal = parsed
            .host_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|h| h.parse::<IpAddr>().ok());
        if let Some(ip) = literal
            && !self.policy.permits(&ip.to_string(), ip)
        {
            return Err(SendError::Permanent(format!(
                "webhook address {ip} is internal and RECTIFY_WEBHOOK_ALLOW does not name it"
            )));
        }
        let mut response = self
            .client
            .post(parsed)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header("Idempotency-Key", message_id)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| {
                if e.is_builder() {
                    SendError::Permanent(format!("bad webhook URL: {e}"))
                } else {
                    SendError::Temporary(format!("webhook: {e}"))
                }
            })?;
        let status = response.status();
        let mut answer = Vec::new();
        while answer.len() < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                _ => break,
            }
        }
        answer.truncate(MAX_ANSWER_BYTES);
        classify(status, &String::from_utf8_lossy(&answer))
    }
}

/// Whether a webhook answer means delivered, try again, or give up.
fn classify(status: StatusCode, body: &str) -> Result<(), SendError> {
    if status.is_success() {
        // Robots answer 200 with {"errcode": n, "errmsg": …}: 0 is delivered; -1 (busy)
        // and 45009 / 130101 (rate limited, 企业微信 / 钉钉) are worth a retry.
        let code = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("errcode").and_then(serde_json::Value::as_i64))
            .unwrap_or(0);
        return match code {
            0 => Ok(()),
            -1 | 45009 | 130101 => Err(SendError::Temporary(format!(
                "webhook busy (errcode {code})"
            ))),
            _ => Err(SendError::Permanent(format!(
                "webhook refused (errcode {code})"
            ))),
        };
    }
    let message = format!("webhook answered {status}");
    if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        Err(SendError::Temporary(message))
    } else {
        Err(SendError::Permanent(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_as_delivered_retry_or_give_up() {
        assert!(classify(StatusCode::OK, "").is_ok());
        assert!(classify(StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(matches!(
            classify(StatusCode::OK, r#"{"errcode":45009}"#),
            Err(SendError::Temporary(_))
        ));
        assert!(matches!(
            classify(
                StatusCode::OK,
                r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
            ),
            Err(SendError::Permanent(_))
        ));
        for status in [503, 500, 429, 408] {
            assert!(matches!(
                classify(StatusCode::from_u16(status).unwrap(), ""),
                Err(SendError::Temporary(_))
            ));
        }
        for status in [400, 403, 404, 410] {
            assert!(matches!(
                classify(StatusCode::from_u16(status).unwrap(), ""),
                Err(SendError::Permanent(_))
            ));
        }
    }

    #[test]
    fn a_dingtalk_signature_is_the_hmac_of_timestamp_and_secret() {
        // Computed with Python's hmac module:
        // base64(hmac.new(b"SEC123", b"1700000000000\nSEC123", sha256).digest()).
        let sign = dingtalk_sign(1_700_000_000_000, "SEC123");
        assert_eq!(sign, "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ=");
        let url = signed_url(
            &reqwest::Url::parse("https://oapi.dingtalk.com/robot/send?access_token=t").unwrap(),
            "SEC123",
            1_700_000_000_000,
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("access_token".into(), "t".into()));
        assert_eq!(pairs[1], ("timestamp".into(), "1700000000000".into()));
        assert_eq!(pairs[2], ("sign".into(), sign));
        assert!(!url.query().unwrap().contains('+'), "{url}");
    }

    #[test]
    fn chat_text_fits_a_robot_and_drops_the_email_footer() {
        let long = format!(
            "【整改提醒】{}\n\n此邮件由整改跟踪系统自动发送，请勿直接回复。\n",
            "整改".repeat(600)
        );
        let text = chat_text(&long);
        assert!(text.len() <= MAX_CHAT_BYTES, "{}", text.len());
        assert!(text.ends_with('…'));
        assert!(!text.contains("此邮件由"));
        let short = chat_text("提醒\n此邮件由整改跟踪系统自动发送，请勿直接回复。");
        assert_eq!(short, "提醒");
    }

    #[test]
    fn payload_is_a_robot_text_message_with_the_reminder_beside_it() {
        let r = WebhookReminder {
            message_id: "<reminder-1@rectify>".into(),
            kind: "countdown".into(),
            item_id: Some("i".into()),
            escalation_level: 2,
            subject: "【整改提醒】x".into(),
            refers_to: None,
        };
        let v: serde_json::Value = serde_json::from_str(&payload("内容\n第二行", &r)).unwrap();
        assert_eq!(v["msgtype"], "text");
        assert_eq!(v["text"]["content"], "内容\n第二行");
        assert_eq!(v["rectify"]["escalation_level"], 2);
    }
}
