//! `examples/tenants.rs`, launched as its users launch it (it reads `Rocket.toml`), over
//! real TCP: registering and removing a tenant, CORS for listed origins and tenants, and the
//! WebSocket handshake behind the guard (403 or 101, and an echo).

// figment::Jail's closures return figment::Result; its Error is large by design, not ours.
#![allow(clippy::result_large_err)]

#[allow(dead_code)]
#[path = "../examples/tenants.rs"]
mod tenants;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use figment::Jail;
use rocket::fairing::AdHoc;

const LISTED: &str = "https://listed.example";
const TENANT: &str = "https://shop.example";
const OTHER: &str = "https://other.example";

/// How long one exchange may take before the test fails instead of hanging.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// The example, built and ignited in a jail whose `Rocket.toml` lists one origin and asks
/// for a free port, launched on a runtime of its own; its port, and the runtime that keeps
/// it running.
fn launch() -> (u16, rocket::tokio::runtime::Runtime) {
    let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let report_port = AdHoc::on_liftoff("port", move |rocket| {
        let port = rocket.config().port;
        Box::pin(async move {
            let _ = port_tx.send(port);
        })
    });
    let mut ignited = None;
    Jail::expect_with(|jail| {
        jail.create_file(
            "Rocket.toml",
            &format!(
                "[default]\naddress = \"127.0.0.1\"\nport = 0\nlog_level = \"off\"\n\
                 [default.shutdown]\nctrlc = false\ngrace = 1\nmercy = 1\n\
                 [default.cors]\nallow_origin = [\"{LISTED}\"]\nreload = false\n"
            ),
        )?;
        let rocket = tenants::rocket().attach(report_port);
        ignited = Some(runtime.block_on(rocket.ignite()).expect("the example ignites"));
        Ok(())
    });
    let rocket = ignited.expect("ignited");
    runtime.spawn(async move {
        if let Err(err) = rocket.launch().await {
            eprintln!("the example failed: {err}");
        }
    });
    let port = port_rx.recv_timeout(IO_TIMEOUT).expect("the example listens in time");
    (port, runtime)
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}

/// A response: status, lower-cased header names with their values, body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn parse_head(head: &str) -> (u16, Vec<(String, String)>) {
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|line| line.split(' ').nth(1)).expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    (status.parse().expect("a status code"), headers)
}

/// One HTTP/1.1 exchange on a connection of its own (`Connection: close`: read to the end).
fn http(port: u16, method: &str, path: &str, origin: Option<&str>, body: &str) -> Response {
    let mut stream = connect(port);
    let origin = origin.map(|origin| format!("Origin: {origin}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{origin}\
         Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read the response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let (status, headers) = parse_head(head);
    Response { status, headers, body: body.to_string() }
}

fn acao(port: u16, origin: &str) -> Option<String> {
    let response = http(port, "GET", "/api/items", Some(origin), "");
    assert_eq!(response.status, 200);
    assert_eq!(response.body, r#"["apple","pear"]"#);
    response.header("access-control-allow-origin").map(str::to_string)
}

/// A WebSocket handshake from `origin`: the response head, and the connection (open after
/// a 101).
fn handshake(port: u16, origin: &str) -> (Response, TcpStream) {
    let mut stream = connect(port);
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send the handshake");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("read the handshake answer");
        head.push(byte[0]);
    }
    let (status, headers) = parse_head(&String::from_utf8_lossy(&head));
    let mut body = String::new();
    if let Some(length) = headers.iter().find(|(n, _)| n == "content-length") {
        let mut bytes = vec![0u8; length.1.parse().expect("a length")];
        stream.read_exact(&mut bytes).expect("read the body");
        body = String::from_utf8_lossy(&bytes).into_owned();
    }
    (Response { status, headers, body }, stream)
}

/// Sends one masked text frame (as a client must) and reads the server's unmasked answer.
fn echo(stream: &mut TcpStream, text: &str) -> String {
    assert!(text.len() < 126, "a short frame");
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![0x81, 0x80 | text.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(text.bytes().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    stream.write_all(&frame).expect("send a frame");
    let mut header = [0u8; 2];
    stream.read_exact(&mut header).expect("read a frame");
    assert_eq!(header[0], 0x81, "a final text frame");
    let mut payload = vec![0u8; usize::from(header[1] & 0x7f)];
    stream.read_exact(&mut payload).expect("read its payload");
    String::from_utf8(payload).expect("text")
}

#[test]
fn tenants_come_and_go_for_cors_and_the_websocket() {
    let (port, _runtime) = launch();
    assert_eq!(acao(port, LISTED).as_deref(), Some(LISTED), "listed in Rocket.toml");
    assert_eq!(acao(port, TENANT), None, "not a tenant yet");
    assert_eq!(handshake(port, TENANT).0.status, 403);

    let registered = http(port, "POST", "/tenants", None, &format!("{TENANT}\n"));
    assert_eq!(registered.status, 204, "{}", registered.body);
    // In force for the very next request: the cached "no" was forgotten.
    assert_eq!(acao(port, TENANT).as_deref(), Some(TENANT));
    assert_eq!(acao(port, OTHER), None);

    let (answer, mut stream) = handshake(port, TENANT);
    assert_eq!(answer.status, 101, "a tenant's handshake switches protocols");
    assert_eq!(answer.header("upgrade"), Some("websocket"));
    assert_eq!(echo(&mut stream, "hello"), "hello");
    let (listed, _) = handshake(port, LISTED);
    assert_eq!(listed.status, 101, "a listed origin's handshake switches protocols");
    let (refused, _) = handshake(port, OTHER);
    assert_eq!(refused.status, 403, "neither listed nor a tenant");
    let reason = format!("no Sec-Fetch-Site, Host is \"127.0.0.1:{port}\", and origin {OTHER:?}");
    assert_eq!(refused.body, format!("cross-origin request refused: {reason} is not allowed\n"));

    let removed = http(port, "DELETE", "/tenants", None, TENANT);
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(acao(port, TENANT), None, "refused at once once removed");
    assert_eq!(handshake(port, TENANT).0.status, 403);
    assert_eq!(acao(port, LISTED).as_deref(), Some(LISTED));
}

#[test]
fn a_body_that_is_not_an_origin_is_refused_with_a_reason() {
    let (port, _runtime) = launch();
    for body in ["shop.example", "https://shop.example/", "https://shop.example/path", ""] {
        let response = http(port, "POST", "/tenants", None, body);
        assert_eq!(response.status, 400, "{body:?}");
        assert!(response.body.contains("is not an origin"), "{body:?}: {}", response.body);
    }
    let long = format!("https://{}.example", "a".repeat(300));
    assert_eq!(http(port, "POST", "/tenants", None, &long).status, 413);
    // An upper-case registration is stored as browsers send it.
    assert_eq!(http(port, "POST", "/tenants", None, "HTTPS://Shop.Example").status, 204);
    assert_eq!(acao(port, TENANT).as_deref(), Some(TENANT));
}
