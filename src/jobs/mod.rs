//! Background work: the reminder sweep and the outbox sender, on intervals inside
//! `rectify serve`, or once for cron (`rectify remind --once`).
//!
//! Delivery is at least once. A sender claims rows under a lease, sends one message at a
//! time and marks it sent at once, so a crash leaves at most the one message in flight
//! sent-but-unmarked (resent later with the same Message-ID). Several senders — threads or
//! server instances on one PostgreSQL — never claim the same row (`FOR UPDATE SKIP LOCKED`).

use std::{future::Future, sync::Arc, time::Duration};

use chrono::Utc;
use rand::Rng;

use crate::{
    config::{RemindSettings, Settings},
    domain::reminders::retry_delay,
    mail::{
        Mailer, Outgoing, SendError,
        templates::Templates,
        webhook::{self, WebhookReminder, WebhookSender},
    },
    service::{ServiceError, Services, reminders::SweepReport},
    store::reminders::{ReminderRow, SentMessage},
};

/// How many rows a sender claims at once.
const CLAIM_BATCH: u64 = 20;

/// What one sending round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
}

/// The reminder machinery of one process.
#[derive(Clone, Debug)]
pub struct Reminders {
    services: Services,
    mailer: Option<Mailer>,
    webhooks: WebhookSender,
    templates: Arc<Templates>,
    settings: RemindSettings,
    smtp_timeout: Duration,
    public_url: String,
}

/// Why the reminder machinery could not start.
#[derive(Debug, thiserror::Error)]
pub enum RemindSetupError {
    #[error("SMTP settings: {0}")]
    Smtp(String),
    #[error("{0}")]
    Webhook(String),
    #[error("cannot read the templates: {0}")]
    Templates(#[from] std::io::Error),
}

impl Reminders {
    /// Builds the sweep and the sender from the settings (no SMTP host: no sending).
    pub fn new(services: Services, settings: &Settings) -> Result<Self, RemindSetupError> {
        Ok(Self {
            mailer: Mailer::from_settings(&settings.smtp, 4).map_err(RemindSetupError::Smtp)?,
            webhooks: WebhookSender::new(
                settings.remind.webhook_timeout,
                settings.remind.webhook_allow.clone(),
            )
            .map_err(RemindSetupError::Webhook)?,
            templates: Arc::new(Templates::load(settings.remind.template_dir.as_deref())?),
            settings: settings.remind.clone(),
            smtp_timeout: settings.smtp.timeout,
            public_url: settings.public_url.clone(),
            services,
        })
    }

    /// The address people reach the service at (links in messages).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The public URL's host: the domain of the Message-IDs this instance sends.
    fn public_host(&self) -> String {
        let host = reqwest::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| u.host_str().map(ToOwned::to_owned))
            .unwrap_or_default();
        // An address is a domain literal in a Message-ID.
        if host.parse::<std::net::Ipv4Addr>().is_ok() {
            format!("[{host}]")
        } else {
            host
        }
    }

    /// The templates in use (for urging by hand).
    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Finds due reminders and enqueues them; on a new day, first moves the dashboards'
    /// tallies to it (so that no dashboard request pays for the recount). A recount that
    /// fails is logged and left to the first dashboard: it never holds reminders back.
    pub async fn sweep(&self) -> Result<SweepReport, ServiceError> {
        let started = std::time::Instant::now();
        if let Err(e) = self.services.move_dashboard_tallies().await {
            tracing::error!(error = %e, "moving the dashboards' tallies to today failed");
        }
        let result = self
            .services
            .sweep_reminders(&self.templates, &self.public_url, None)
            .await;
        crate::telemetry::job("sweep", started.elapsed(), result.is_ok());
        result
    }

    /// Sends everything due now, until nothing due is left. Without an SMTP host, emails
    /// wait in the outbox (webhooks still go).
    pub async fn send_due(&self) -> Result<SendReport, ServiceError> {
        let started = std::time::Instant::now();
        let result = self.send_rounds().await;
        crate::telemetry::job("send", started.elapsed(), result.is_ok());
        result
    }

    async fn send_rounds(&self) -> Result<SendReport, ServiceError> {
        let mut report = SendReport::default();
        let channels: &[&str] = if self.mailer.is_some() {
            &["email", "webhook"]
        } else {
            &["webhook"]
        };
        let store = &self.services.store;
        loop {
            let now = Utc::now();
            let lease_until =
                now + chrono::Duration::from_std(self.settings.lease).unwrap_or_default();
            let mut claimed = store
                .claim_reminders(now, lease_until, CLAIM_BATCH, channels)
                .await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            // Item reminders are rendered now, from the item as it is (the sweep enqueued
            // them unrendered); one whose item or kind is gone cannot be sent.
            let unrenderable = self
                .services
                .render_claimed(&self.templates, &self.public_url, &mut claimed)
                .await?;
            for row in claimed {
                if unrenderable.contains(&row.id) {
                    tracing::error!(reminder = %row.id, kind = %row.kind, "reminder cannot be rendered");
                    store
                        .mark_unsent(row.id, "cannot be rendered: its item or kind is gone", None)
                        .await?;
                    report.failed += 1;
                    continue;
                }
                // Never send on a lease about to lapse: another sender could take the row.
                let margin = chrono::Duration::from_std(self.smtp_timeout * 2).unwrap_or_default();
                if Utc::now() + margin > lease_until {
                    store.release_reminder(row.id).await?;
                    continue;
                }
                let result = match (row.channel.as_str(), &self.mailer) {
                    ("webhook", _) => {
                        let (body, message_id) = webhook_body(&row);
                        let secret = store.webhook_secret(&row.recipient_address).await?;
                        self.webhooks
                            .send(
                                &row.recipient_address,
                                &body,
                                &message_id,
                                secret.as_deref(),
                            )
                            .await
                    }
                    (_, Some(mailer)) => mailer.send(&outgoing(&row, &self.public_host())).await,
                    (channel, None) => Err(SendError::Permanent(format!(
                        "no sender for channel {channel:?}"
                    ))),
                };
                match result {
                    Ok(()) => {
                        let message = SentMessage {
                            subject: row.subject.as_deref().unwrap_or_default(),
                            body_text: row.body_text.as_deref().unwrap_or_default(),
                            body_html: row.body_html.as_deref().unwrap_or_default(),
                        };
                        store.mark_sent(row.id, message, Utc::now()).await?;
                        crate::telemetry::delivery(&row.channel, "sent");
                        report.sent += 1;
                    }
                    Err(SendError::Temporary(e)) if row.attempts < self.settings.max_attempts => {
                        let jitter = rand::rng().random::<f64>();
                        let delay =
                            retry_delay(self.settings.retry_base, row.attempts as u32, jitter);
                        let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                        tracing::warn!(reminder = %row.id, attempt = row.attempts, error = %e, "reminder not sent; will retry");
                        store.mark_unsent(row.id, &e, Some(at)).await?;
                        crate::telemetry::delivery(&row.channel, "retry");
                        report.retried += 1;
                    }
                    Err(e) => {
                        tracing::error!(reminder = %row.id, attempt = row.attempts, error = %e, "reminder failed");
                        store.mark_unsent(row.id, &e.to_string(), None).await?;
                        crate::telemetry::delivery(&row.channel, "failed");
                        report.failed += 1;
                    }
                }
            }
        }
    }

    /// One sweep and one sending round (for cron).
    pub async fn run_once(&self) -> Result<(SweepReport, SendReport), ServiceError> {
        let swept = self.sweep().await?;
        let sent = self.send_due().await?;
        Ok((swept, sent))
    }

    /// Sweeps and sends on their intervals until `shutdown` completes.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let sweep = periodic(self.settings.sweep_interval, {
            let this = self.clone();
            move || {
                let this = this.clone();
                async move {
                    if let Err(e) = this.sweep().await {
                        tracing::error!(error = %e, "reminder sweep failed");
                    }
                }
            }
        });
        let send = periodic(self.settings.send_interval, {
            let this = self.clone();
            move || {
                let this = this.clone();
                async move {
                    if let Err(e) = this.send_due().await {
                        tracing::error!(error = %e, "sending reminders failed");
                    }
                }
            }
        });
        tokio::select! {
            _ = sweep => {}
            _ = send => {}
            _ = shutdown => {}
        }
    }
}

/// Runs `work` every `interval` (never when it is zero).
async fn periodic<F, Fut>(interval: Duration, work: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    if interval.is_zero() {
        return std::future::pending().await;
    }
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        work().await;
    }
}

fn message_id(row: &ReminderRow) -> String {
    row.message_id
        .clone()
        .unwrap_or_else(|| format!("<reminder-{}@rectify>", row.id))
}

/// A Message-ID whose right-hand side is a full domain: the public URL's host in place
/// of the outbox's placeholder (derived the same way every time, so a duplicate sent after
/// a crash still carries the same id).
fn message_id_at(row: &ReminderRow, host: &str) -> String {
    let id = message_id(row);
    match id.strip_suffix("@rectify>") {
        Some(local) if !host.is_empty() => format!("{local}@{host}>"),
        _ => id,
    }
}

/// A webhook row's JSON body and Message-ID.
fn webhook_body(row: &ReminderRow) -> (String, String) {
    let message_id = message_id(row);
    let body = webhook::payload(
        row.body_text.as_deref().unwrap_or_default(),
        &WebhookReminder {
            message_id: message_id.clone(),
            kind: row.kind.clone(),
            item_id: row.item_id.map(|i| i.to_string()),
            escalation_level: row.escalation_level,
            subject: row.subject.clone().unwrap_or_default(),
            refers_to: row.refers_to.map(|d| d.to_string()),
        },
    );
    (body, message_id)
}

fn outgoing(row: &ReminderRow, host: &str) -> Outgoing {
    Outgoing {
        to: row.recipient_address.clone(),
        to_name: row.recipient_name.clone().filter(|n| !n.trim().is_empty()),
        subject: row.subject.clone().unwrap_or_default(),
        text: row.body_text.clone().unwrap_or_default(),
        html: row.body_html.clone().unwrap_or_default(),
        message_id: message_id_at(row, host),
    }
}
