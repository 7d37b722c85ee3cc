//! Plumbing for the web application's tests: accounts with passwords, a cookie-carrying
//! HTTP client that signs in like a browser, and a real Chromium driven over WebDriver.

use std::{path::PathBuf, process::Stdio, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator};
use rectify::{
    domain::AccountRole,
    service::{Actor, auth::AccountInput},
};
use serde_json::json;

use crate::helpers::TestApp;

/// The password every test account signs in with.
pub const PASSWORD: &str = "整改密码-correct-horse";

/// Creates an account with [`PASSWORD`] and returns its email.
pub async fn password_account(
    app: &TestApp,
    role: AccountRole,
    agency: &str,
    person: Option<&str>,
) -> String {
    // One person has one account per role: a person who has one already gets the password.
    if let Some(person) = person {
        let existing = app
            .store
            .accounts_of_person(person.parse().unwrap())
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.role == role.as_str());
        if let Some(account) = existing {
            use argon2::{PasswordHasher, password_hash::SaltString};
            let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes()).unwrap();
            let hash = argon2::Argon2::default()
                .hash_password(PASSWORD.as_bytes(), &salt)
                .unwrap()
                .to_string();
            app.store
                .set_password_hash(account.id, &hash)
                .await
                .unwrap();
            return account.email;
        }
    }
    let email = format!("{}-{}@test.local", role, uuid::Uuid::now_v7().simple());
    app.services
        .create_account(
            &Actor::System,
            AccountInput {
                email: email.clone(),
                password: Some(PASSWORD.into()),
                role,
                agency_id: Some(agency.parse().unwrap()),
                person_id: person.map(|p| p.parse().unwrap()),
            },
        )
        .await
        .expect("a test account with a password");
    email
}

/// The value of a hidden field named `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in the page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// `name=value` of a `Set-Cookie` header named `name`.
pub fn set_cookie<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// A client that follows no redirects (tests look at them).
pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A signed-in HTTP session: the cookie to send and the session's CSRF token.
pub struct HttpSession {
    pub cookie: String,
    pub csrf: String,
}

/// Signs in over plain HTTP as a browser would (form, CSRF cookie, session cookie).
pub async fn sign_in(app: &TestApp, email: &str) -> HttpSession {
    let client = plain_client();
    let form = client.get(app.url("/login")).send().await.unwrap();
    let pre = set_cookie(&form, "rectify_csrf")
        .expect("the sign-in form sets its CSRF cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = hidden(&form.text().await.unwrap(), "csrf");
    let signed = client
        .post(app.url("/login"))
        .header("cookie", &pre)
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf", &token),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303, "signing in redirects");
    let cookie = set_cookie(&signed, "rectify_session")
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let home = client
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    let csrf = hidden(&home.text().await.unwrap(), "csrf");
    HttpSession { cookie, csrf }
}

/// Only one browser runs at a time: the machine is small and each Chromium is heavy.
static BROWSERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// A headless Chromium driven through its own chromedriver.
pub struct Browser {
    pub client: Client,
    driver: std::process::Child,
    _profile: tempfile::TempDir,
    _permit: tokio::sync::SemaphorePermit<'static>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Starts Chromium, or `None` (with a note) when it is not installed; with `CI` set, a
/// missing browser fails the test instead.
pub async fn browser() -> Option<Browser> {
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but chromium or chromedriver is missing: apt-get install chromium chromium-driver"
            );
        }
        eprintln!("chromium or chromedriver is not installed: browser test not run");
        return None;
    };
    let permit = BROWSERS.acquire().await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=zh-CN",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        },
    });
    let caps = caps.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..300 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver: child,
                    _profile: profile,
                    _permit: permit,
                });
            }
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("chromedriver did not start a session: {last:?}");
}

impl Browser {
    /// Ends the browser session (Chromium quits).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// The text of the page's `<main>`.
    pub async fn main_text(&self) -> String {
        self.client
            .find(Locator::Css("main"))
            .await
            .expect("a <main>")
            .text()
            .await
            .unwrap()
    }

    /// Waits until the page's `<main>` contains `text` (htmx swaps it after a request).
    pub async fn wait_for_text(&self, text: &str) -> String {
        let mut seen = String::new();
        for _ in 0..300 {
            if let Ok(main) = self.client.find(Locator::Css("main")).await
                && let Ok(t) = main.text().await
            {
                if t.contains(text) {
                    return t;
                }
                seen = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {text:?}; it shows:\n{seen}");
    }

    /// Waits until the browser is at a URL whose path starts with `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let mut at = String::new();
        for _ in 0..300 {
            if let Ok(url) = self.client.current_url().await {
                at = url.to_string();
                if url.path().starts_with(path) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the browser never reached {path}; it is at {at}");
    }

    /// Writes PNGs of the whole page at 1280 px and 375 px wide as
    /// `<target>/screenshots/<name>-1280.png` and `…-375.png` (`suffix` added to the name).
    pub async fn screenshots(&self, name: &str) {
        for width in [1280u32, 375] {
            self.screenshot(name, width).await;
        }
    }

    /// One PNG of the whole page at `width`.
    pub async fn screenshot(&self, name: &str, width: u32) {
        let c = &self.client;
        c.set_window_size(width, 900).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let height = c
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900)
            .clamp(400, 6000) as u32;
        c.set_window_size(width, height).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = c.screenshot().await.expect("a screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}-{width}.png")), png).unwrap();
        c.set_window_size(1280, 900).await.unwrap();
    }
}

/// `$CARGO_TARGET_DIR/screenshots`, or `target/screenshots` in the workspace.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target")))
        .join("screenshots")
}
