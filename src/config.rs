//! Settings: built-in defaults, then an optional TOML file, then environment variables.
//!
//! The defaults need nothing: a SQLite file under `./data/`, the server on
//! `127.0.0.1:8080`, the time zone `Asia/Shanghai`. Every setting has an
//! environment variable (listed in `.env.example` and README); the file, when
//! given with `RECTIFY_CONFIG` or `--config`, uses the same names in lower case
//! without the `RECTIFY_` prefix (`bind = "0.0.0.0:8080"`).

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use chrono_tz::Tz;
use serde::Deserialize;

use crate::domain::reminders::Policy;

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid TOML: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("setting {name} has an invalid value {value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `RECTIFY_DB_MAX_CONNECTIONS`: pool size.
    pub db_max_connections: u32,
    /// `RECTIFY_BIND`: the address the HTTP server listens on.
    pub bind: SocketAddr,
    /// `RECTIFY_DATA_DIR`: where the SQLite file and evidence files live.
    pub data_dir: PathBuf,
    /// `RECTIFY_PUBLIC_URL`: the address people reach the service at, used in links in emails.
    pub public_url: String,
    /// `RECTIFY_TIME_ZONE`: the default time zone of agencies (dates are calendar dates there).
    pub time_zone: Tz,
    /// Request and query limits.
    pub limits: Limits,
    /// Outgoing mail.
    pub smtp: SmtpSettings,
    /// `RECTIFY_WORKFLOW`: a workflow file (TOML, see `workflows/`); the built-in default when unset.
    pub workflow_file: Option<PathBuf>,
    /// `RECTIFY_EXTRACT_CUES`: a cues file (TOML, same tables and keys as `extract/cues.toml`;
    /// keys it leaves out keep the compiled-in words) replacing the words by which the
    /// extractor recognises headings and lead-ins; the compiled-in cues when unset. Checked
    /// at start-up; used by `serve`, `import` and `extract`.
    pub extract_cues_file: Option<PathBuf>,
    /// `RECTIFY_TOKEN_TTL_DAYS`: how long a token issued by `login` stays valid.
    pub token_ttl: Duration,
    /// Reminder sweeping and sending.
    pub remind: RemindSettings,
    /// `RECTIFY_METRICS_TOKEN`: the bearer token `/metrics` asks for. Unset: `/metrics`
    /// answers only requests from this machine (a local Prometheus or agent).
    pub metrics_token: Option<Secret>,
}

/// A secret setting: compared in constant time, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Whether `offered` is the secret, in time independent of where they differ.
    pub fn matches(&self, offered: &str) -> bool {
        use sha2::{Digest, Sha256};
        // Comparing digests keeps the time independent of the secret's length too.
        let (a, b) = (
            Sha256::digest(self.0.as_bytes()),
            Sha256::digest(offered.as_bytes()),
        );
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// How reminders are found and sent.
#[derive(Debug, Clone)]
pub struct RemindSettings {
    /// `RECTIFY_REMIND_SWEEP_SECS`: how often `serve` looks for reminders that became due (0: never).
    pub sweep_interval: Duration,
    /// `RECTIFY_REMIND_SEND_SECS`: how often `serve` sends what is due (0: never).
    pub send_interval: Duration,
    /// `RECTIFY_REMIND_MAX_ATTEMPTS`: attempts before a reminder is marked failed.
    pub max_attempts: i32,
    /// `RECTIFY_REMIND_LEASE_SECS`: how long a claimed reminder is reserved for its sender.
    pub lease: Duration,
    /// `RECTIFY_REMIND_RETRY_BASE_SECS`: the first retry delay (doubling, jittered).
    pub retry_base: Duration,
    /// `RECTIFY_TEMPLATE_DIR`: overrides for the reminder templates.
    pub template_dir: Option<PathBuf>,
    /// When reminders are due: `RECTIFY_REMIND_DAYS_BEFORE` (`14,7,3,1,0`),
    /// `RECTIFY_REMIND_OVERDUE_EVERY_DAYS`, `RECTIFY_REMIND_ESCALATE_AFTER_DAYS`,
    /// `RECTIFY_REMIND_ACCEPT_WITHIN_DAYS`, `RECTIFY_REMIND_LONG_TERM_EVERY_DAYS`.
    /// Also `RECTIFY_REMIND_DIGEST_WEEKDAY` (`mon` … `sun`, empty: off): the day each person
    /// gets one mail listing all their open items; and `RECTIFY_REMIND_REPORT_CALENDAR_DAY`
    /// (default 5, 0: off): from this day of January on, each agency's coordinators are
    /// reminded of earlier reports' shortcomings still open.
    pub policy: Policy,
    /// `RECTIFY_WEBHOOK_TIMEOUT_SECS`: how long one webhook POST may take.
    pub webhook_timeout: Duration,
    /// `RECTIFY_WEBHOOK_ALLOW`: internal hosts, addresses and networks webhooks may reach
    /// (an intranet robot: `robot.intranet.gov.cn,10.1.0.0/16`); public ones always may.
    pub webhook_allow: crate::domain::destination::DestinationPolicy,
}

/// Limits that keep one request from hurting the service.
#[derive(Debug, Clone)]
pub struct Limits {
    /// `RECTIFY_MAX_BODY_BYTES`: the largest request body, uploads included.
    pub max_body_bytes: usize,
    /// `RECTIFY_MAX_UPLOAD_BYTES`: the largest single uploaded file.
    pub max_upload_bytes: usize,
    /// `RECTIFY_MAX_QUERY_DEPTH`: how deep a GraphQL query may nest.
    pub max_query_depth: usize,
    /// `RECTIFY_MAX_QUERY_COMPLEXITY`: the most fields (weighted) a query may ask for.
    pub max_query_complexity: usize,
    /// `RECTIFY_MAX_QUERY_BYTES`: the longest GraphQL query text (variables and uploads
    /// are bounded apart).
    pub max_query_bytes: usize,
    /// `RECTIFY_MAX_QUERY_FIELDS`: the most fields one document may select, aliases and
    /// fragments expanded.
    pub max_query_fields: usize,
    /// `RECTIFY_MAX_ROOT_FIELDS`: the most top-level fields (aliases included) one
    /// operation may select.
    pub max_root_fields: usize,
    /// `RECTIFY_REQUEST_TIMEOUT_SECS`: how long one request may run.
    pub request_timeout: Duration,
}

/// SMTP relay for reminders.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `RECTIFY_SMTP_HOST`; empty means mail is not sent (reminders stay in the outbox).
    pub host: String,
    /// `RECTIFY_SMTP_PORT`.
    pub port: u16,
    /// `RECTIFY_SMTP_USERNAME`.
    pub username: Option<String>,
    /// `RECTIFY_SMTP_PASSWORD`; never logged.
    pub password: Option<String>,
    /// `RECTIFY_SMTP_FROM`: the sender, e.g. `整改提醒 <rectify@example.gov.cn>`.
    pub from: String,
    /// `RECTIFY_SMTP_TIMEOUT_SECS`: per-command timeout, well under the outbox lease.
    pub timeout: Duration,
    /// `RECTIFY_SMTP_TLS`: `required` (STARTTLS, the default when a username is set),
    /// `opportunistic` (STARTTLS when offered, the default otherwise), `wrapper` (TLS from
    /// the first byte, port 465) or `none`.
    pub tls: SmtpTls,
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    Opportunistic,
    Required,
    Wrapper,
}

impl FromStr for SmtpTls {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "off" => Ok(Self::None),
            "opportunistic" => Ok(Self::Opportunistic),
            "required" | "starttls" => Ok(Self::Required),
            "wrapper" | "tls" | "smtps" => Ok(Self::Wrapper),
            other => Err(format!(
                "{other:?}: expected none, opportunistic, required or wrapper"
            )),
        }
    }
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/rectify.db?mode=rwc".into(),
            db_max_connections: 16,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            public_url: "http://127.0.0.1:8080".into(),
            time_zone: chrono_tz::Asia::Shanghai,
            limits: Limits {
                max_body_bytes: 32 * 1024 * 1024,
                max_upload_bytes: 20 * 1024 * 1024,
                max_query_depth: 10,
                max_query_complexity: 1000,
                max_query_bytes: 100 * 1024,
                max_query_fields: 1000,
                max_root_fields: 32,
                request_timeout: Duration::from_secs(30),
            },
            smtp: SmtpSettings {
                host: String::new(),
                port: 25,
                username: None,
                password: None,
                from: "整改提醒 <rectify@localhost>".into(),
                timeout: Duration::from_secs(20),
                tls: SmtpTls::Opportunistic,
            },
            workflow_file: None,
            extract_cues_file: None,
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            remind: RemindSettings {
                sweep_interval: Duration::from_secs(600),
                send_interval: Duration::from_secs(5),
                max_attempts: 6,
                lease: Duration::from_secs(300),
                retry_base: Duration::from_secs(30),
                template_dir: None,
                policy: Policy::default(),
                webhook_timeout: Duration::from_secs(10),
                webhook_allow: Default::default(),
            },
            metrics_token: None,
        }
    }
}

/// The file form: every field optional, names as in the environment without the prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    db_max_connections: Option<u32>,
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    time_zone: Option<String>,
    max_body_bytes: Option<usize>,
    max_upload_bytes: Option<usize>,
    max_query_depth: Option<usize>,
    max_query_complexity: Option<usize>,
    max_query_bytes: Option<usize>,
    max_query_fields: Option<usize>,
    max_root_fields: Option<usize>,
    request_timeout_secs: Option<u64>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    smtp_from: Option<String>,
    smtp_timeout_secs: Option<u64>,
    workflow: Option<PathBuf>,
    extract_cues: Option<PathBuf>,
    token_ttl_days: Option<u64>,
    metrics_token: Option<String>,
    webhook_allow: Option<String>,
    remind_sweep_secs: Option<u64>,
    remind_send_secs: Option<u64>,
    remind_max_attempts: Option<i32>,
    remind_lease_secs: Option<u64>,
    remind_retry_base_secs: Option<u64>,
    template_dir: Option<PathBuf>,
    smtp_tls: Option<String>,
    remind_days_before: Option<Vec<i64>>,
    remind_overdue_every_days: Option<i64>,
    remind_escalate_after_days: Option<i64>,
    remind_accept_within_days: Option<i64>,
    remind_long_term_every_days: Option<i64>,
    remind_digest_weekday: Option<String>,
    remind_report_calendar_day: Option<u32>,
    webhook_timeout_secs: Option<u64>,
}

impl Settings {
    /// Reads the settings: defaults, then `file` (or `RECTIFY_CONFIG`), then the environment.
    pub fn load(file: Option<PathBuf>) -> Result<Self, ConfigError> {
        Self::load_from(file, |name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`], with the environment given as a function (for tests).
    pub fn load_from(
        file: Option<PathBuf>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut settings = Settings::default();
        let file = file.or_else(|| env("RECTIFY_CONFIG").map(PathBuf::from));
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str::<FileSettings>(&text)
                    .map_err(|source| ConfigError::Parse { path, source })?
            }
            None => FileSettings::default(),
        };
        let env_or = |name: &str, file_value: Option<String>| env(name).or(file_value);

        // The data directory comes first: the default database lives inside it.
        if let Some(dir) = env("RECTIFY_DATA_DIR")
            .map(PathBuf::from)
            .or(from_file.data_dir)
        {
            settings.database_url = format!("sqlite://{}/rectify.db?mode=rwc", dir.display());
            settings.data_dir = dir;
        }
        if let Some(url) = env_or("DATABASE_URL", from_file.database_url) {
            settings.database_url = url;
        }
        if let Some(v) = env_or(
            "RECTIFY_DB_MAX_CONNECTIONS",
            from_file.db_max_connections.map(|n| n.to_string()),
        ) {
            settings.db_max_connections = parse("RECTIFY_DB_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = env_or("RECTIFY_BIND", from_file.bind) {
            settings.bind = parse("RECTIFY_BIND", &v)?;
        }
        if let Some(v) = env_or("RECTIFY_PUBLIC_URL", from_file.public_url) {
            settings.public_url = v.trim_end_matches('/').to_owned();
        }
        if let Some(v) = env_or("RECTIFY_TIME_ZONE", from_file.time_zone) {
            settings.time_zone = parse("RECTIFY_TIME_ZONE", &v)?;
        }
        let limits = &mut settings.limits;
        let num = |name: &'static str, file: Option<usize>| -> Result<Option<usize>, ConfigError> {
            env_or(name, file.map(|n| n.to_string()))
                .map(|v| parse(name, &v))
                .transpose()
        };
        if let Some(n) = num("RECTIFY_MAX_BODY_BYTES", from_file.max_body_bytes)? {
            limits.max_body_bytes = n;
        }
        if let Some(n) = num("RECTIFY_MAX_UPLOAD_BYTES", from_file.max_upload_bytes)? {
            limits.max_upload_bytes = n;
        }
        if let Some(n) = num("RECTIFY_MAX_QUERY_DEPTH", from_file.max_query_depth)? {
            limits.max_query_depth = n;
        }
        if let Some(n) = num(
            "RECTIFY_MAX_QUERY_COMPLEXITY",
            from_file.max_query_complexity,
        )? {
            limits.max_query_complexity = n;
        }
        if let Some(n) = num("RECTIFY_MAX_QUERY_BYTES", from_file.max_query_bytes)? {
            limits.max_query_bytes = n;
        }
        if let Some(n) = num("RECTIFY_MAX_QUERY_FIELDS", from_file.max_query_fields)? {
            limits.max_query_fields = n;
        }
        if let Some(n) = num("RECTIFY_MAX_ROOT_FIELDS", from_file.max_root_fields)? {
            limits.max_root_fields = n;
        }
        if let Some(n) = num(
            "RECTIFY_REQUEST_TIMEOUT_SECS",
            from_file.request_timeout_secs.map(|n| n as usize),
        )? {
            limits.request_timeout = Duration::from_secs(n as u64);
        }
        let smtp = &mut settings.smtp;
        if let Some(v) = env_or("RECTIFY_SMTP_HOST", from_file.smtp_host) {
            smtp.host = v;
        }
        if let Some(v) = env_or(
            "RECTIFY_SMTP_PORT",
            from_file.smtp_port.map(|n| n.to_string()),
        ) {
            smtp.port = parse("RECTIFY_SMTP_PORT", &v)?;
        }
        // An empty value (as `.env.example` leaves them) means unset.
        smtp.username =
            env_or("RECTIFY_SMTP_USERNAME", from_file.smtp_username).filter(|v| !v.is_empty());
        smtp.password =
            env_or("RECTIFY_SMTP_PASSWORD", from_file.smtp_password).filter(|v| !v.is_empty());
        if let Some(v) = env_or("RECTIFY_SMTP_FROM", from_file.smtp_from) {
            smtp.from = v;
        }
        if let Some(v) = env_or(
            "RECTIFY_SMTP_TIMEOUT_SECS",
            from_file.smtp_timeout_secs.map(|n| n.to_string()),
        ) {
            smtp.timeout = Duration::from_secs(parse("RECTIFY_SMTP_TIMEOUT_SECS", &v)?);
        }
        if let Some(v) = env_or("RECTIFY_WEBHOOK_ALLOW", from_file.webhook_allow) {
            settings.remind.webhook_allow =
                crate::domain::destination::DestinationPolicy::parse(&v).map_err(|e| {
                    ConfigError::Invalid {
                        name: "RECTIFY_WEBHOOK_ALLOW",
                        value: v.clone(),
                        reason: e.to_string(),
                    }
                })?;
        }
        settings.metrics_token = env_or("RECTIFY_METRICS_TOKEN", from_file.metrics_token)
            .filter(|t| !t.trim().is_empty())
            .map(Secret::new);
        settings.workflow_file = env("RECTIFY_WORKFLOW")
            .map(PathBuf::from)
            .or(from_file.workflow);
        settings.extract_cues_file = env("RECTIFY_EXTRACT_CUES")
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from)
            .or(from_file.extract_cues);
        if let Some(v) = env_or(
            "RECTIFY_TOKEN_TTL_DAYS",
            from_file.token_ttl_days.map(|n| n.to_string()),
        ) {
            let days: u64 = parse("RECTIFY_TOKEN_TTL_DAYS", &v)?;
            if !(1..=3650).contains(&days) {
                return Err(ConfigError::Invalid {
                    name: "RECTIFY_TOKEN_TTL_DAYS",
                    value: v,
                    reason: "a token lives 1 to 3650 days".into(),
                });
            }
            settings.token_ttl = Duration::from_secs(days * 24 * 3600);
        }
        let secs =
            |name: &'static str, file: Option<u64>| -> Result<Option<Duration>, ConfigError> {
                env_or(name, file.map(|n| n.to_string()))
                    .map(|v| parse::<u64>(name, &v).map(Duration::from_secs))
                    .transpose()
            };
        let remind = &mut settings.remind;
        if let Some(d) = secs("RECTIFY_REMIND_SWEEP_SECS", from_file.remind_sweep_secs)? {
            remind.sweep_interval = d;
        }
        if let Some(d) = secs("RECTIFY_REMIND_SEND_SECS", from_file.remind_send_secs)? {
            remind.send_interval = d;
        }
        if let Some(d) = secs("RECTIFY_REMIND_LEASE_SECS", from_file.remind_lease_secs)? {
            remind.lease = d;
        }
        if let Some(d) = secs(
            "RECTIFY_REMIND_RETRY_BASE_SECS",
            from_file.remind_retry_base_secs,
        )? {
            remind.retry_base = d;
        }
        if let Some(v) = env_or(
            "RECTIFY_REMIND_MAX_ATTEMPTS",
            from_file.remind_max_attempts.map(|n| n.to_string()),
        ) {
            remind.max_attempts = parse("RECTIFY_REMIND_MAX_ATTEMPTS", &v)?;
        }
        remind.template_dir = env("RECTIFY_TEMPLATE_DIR")
            .map(PathBuf::from)
            .or(from_file.template_dir);
        if let Some(d) = secs(
            "RECTIFY_WEBHOOK_TIMEOUT_SECS",
            from_file.webhook_timeout_secs,
        )? {
            remind.webhook_timeout = d;
        }
        let policy = &mut remind.policy;
        if let Some(v) = env_or(
            "RECTIFY_REMIND_DAYS_BEFORE",
            from_file.remind_days_before.map(|days| {
                days.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            }),
        ) {
            policy.days_before = v
                .split(',')
                .filter(|d| !d.trim().is_empty())
                .map(|d| parse("RECTIFY_REMIND_DAYS_BEFORE", d))
                .collect::<Result<_, _>>()?;
        }
        let days = |name: &'static str, file: Option<i64>, into: &mut i64| {
            if let Some(v) = env_or(name, file.map(|n| n.to_string())) {
                *into = parse(name, &v)?;
            }
            Ok::<_, ConfigError>(())
        };
        days(
            "RECTIFY_REMIND_OVERDUE_EVERY_DAYS",
            from_file.remind_overdue_every_days,
            &mut policy.overdue_every_days,
        )?;
        days(
            "RECTIFY_REMIND_ESCALATE_AFTER_DAYS",
            from_file.remind_escalate_after_days,
            &mut policy.escalate_after_days,
        )?;
        days(
            "RECTIFY_REMIND_ACCEPT_WITHIN_DAYS",
            from_file.remind_accept_within_days,
            &mut policy.accept_within_days,
        )?;
        days(
            "RECTIFY_REMIND_LONG_TERM_EVERY_DAYS",
            from_file.remind_long_term_every_days,
            &mut policy.long_term_every_days,
        )?;
        if let Some(v) = env_or(
            "RECTIFY_REMIND_DIGEST_WEEKDAY",
            from_file.remind_digest_weekday,
        ) {
            remind.policy.digest_weekday = if v.trim().is_empty() || v.trim() == "off" {
                None
            } else {
                Some(parse("RECTIFY_REMIND_DIGEST_WEEKDAY", &v)?)
            };
        }
        if let Some(v) = env_or(
            "RECTIFY_REMIND_REPORT_CALENDAR_DAY",
            from_file.remind_report_calendar_day.map(|n| n.to_string()),
        ) {
            remind.policy.report_calendar_day = parse("RECTIFY_REMIND_REPORT_CALENDAR_DAY", &v)?;
        }
        let smtp = &mut settings.smtp;
        smtp.tls = match env_or("RECTIFY_SMTP_TLS", from_file.smtp_tls) {
            Some(v) => parse("RECTIFY_SMTP_TLS", &v)?,
            // Never send a password in the clear unless told to.
            None if smtp.username.is_some() => SmtpTls::Required,
            None => SmtpTls::Opportunistic,
        };
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name, value: String, reason: &str| ConfigError::Invalid {
            name,
            value,
            reason: reason.into(),
        };
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres"))
        {
            return Err(invalid(
                "DATABASE_URL",
                self.database_url.clone(),
                "expected sqlite://… or postgres://…",
            ));
        }
        if self.limits.max_upload_bytes > self.limits.max_body_bytes {
            return Err(invalid(
                "RECTIFY_MAX_UPLOAD_BYTES",
                self.limits.max_upload_bytes.to_string(),
                "must not exceed RECTIFY_MAX_BODY_BYTES",
            ));
        }
        let policy = &self.remind.policy;
        if policy.days_before.iter().any(|d| !(0..=366).contains(d)) {
            return Err(invalid(
                "RECTIFY_REMIND_DAYS_BEFORE",
                format!("{:?}", policy.days_before),
                "each must be a number of days from 0 (the due date) to 366",
            ));
        }
        for (name, value) in [
            (
                "RECTIFY_REMIND_OVERDUE_EVERY_DAYS",
                policy.overdue_every_days,
            ),
            (
                "RECTIFY_REMIND_ACCEPT_WITHIN_DAYS",
                policy.accept_within_days,
            ),
            (
                "RECTIFY_REMIND_LONG_TERM_EVERY_DAYS",
                policy.long_term_every_days,
            ),
        ] {
            if !(1..=366).contains(&value) {
                return Err(invalid(name, value.to_string(), "must be 1 to 366 days"));
            }
        }
        if !(0..=366).contains(&policy.escalate_after_days) {
            return Err(invalid(
                "RECTIFY_REMIND_ESCALATE_AFTER_DAYS",
                policy.escalate_after_days.to_string(),
                "must be 0 to 366 days",
            ));
        }
        if policy.report_calendar_day > 31 {
            return Err(invalid(
                "RECTIFY_REMIND_REPORT_CALENDAR_DAY",
                policy.report_calendar_day.to_string(),
                "a day of January (1–31), or 0 for off",
            ));
        }
        if self.remind.lease <= self.smtp.timeout * 2 {
            return Err(invalid(
                "RECTIFY_REMIND_LEASE_SECS",
                self.remind.lease.as_secs().to_string(),
                "the lease must be well over the SMTP timeout (at least twice RECTIFY_SMTP_TIMEOUT_SECS)",
            ));
        }
        Ok(())
    }
}

fn parse<T: FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value
        .trim()
        .parse()
        .map_err(|e: T::Err| ConfigError::Invalid {
            name,
            value: value.into(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_from(None, |k| env.get(k).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let s = load(&[]).unwrap();
        assert_eq!(s.database_url, "sqlite://data/rectify.db?mode=rwc");
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.time_zone, chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn environment_overrides_and_data_dir_moves_the_default_database() {
        let s = load(&[
            ("RECTIFY_DATA_DIR", "/var/lib/rectify"),
            ("RECTIFY_BIND", "0.0.0.0:9000"),
            ("RECTIFY_TIME_ZONE", "Asia/Urumqi"),
        ])
        .unwrap();
        assert_eq!(
            s.database_url,
            "sqlite:///var/lib/rectify/rectify.db?mode=rwc"
        );
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.time_zone, chrono_tz::Asia::Urumqi);
    }

    #[test]
    fn the_reminder_policy_and_smtp_security_are_configurable() {
        let s = load(&[]).unwrap();
        assert_eq!(s.remind.policy, Policy::default());
        assert_eq!(s.smtp.tls, SmtpTls::Opportunistic);
        let s = load(&[
            ("RECTIFY_REMIND_DAYS_BEFORE", "30, 10,0"),
            ("RECTIFY_REMIND_OVERDUE_EVERY_DAYS", "3"),
            ("RECTIFY_REMIND_ESCALATE_AFTER_DAYS", "5"),
            ("RECTIFY_REMIND_DIGEST_WEEKDAY", "fri"),
            ("RECTIFY_REMIND_REPORT_CALENDAR_DAY", "0"),
            ("RECTIFY_SMTP_USERNAME", "robot"),
            ("RECTIFY_SMTP_PASSWORD", "pw"),
        ])
        .unwrap();
        let p = &s.remind.policy;
        assert_eq!(p.days_before, vec![30, 10, 0]);
        assert_eq!((p.overdue_every_days, p.escalate_after_days), (3, 5));
        assert_eq!(p.digest_weekday, Some(chrono::Weekday::Fri));
        assert_eq!(p.report_calendar_day, 0);
        assert_eq!(
            s.smtp.tls,
            SmtpTls::Required,
            "a password never goes out in the clear by default"
        );
        for (name, value) in [
            ("RECTIFY_REMIND_DAYS_BEFORE", "7,-1"),
            ("RECTIFY_REMIND_OVERDUE_EVERY_DAYS", "0"),
            ("RECTIFY_REMIND_DIGEST_WEEKDAY", "someday"),
            ("RECTIFY_REMIND_REPORT_CALENDAR_DAY", "40"),
            ("RECTIFY_SMTP_TLS", "maybe"),
        ] {
            let err = load(&[(name, value)]).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn a_bad_value_names_the_setting() {
        let err = load(&[("RECTIFY_TIME_ZONE", "Mars/Olympus")]).unwrap_err();
        assert!(err.to_string().contains("RECTIFY_TIME_ZONE"), "{err}");
        let err = load(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
    }

    #[test]
    fn file_settings_apply_and_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rectify.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:7000\"\nsmtp_host = \"mail\"\n").unwrap();
        let s = Settings::load_from(Some(path.clone()), |_| None).unwrap();
        assert_eq!(s.bind.port(), 7000);
        assert_eq!(s.smtp.host, "mail");
        let s = Settings::load_from(Some(path), |k| {
            (k == "RECTIFY_BIND").then(|| "127.0.0.1:7001".to_string())
        })
        .unwrap();
        assert_eq!(s.bind.port(), 7001);
    }
}
