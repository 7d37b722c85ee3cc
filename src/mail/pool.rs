//! A small pool of SMTP connections with Nagle's algorithm off.
//!
//! Written by hand because lettre 0.11.23's pooled transport never sets `TCP_NODELAY`: it
//! writes a message's body and its closing `\r\n.\r\n` as two writes, so Nagle holds the
//! five closing bytes until the server's delayed ACK, 40 ms on Linux — every message costs
//! 40 ms and one connection carries about 23 messages a second (measured; the upstream
//! fix, lettre#1159, is merged but not released). Here lettre still speaks SMTP
//! ([`AsyncSmtpConnection`]: EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA); this module only opens
//! the sockets (with `TCP_NODELAY`) and keeps them for reuse. Implicit TLS (port 465)
//! goes through lettre's own connect, where Nagle stays on until that release.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use lettre::{
    address::Envelope,
    transport::smtp::{
        Error as SmtpError,
        authentication::{Credentials, DEFAULT_MECHANISMS},
        client::{AsyncSmtpConnection, TlsParameters},
        extension::ClientId,
    },
};
use tokio::{
    net::TcpStream,
    sync::{OwnedSemaphorePermit, Semaphore},
};

/// How the pool reaches the relay.
#[derive(Clone)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub tls: RelayTls,
    pub credentials: Option<Credentials>,
    /// Bounds connecting and each step of the exchange.
    pub timeout: Duration,
}

/// Transport security towards the relay.
#[derive(Clone)]
pub enum RelayTls {
    /// Plain text (a relay on the same host or network).
    None,
    /// STARTTLS when the relay offers it, plain text otherwise.
    Opportunistic(TlsParameters),
    /// STARTTLS or no message at all.
    Required(TlsParameters),
    /// TLS from the first byte (SMTPS, port 465).
    Wrapper(TlsParameters),
}

/// Why a connection could not be opened or a message not sent.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("cannot connect to the SMTP server {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Smtp(#[from] SmtpError),
}

impl PoolError {
    /// A 5xx answer: retrying will not help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Smtp(e) if e.is_permanent())
    }
}

/// Connections idle longer than this are checked with NOOP before reuse (a relay closes
/// idle sessions after a while; within a burst no check is needed).
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(2);

/// Connections idle longer than this are closed rather than reused.
const MAX_IDLE: Duration = Duration::from_secs(30);

/// Open SMTP sessions to one relay, at most `max_size` at a time.
#[derive(Clone)]
pub struct SmtpPool {
    relay: Arc<Relay>,
    hello: Arc<ClientId>,
    idle: Arc<Mutex<Vec<(AsyncSmtpConnection, Instant)>>>,
    permits: Arc<Semaphore>,
}

impl SmtpPool {
    /// A pool for `relay`, opening connections as they are needed.
    pub fn new(relay: Relay, max_size: usize) -> Self {
        Self {
            relay: Arc::new(relay),
            hello: Arc::new(ClientId::default()),
            idle: Arc::default(),
            permits: Arc::new(Semaphore::new(max_size.max(1))),
        }
    }

    /// Sends one formatted message on a pooled connection; a connection that failed is
    /// closed, never reused.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), PoolError> {
        let (mut conn, _permit) = self.checkout().await?;
        match conn.send(envelope, message).await {
            Ok(_) if !conn.has_broken() => {
                self.idle.lock().unwrap().push((conn, Instant::now()));
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => {
                conn.abort().await;
                Err(e.into())
            }
        }
    }

    /// A live connection (reused or new) and the permit that counts it.
    async fn checkout(&self) -> Result<(AsyncSmtpConnection, OwnedSemaphorePermit), PoolError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the pool's semaphore is never closed");
        loop {
            let reusable = self.idle.lock().unwrap().pop();
            let Some((mut conn, since)) = reusable else {
                break;
            };
            let idle_for = since.elapsed();
            if idle_for > MAX_IDLE {
                conn.abort().await;
                continue;
            }
            if idle_for < CHECK_AFTER_IDLE || conn.test_connected().await {
                return Ok((conn, permit));
            }
            conn.abort().await;
        }
        Ok((self.connect().await?, permit))
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, PoolError> {
        let relay = &*self.relay;
        let mut conn = match &relay.tls {
            RelayTls::Wrapper(parameters) => {
                AsyncSmtpConnection::connect_tokio1(
                    (relay.host.as_str(), relay.port),
                    Some(relay.timeout),
                    &self.hello,
                    Some(parameters.clone()),
                    None,
                )
                .await?
            }
            _ => {
                let addr = format!("{}:{}", relay.host, relay.port);
                let connect_error = |source| PoolError::Connect {
                    addr: addr.clone(),
                    source,
                };
                let stream = tokio::time::timeout(relay.timeout, TcpStream::connect(&addr))
                    .await
                    .map_err(|_| connect_error(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(connect_error)?;
                stream.set_nodelay(true).map_err(connect_error)?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?
            }
        };
        match &relay.tls {
            RelayTls::Required(parameters) => {
                conn.starttls(parameters.clone(), &self.hello).await?;
            }
            RelayTls::Opportunistic(parameters) if conn.can_starttls() => {
                conn.starttls(parameters.clone(), &self.hello).await?;
            }
            _ => {}
        }
        if let Some(credentials) = &relay.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(conn)
    }
}
