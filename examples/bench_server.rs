//! One server for the load benchmarks, in any of the four modes of `benches/apps`
//! (bare, floor, cors-fairing, rocket_cors), bound to 127.0.0.1; and a bounded client
//! that sends N requests of one case over one keep-alive connection, so that
//! `valgrind --tool=callgrind` can count the server's instructions for N1 and N2 requests
//! and start-up cancels out. `scripts/load.sh` drives both.
//!
//! ```sh
//! cargo run --release --example bench_server -- serve cors-fairing 8600   # or BENCH_MODE=...
//! cargo run --release --example bench_server -- client 8600 preflight 1000
//! cargo run --release --example bench_server -- lines 8600 preflight   # status and CORS lines
//! ```

#[path = "../benches/apps/mod.rs"]
mod apps;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::ExitCode;

use apps::{Case, Mode};

const USAGE: &str = "usage: bench_server serve [MODE] [PORT] [WORKERS]   (MODE or $BENCH_MODE: \
                     bare | floor | cors-fairing | rocket_cors | tenant | report-only | protected | timing)\n       \
                     bench_server client PORT CASE N   (CASE: get-allowed | get-no-origin | \
                     get-refused | preflight | get-regex)\n       \
                     bench_server lines PORT CASE   (one request: its status and CORS lines)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("client") => client(&args[1..]),
        Some("lines") => lines(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &[String]) -> Result<(), String> {
    let mode_name = match args.first() {
        Some(name) => name.clone(),
        None => std::env::var("BENCH_MODE").map_err(|_| USAGE.to_string())?,
    };
    let mode =
        Mode::parse(&mode_name).ok_or_else(|| format!("unknown mode {mode_name:?}\n{USAGE}"))?;
    let port = parse_arg(args.get(1), 8600, "PORT")?;
    let workers = parse_arg(
        args.get(2),
        std::thread::available_parallelism().map_or(2, |n| n.get()),
        "WORKERS",
    )?;
    let config =
        rocket::Config { address: Ipv4Addr::LOCALHOST.into(), port, workers, ..apps::config() };
    rocket::execute(apps::rocket(mode, config).launch()).map_err(|e| e.to_string())?;
    Ok(())
}

fn parse_arg<T: std::str::FromStr>(
    arg: Option<&String>,
    default: T,
    what: &str,
) -> Result<T, String> {
    arg.map_or(Ok(default), |a| a.parse().map_err(|_| format!("{what}: not a number: {a:?}")))
}

/// Sends `N` requests of one case over one connection and checks every status.
fn client(args: &[String]) -> Result<(), String> {
    let [port, case, n] = args else { return Err(USAGE.to_string()) };
    let n: u32 = n.parse().map_err(|_| format!("N: not a number: {n:?}"))?;
    let (request, mut writer, mut reader) = connect(port, case)?;
    for i in 0..n {
        writer.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        let (status, _) = read_response(&mut reader).map_err(|e| format!("request {i}: {e}"))?;
        if !(200..500).contains(&status) {
            return Err(format!("request {i}: status {status}"));
        }
    }
    Ok(())
}

/// Sends one request of a case and prints its status and CORS lines (lower-cased names,
/// in order), so `scripts/load.sh` can check the floor and cors-fairing answer alike.
fn lines(args: &[String]) -> Result<(), String> {
    let [port, case] = args else { return Err(USAGE.to_string()) };
    let (request, mut writer, mut reader) = connect(port, case)?;
    writer.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let (status, headers) = read_response(&mut reader).map_err(|e| e.to_string())?;
    println!("{status}");
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if name.starts_with("access-control-") || name == "vary" || name == "timing-allow-origin" {
            println!("{name}: {value}");
        }
    }
    Ok(())
}

/// A keep-alive connection to the server on `port` and the raw request of `case`.
fn connect(port: &str, case: &str) -> Result<(String, TcpStream, BufReader<TcpStream>), String> {
    let port: u16 = port.parse().map_err(|_| format!("PORT: not a number: {port:?}"))?;
    let case = Case::parse(case).ok_or_else(|| format!("unknown case {case:?}\n{USAGE}"))?;
    let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let writer = stream.try_clone().map_err(|e| e.to_string())?;
    Ok((apps::http_request(case), writer, BufReader::new(stream)))
}

/// Reads one response (status line, headers, `Content-Length` body); returns the status
/// and the header lines.
fn read_response(
    reader: &mut BufReader<TcpStream>,
) -> std::io::Result<(u16, Vec<(String, String)>)> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad(&line))?;
    let mut length = 0usize;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(bad("connection closed mid-response"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else { return Err(bad(header)) };
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().map_err(|_| bad(header))?;
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((status, headers))
}
