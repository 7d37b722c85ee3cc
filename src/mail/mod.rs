//! Outgoing messages: reminders rendered from templates a deployer can change, the pooled
//! async SMTP transport that delivers them, and the webhook channel beside it.

pub mod pool;
pub mod templates;
pub mod webhook;

use std::time::Duration;

use lettre::{
    Message,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
    transport::smtp::{authentication::Credentials, client::TlsParameters},
};

use self::pool::{PoolError, Relay, RelayTls, SmtpPool};

use crate::config::{SmtpSettings, SmtpTls};

/// A message ready to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: String,
    /// The recipient's name, shown beside the address (`"黄伟" <huangwei@…>`).
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<…@…>`: derived from the outbox row, so a duplicate is recognisable as one.
    pub message_id: String,
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: 4xx, refused or dropped connections, timeouts.
    #[error("temporary: {0}")]
    Temporary(String),
    /// Not worth retrying: 5xx, or an address that cannot be parsed.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// The SMTP relay, with a connection pool.
#[derive(Clone)]
pub struct Mailer {
    pool: SmtpPool,
    from: Mailbox,
    timeout: Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for the configured relay; `None` when no host is configured (reminders then
    /// wait in the outbox).
    pub fn from_settings(smtp: &SmtpSettings, pool_size: u32) -> Result<Option<Self>, String> {
        if smtp.host.is_empty() {
            return Ok(None);
        }
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| format!("RECTIFY_SMTP_FROM {:?} is not an address: {e}", smtp.from))?;
        let parameters = || {
            TlsParameters::new(smtp.host.clone())
                .map_err(|e| format!("RECTIFY_SMTP_TLS for {:?}: {e}", smtp.host))
        };
        let relay = Relay {
            host: smtp.host.clone(),
            port: smtp.port,
            tls: match smtp.tls {
                SmtpTls::None => RelayTls::None,
                SmtpTls::Opportunistic => RelayTls::Opportunistic(parameters()?),
                SmtpTls::Required => RelayTls::Required(parameters()?),
                SmtpTls::Wrapper => RelayTls::Wrapper(parameters()?),
            },
            credentials: match (&smtp.username, &smtp.password) {
                (Some(user), Some(password)) => {
                    Some(Credentials::new(user.clone(), password.clone()))
                }
                _ => None,
            },
            // Well under the outbox lease, so a hung server never holds a row past it.
            timeout: smtp.timeout,
        };
        Ok(Some(Self {
            pool: SmtpPool::new(relay, pool_size as usize),
            from,
            timeout: smtp.timeout,
        }))
    }

    /// Sends one message.
    pub async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        let address = message
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad recipient {:?}: {e}", message.to)))?;
        let to = Mailbox::new(message.to_name.clone(), address);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(message.message_id.clone()))
            // Reminders are sent by a program: no out-of-office replies, no auto-answers.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Auto-Response-Suppress"),
                "All".into(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        // lettre's timeout covers single socket operations, not a server that trickles its
        // replies (the greeting included): bound the whole exchange as well.
        let envelope = email.envelope().clone();
        let formatted = email.formatted();
        match tokio::time::timeout(self.timeout * 2, self.pool.send(&envelope, &formatted)).await {
            Ok(result) => result.map_err(classify),
            Err(_) => Err(SendError::Temporary(format!(
                "the SMTP server did not finish within {:?} (timed out)",
                self.timeout * 2
            ))),
        }
    }
}

/// 5xx is permanent; everything else (4xx, connection, timeout, TLS) is worth a retry.
fn classify(e: PoolError) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Temporary(e.to_string())
    }
}
