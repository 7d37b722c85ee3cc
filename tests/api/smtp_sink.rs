//! An in-process SMTP server for tests: speaks enough SMTP for lettre (EHLO, MAIL, RCPT,
//! DATA, RSET, NOOP, QUIT), records every message, and can be told to misbehave — refuse
//! connections, answer 4xx or 5xx, or answer slowly.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use base64::Engine as _;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// How the sink behaves, changeable while it runs.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Close every connection at once.
    pub drop_connections: bool,
    /// Answer `MAIL FROM` with this reply (e.g. "451 try later", "550 no").
    pub mail_reply: Option<String>,
    /// Wait this long before every reply.
    pub delay: Duration,
    /// Close the session after each accepted message (a relay that takes one per session).
    pub hang_up_after_message: bool,
}

/// A received message.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// A header's value (unfolded), with RFC 2047 `=?utf-8?b?…?=` words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| decode_words(v.trim()))
        })
    }

    /// Every text part's body, decoded (base64 or quoted-printable).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for part in self.data.split("\r\n\r\n").collect::<Vec<_>>().windows(2) {
            let (head, body) = (part[0].to_ascii_lowercase(), part[1]);
            let body = body.split("\r\n--").next().unwrap_or(body);
            if head.contains("content-transfer-encoding: base64") {
                let joined: String = body.split_whitespace().collect();
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(joined) {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            } else if head.contains("quoted-printable") {
                out.push_str(&decode_qp(body));
            } else {
                out.push_str(body);
            }
            out.push('\n');
        }
        out
    }
}

fn decode_words(v: &str) -> String {
    v.split_whitespace()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && w.ends_with("?=") {
                let inner = &w[10..w.len() - 2];
                base64::engine::general_purpose::STANDARD
                    .decode(inner)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_else(|_| w.to_owned())
            } else if lower.starts_with("=?utf-8?q?") && w.ends_with("?=") {
                decode_qp(&w[10..w.len() - 2].replace('_', " "))
            } else {
                format!("{w} ")
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn decode_qp(s: &str) -> String {
    let mut bytes = Vec::new();
    let raw = s.replace("=\r\n", "");
    let mut it = raw.bytes().peekable();
    while let Some(b) = it.next() {
        if b == b'=' {
            let hi = it.next();
            let lo = it.next();
            if let (Some(hi), Some(lo)) = (hi, lo)
                && let Ok(v) = u8::from_str_radix(&format!("{}{}", hi as char, lo as char), 16)
            {
                bytes.push(v);
                continue;
            }
        }
        bytes.push(b);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A running sink.
#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    pub behaviour: Arc<Mutex<Behaviour>>,
    pub received: Arc<Mutex<Vec<Received>>>,
    sessions: Arc<AtomicUsize>,
}

impl SmtpSink {
    /// Starts a sink on a free port.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    /// Starts a sink on `addr` (to bring back a server that was down).
    pub async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP sink");
        let sink = Self {
            addr: listener.local_addr().unwrap(),
            behaviour: Arc::default(),
            received: Arc::default(),
            sessions: Arc::default(),
        };
        let served = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = served.clone();
                tokio::spawn(async move {
                    let _ = sink.session(stream).await;
                });
            }
        });
        sink
    }

    /// How many connections were accepted so far.
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    /// The messages received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        let behaviour = || self.behaviour.lock().unwrap().clone();
        if behaviour().drop_connections {
            return Ok(());
        }
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        let reply = |b: &Behaviour, text: &str| {
            let delay = b.delay;
            let text = format!("{text}\r\n");
            async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                text
            }
        };
        write
            .write_all(reply(&behaviour(), "220 sink ESMTP").await.as_bytes())
            .await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let b = behaviour();
            let upper = line.to_ascii_uppercase();
            let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                "250-sink\r\n250 8BITMIME".to_owned()
            } else if upper.starts_with("MAIL FROM") {
                match &b.mail_reply {
                    Some(r) => r.clone(),
                    None => {
                        from = line.trim().to_owned();
                        to.clear();
                        "250 ok".to_owned()
                    }
                }
            } else if upper.starts_with("RCPT TO") {
                to.push(line.trim()[8..].trim().trim_matches(['<', '>']).to_owned());
                "250 ok".to_owned()
            } else if upper.starts_with("DATA") {
                write
                    .write_all(reply(&b, "354 go ahead").await.as_bytes())
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                }
                self.received.lock().unwrap().push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                if b.hang_up_after_message {
                    write
                        .write_all(reply(&b, "250 queued").await.as_bytes())
                        .await?;
                    return Ok(());
                }
                "250 queued".to_owned()
            } else if upper.starts_with("QUIT") {
                write
                    .write_all(reply(&b, "221 bye").await.as_bytes())
                    .await?;
                return Ok(());
            } else {
                "250 ok".to_owned()
            };
            write.write_all(reply(&b, &answer).await.as_bytes()).await?;
        }
    }
}
