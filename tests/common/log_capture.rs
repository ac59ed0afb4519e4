//! A logger that keeps each thread's records, for tests that read what the crate logged.
//!
//! Rocket installs its logger with `set_boxed_logger` and keeps any logger already set, so
//! a test binary installs this one first. A blocking client ignites Rocket and answers on
//! the calling thread, so a test reads only its own lines even when tests run in parallel.

use std::sync::{Mutex, Once};
use std::thread::{self, ThreadId};

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Capture;

struct Line {
    thread: ThreadId,
    level: Level,
    from_the_crate: bool,
    text: String,
}

static LINES: Mutex<Vec<Line>> = Mutex::new(Vec::new());

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        let line = Line {
            thread: thread::current().id(),
            level: record.level(),
            from_the_crate: record.target().starts_with("cors_fairing"),
            text: record.args().to_string(),
        };
        LINES.lock().unwrap_or_else(|p| p.into_inner()).push(line);
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

/// Installs the capture (once per binary), before any Rocket is built.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&CAPTURE).expect("no logger installed before this one");
        log::set_max_level(LevelFilter::Trace);
    });
}

/// Takes this thread's lines so far, keeping those `keep(level, from_the_crate)` accepts.
pub fn take(keep: impl Fn(Level, bool) -> bool) -> Vec<String> {
    let me = thread::current().id();
    let mut lines = LINES.lock().unwrap_or_else(|p| p.into_inner());
    let (mine, others): (Vec<_>, Vec<_>) = lines.drain(..).partition(|l| l.thread == me);
    *lines = others;
    mine.into_iter().filter(|l| keep(l.level, l.from_the_crate)).map(|l| l.text).collect()
}

/// One captured line, from any thread, for tests whose lines come from the crate's own
/// threads (the reloader) and other crates' (notify's watcher thread).
#[derive(Debug, Clone)]
pub struct Captured {
    pub level: Level,
    pub from_the_crate: bool,
    pub text: String,
}

/// Takes every thread's lines so far. Only for a test binary whose tests take turns: the
/// lines of a test running alongside would be taken too.
pub fn take_all() -> Vec<Captured> {
    let mut lines = LINES.lock().unwrap_or_else(|p| p.into_inner());
    lines
        .drain(..)
        .map(|l| Captured { level: l.level, from_the_crate: l.from_the_crate, text: l.text })
        .collect()
}
