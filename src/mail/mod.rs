//! Outgoing messages: reminders rendered from templates a deployer can change, the pooled
//! async SMTP transport that delivers them, and the webhook channel beside it.

pub mod templates;
pub mod webhook;

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
    transport::smtp::{
        Error as SmtpError, PoolConfig,
        client::{Tls, TlsParameters},
    },
};

use crate::config::{SmtpSettings, SmtpTls};

/// A message ready to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: String,
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
    transport: AsyncSmtpTransport<Tokio1Executor>,
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
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            // Well under the outbox lease, so a hung server never holds a row past it.
            .timeout(Some(smtp.timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(pool_size)
                    .min_idle(0)
                    .idle_timeout(Duration::from_secs(30)),
            );
        let parameters = || {
            TlsParameters::new(smtp.host.clone())
                .map_err(|e| format!("RECTIFY_SMTP_TLS for {:?}: {e}", smtp.host))
        };
        builder = builder.tls(match smtp.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Opportunistic => Tls::Opportunistic(parameters()?),
            SmtpTls::Required => Tls::Required(parameters()?),
            SmtpTls::Wrapper => Tls::Wrapper(parameters()?),
        });
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    password.clone(),
                ));
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
            timeout: smtp.timeout,
        }))
    }

    /// Sends one message.
    pub async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad recipient {:?}: {e}", message.to)))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(message.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        // lettre's timeout covers single socket operations, not a server that trickles its
        // replies (the greeting included): bound the whole exchange as well.
        match tokio::time::timeout(self.timeout * 2, self.transport.send(email)).await {
            Ok(result) => result.map(|_| ()).map_err(classify),
            Err(_) => Err(SendError::Temporary(format!(
                "the SMTP server did not finish within {:?} (timed out)",
                self.timeout * 2
            ))),
        }
    }
}

/// 5xx is permanent; everything else (4xx, connection, timeout, TLS) is worth a retry.
fn classify(e: SmtpError) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Temporary(e.to_string())
    }
}
