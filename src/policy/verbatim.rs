//! `always_send_headers`: the original middleware's output, kept for operators who depend
//! on it. It judges nothing: every configured header on every in-scope response, verbatim,
//! empty where a key is unset.

use super::headers::check_request_headers;
use super::names::{
    ALLOW_CREDENTIALS, ALLOW_HEADERS, ALLOW_METHODS, ALLOW_ORIGIN, EXPOSE_HEADERS, MAX_AGE, VARY,
};
use super::origins::AllowOrigin;
use super::request::{CorsRequest, Field};
use super::{Policy, vary};
use crate::settings::Settings;

/// `always_send_headers`: the original middleware's output, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct Verbatim {
    origin: VerbatimOrigin,
    methods: Box<str>,
    /// `None`: reflect `Access-Control-Request-Headers` (`allow_all_headers`).
    headers: Option<Box<str>>,
    credentials: &'static str,
    expose: Box<str>,
    max_age: Box<str>,
}

#[derive(Debug, Clone)]
enum VerbatimOrigin {
    /// `allow_all_origin`: the request's `Origin`, whatever it is.
    Reflect,
    /// One configured value, sent as written (empty when unset).
    Fixed(Box<str>),
    /// Several configured origins: the request's if it is one of them, else empty.
    FromList,
}

impl Verbatim {
    pub(crate) fn render(settings: &Settings) -> Verbatim {
        let origin = match settings.allow_origin.as_slice() {
            _ if settings.allow_all_origin => VerbatimOrigin::Reflect,
            [] => VerbatimOrigin::Fixed("".into()),
            [one] if settings.allow_origin_regex.is_empty() => {
                VerbatimOrigin::Fixed(one.as_str().into())
            }
            _ => VerbatimOrigin::FromList,
        };
        let join = |list: &Option<Vec<String>>| {
            list.as_deref().unwrap_or_default().join(", ").into_boxed_str()
        };
        Verbatim {
            origin,
            methods: join(&settings.allow_methods),
            headers: (!settings.allow_all_headers).then(|| join(&settings.allow_headers)),
            credentials: match settings.allow_credentials {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            },
            expose: settings.expose_headers.join(", ").into_boxed_str(),
            max_age: settings.max_age.map(|a| a.to_string()).unwrap_or_default().into_boxed_str(),
        }
    }

    /// Hands the original's lines for an in-scope request to `write`.
    pub(super) fn write_lines<'a>(
        &'a self,
        policy: &'a Policy,
        request: &CorsRequest<'a>,
        mut write: impl FnMut(&'static str, &'a str),
    ) {
        let request_origin = match request.origin {
            Field::One(origin) if is_printable(origin, super::MAX_ORIGIN_LEN) => origin,
            _ => "",
        };
        let (allow_origin, varies) = match &self.origin {
            VerbatimOrigin::Reflect => (request_origin, true),
            VerbatimOrigin::Fixed(value) => (&**value, false),
            VerbatimOrigin::FromList => match policy.origins.check(request_origin) {
                Some(AllowOrigin::Reflect) => (request_origin, true),
                Some(AllowOrigin::Any) => ("*", true),
                None => ("", true),
            },
        };
        let allow_headers = match (&self.headers, request.request_headers.lines()) {
            (Some(list), _) => &**list,
            (None, &[list]) if check_request_headers(list, |_| true).is_ok() => list,
            (None, _) => "",
        };
        write(ALLOW_ORIGIN, allow_origin);
        write(ALLOW_METHODS, &self.methods);
        write(ALLOW_HEADERS, allow_headers);
        write(ALLOW_CREDENTIALS, self.credentials);
        write(EXPOSE_HEADERS, &self.expose);
        write(MAX_AGE, &self.max_age);
        if varies {
            write(VARY, vary::ACTUAL);
        }
    }
}

fn is_printable(value: &str, max_len: usize) -> bool {
    value.len() <= max_len && value.bytes().all(|b| (0x20..0x7f).contains(&b))
}
