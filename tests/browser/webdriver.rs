//! The few W3C WebDriver commands the WebKit engine needs, over plain HTTP on loopback.
//!
//! WebKitGTK's MiniBrowser is started by `WebKitWebDriver`, never by hand: the driver starts it
//! with `--automation` when a session is created. After that the suite drives WebKit like the
//! other engines, through the page's own long poll (`harness.rs`), so only two commands are
//! sent: New Session and Navigate To (W3C WebDriver §8.1 and §10.1,
//! <https://www.w3.org/TR/webdriver2/>). Two requests do not justify a WebDriver crate and its
//! HTTP stack; they are written here with Rocket's tokio, asynchronously, because the page
//! server that answers the navigation runs on the same single-worker runtime as the test.

use std::net::Ipv4Addr;
use std::time::Duration;

use rocket::serde::json::{self, Value, json};
use rocket::tokio::io::{AsyncReadExt, AsyncWriteExt};
use rocket::tokio::net::TcpStream;
use rocket::tokio::time::timeout;

/// One command, answer included. Navigation waits for the page's `load`, which our page
/// server gives at once; the bound is for a driver that hangs.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// A driver answers with small JSON documents; anything larger is not one.
const MAX_ANSWER: u64 = 1 << 20;

/// A WebDriver session: the browser the driver started.
#[derive(Debug)]
pub struct Session {
    driver_port: u16,
    id: String,
    /// `browserName` as the driver reports it, e.g. `MiniBrowser`.
    pub browser_name: String,
    /// `browserVersion`: for WebKitGTK, the WebKitGTK version, e.g. `2.50.6`.
    pub browser_version: String,
}

/// Why a command could not be sent at all: the driver may simply not listen yet.
#[derive(Debug)]
pub enum Failure {
    NotListening(String),
    Other(String),
}

/// New Session with `capabilities` (the `alwaysMatch` object).
pub async fn new_session(driver_port: u16, capabilities: Value) -> Result<Session, Failure> {
    let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
    let value = command(driver_port, "POST", "/session", &body).await?;
    let id = value["sessionId"].as_str().ok_or_else(|| {
        Failure::Other(format!("New Session answered without a sessionId: {value}"))
    })?;
    let text = |key: &str| value["capabilities"][key].as_str().unwrap_or("unknown").to_string();
    Ok(Session {
        driver_port,
        id: id.to_string(),
        browser_name: text("browserName"),
        browser_version: text("browserVersion"),
    })
}

impl Session {
    /// Navigate To `url`; returns once the page has loaded.
    pub async fn navigate(&self, url: &str) -> Result<(), String> {
        let path = format!("/session/{}/url", self.id);
        match command(self.driver_port, "POST", &path, &json!({ "url": url })).await {
            Ok(_) => Ok(()),
            Err(Failure::NotListening(why) | Failure::Other(why)) => Err(why),
        }
    }
}

/// Sends one command and returns its `value`, or the driver's error.
async fn command(port: u16, method: &str, path: &str, body: &Value) -> Result<Value, Failure> {
    let body = body.to_string();
    // HTTP/1.0: the answer ends when the connection does, never chunked.
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|err| Failure::NotListening(format!("WebDriver at port {port}: {err}")))?;
        let other = |err: std::io::Error| Failure::Other(format!("{method} {path}: {err}"));
        stream.write_all(request.as_bytes()).await.map_err(other)?;
        let mut answer = Vec::new();
        stream.take(MAX_ANSWER).read_to_end(&mut answer).await.map_err(other)?;
        Ok(answer)
    };
    let answer = timeout(COMMAND_TIMEOUT, exchange).await.map_err(|_| {
        Failure::Other(format!("{method} {path}: no answer in {COMMAND_TIMEOUT:?}"))
    })??;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.lines().next().unwrap_or_default();
    let value: Value = json::from_str(body)
        .map_err(|err| Failure::Other(format!("{method} {path}: {status}: {err}: {body:?}")))?;
    let value = value.get("value").cloned().unwrap_or(Value::Null);
    match status.split(' ').nth(1) {
        Some("200") => Ok(value),
        _ => Err(Failure::Other(format!("{method} {path}: {status}: {value}"))),
    }
}
