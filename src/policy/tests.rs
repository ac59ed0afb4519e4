use super::*;

fn policy(edit: impl FnOnce(&mut Settings)) -> Policies {
    let mut settings = Settings::default();
    edit(&mut settings);
    Policies::compile(&settings).expect("valid settings")
}

const APP: &str = "https://app.example.com";

#[test]
fn no_origin_gets_only_vary() {
    let p = policy(|s| s.allow_origin = vec![APP.into()]);
    let d = p.decide(&CorsRequest::get("/"));
    assert_eq!(d.verdict(), Verdict::NoOrigin);
    assert_eq!(d.lines().iter().collect::<Vec<_>>(), [("Vary", "Origin")]);
}

#[test]
fn allowed_actual_request() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.allow_credentials = Some(true);
        s.expose_headers = vec!["X-Id".into(), "X-Other".into()];
    });
    let d = p.decide(&CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/") });
    assert!(d.is_allowed());
    assert_eq!(
        d.lines().iter().collect::<Vec<_>>(),
        [
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "X-Id, X-Other"),
            ("Vary", "Origin"),
        ]
    );
}

#[test]
fn refused_origins() {
    let p = policy(|s| s.allow_origin = vec![APP.into(), "https://*.example.org".into()]);
    // Well-formed (or `null`) but not allowed; then not the shape browsers send.
    let malformed =
        ["HTTPS://APP.EXAMPLE.COM", "https://app.example.com/", "https://app.example.com:443", ""];
    for origin in [
        "https://app.example.com.evil.net",
        "https://evilapp.example.com",
        "http://app.example.com",
        "HTTPS://APP.EXAMPLE.COM",
        "https://app.example.com/",
        "https://app.example.com:443",
        "null",
        "https://example.org",
        "https://evil-example.org",
        "",
    ] {
        let request = CorsRequest { origin: Field::One(origin), ..CorsRequest::get("/") };
        let d = p.decide(&request);
        let kind =
            if malformed.contains(&origin) { Refusal::MalformedOrigin } else { Refusal::Origin };
        assert_eq!(d.refusal(), Some(kind), "{origin}");
        let described = kind.describe(&request).to_string();
        // The line says what the counter counts: malformed is not "not allowed".
        let why = if kind == Refusal::MalformedOrigin {
            "is malformed (not an origin as browsers send it)"
        } else {
            "is not allowed"
        };
        assert_eq!(described, format!("origin {origin:?} {why}"));
        assert_eq!(d.lines().get("Access-Control-Allow-Origin"), None);
        assert_eq!(d.lines().get("Vary"), Some("Origin"));
    }
    let d = p.decide(&CorsRequest { origin: Field::Many, ..CorsRequest::get("/") });
    assert_eq!(d.refusal(), Some(Refusal::MultipleOrigins));
    let d = p.decide(&CorsRequest {
        origin: Field::One("https://a.example.org"),
        ..CorsRequest::get("/")
    });
    assert!(d.is_allowed());
}

#[test]
fn star_without_credentials() {
    let p = policy(|s| s.allow_origin = vec!["*".into()]);
    let d =
        p.decide(&CorsRequest { origin: Field::One("https://any.where"), ..CorsRequest::get("/") });
    assert_eq!(d.lines().get("Access-Control-Allow-Origin"), Some("*"));
    // `Origin` is not read under `*`: every actual request gets the same static answer,
    // with no `Vary` (issue 22 #1).
    let expose = policy(|s| {
        s.allow_origin = vec!["*".into()];
        s.expose_headers = vec!["X-Id".into()];
    });
    let answer = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "X-Id")];
    for origin in [
        Field::Absent,
        Field::One("null"),
        Field::Many,
        Field::One("not an origin"),
        Field::One(APP),
    ] {
        let d = expose.decide(&CorsRequest { origin, ..CorsRequest::get("/") });
        assert!(d.is_allowed(), "{origin:?}");
        assert_eq!(d.lines().iter().collect::<Vec<_>>(), answer, "{origin:?}");
    }
    // A preflight varies by what it is asked, never by the origin.
    let preflight = CorsRequest::preflight("/", "https://any.where", "PUT");
    let d = p.decide(&preflight);
    assert_eq!(d.lines().get("Vary"), Some("Access-Control-Request-Method"));
    let refused = p.decide(&CorsRequest::preflight("/", "https://any.where", "PURGE"));
    assert_eq!(refused.refusal(), Some(Refusal::Method));
    assert_eq!(
        refused.lines().iter().collect::<Vec<_>>(),
        [("Vary", "Access-Control-Request-Method")]
    );
}

#[test]
fn star_has_no_regexes_and_no_reflection() {
    let mut star =
        Settings::default().allow_origin(["*"]).allow_origin_regex([r"https://a\.example"]);
    let errors = Policies::compile(&star).unwrap_err();
    assert_eq!(errors.first().key(), Some("allow_origin_regex"));
    star.allow_origin_regex.clear();
    star.allow_all_origin = true;
    let errors = Policies::compile(&star).unwrap_err();
    assert_eq!(errors.first().key(), Some("allow_all_origin"));
    assert!(errors.first().to_string().contains("same static `*`"), "{errors}");
}

#[test]
fn preflight_checks_method_and_headers() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.allow_methods = Some(vec!["GET".into(), "PUT".into()]);
        s.allow_headers = Some(vec!["X-Token".into()]);
        s.max_age = Some(600);
    });
    let ok = CorsRequest {
        request_headers: RequestHeaders::from("x-token"),
        ..CorsRequest::preflight("/", APP, "PUT")
    };
    let d = p.decide(&ok);
    assert!(d.is_allowed() && d.is_preflight());
    assert_eq!(
        d.lines().iter().collect::<Vec<_>>(),
        [
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "X-Token"),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin, Access-Control-Request-Method"),
        ]
    );
    for method in ["DELETE", "put"] {
        let request = CorsRequest::preflight("/", APP, method);
        let refusal = p.decide(&request).refusal();
        assert_eq!(refusal, Some(Refusal::Method));
        let described = refusal.unwrap().describe(&request).to_string();
        assert_eq!(described, format!("method {method:?} is not in allow_methods"));
    }
    let bad = CorsRequest {
        request_headers: RequestHeaders::from("x-token, x-other"),
        ..CorsRequest::preflight("/", APP, "PUT")
    };
    let refusal = p.decide(&bad).refusal();
    assert_eq!(refusal, Some(Refusal::Header { at: 9 }));
    let described = refusal.unwrap().describe(&bad).to_string();
    assert_eq!(described, r#"header "x-other" is not in allow_headers"#);
}

#[test]
fn allow_all_headers_reflects_only_well_formed_lists() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.allow_all_headers = true;
    });
    let req = CorsRequest {
        request_headers: RequestHeaders::from("x-a, x-b"),
        ..CorsRequest::preflight("/", APP, "GET")
    };
    let d = p.decide(&req);
    assert_eq!(d.lines().get("Access-Control-Allow-Headers"), Some("x-a, x-b"));
    assert_eq!(d.lines().get("Vary"), Some(vary::PREFLIGHT_REFLECTING));
    let req = CorsRequest {
        request_headers: RequestHeaders::from("x-a\r\nSet-Cookie: a"),
        ..CorsRequest::preflight("/", APP, "GET")
    };
    assert_eq!(p.decide(&req).refusal(), Some(Refusal::MalformedHeaders));
}

#[test]
fn allow_all_origin_reflects_but_not_null() {
    let p = policy(|s| s.allow_all_origin = true);
    let d =
        p.decide(&CorsRequest { origin: Field::One("https://x.test"), ..CorsRequest::get("/") });
    assert_eq!(d.lines().get("Access-Control-Allow-Origin"), Some("https://x.test"));
    let d = p.decide(&CorsRequest { origin: Field::One("null"), ..CorsRequest::get("/") });
    assert!(!d.is_allowed());
    let p = policy(|s| {
        s.allow_all_origin = true;
        s.allow_origin = vec!["null".into()];
    });
    let d = p.decide(&CorsRequest { origin: Field::One("null"), ..CorsRequest::get("/") });
    assert_eq!(d.lines().get("Access-Control-Allow-Origin"), Some("null"));
}

#[test]
fn regex_is_anchored() {
    let p = policy(|s| s.allow_origin_regex = vec![r"https://[a-z]+\.example\.net".into()]);
    let allowed =
        |o| p.decide(&CorsRequest { origin: Field::One(o), ..CorsRequest::get("/") }).is_allowed();
    assert!(allowed("https://abc.example.net"));
    assert!(!allowed("https://abc.example.net.evil.com"));
    assert!(!allowed("xhttps://abc.example.net"));
}

#[test]
fn always_send_headers_is_verbatim() {
    let p = policy(|s| s.always_send_headers = true);
    let d = p.decide(&CorsRequest::get("/"));
    assert_eq!(
        d.lines().iter().collect::<Vec<_>>(),
        [
            ("Access-Control-Allow-Origin", ""),
            ("Access-Control-Allow-Methods", ""),
            ("Access-Control-Allow-Headers", ""),
            ("Access-Control-Allow-Credentials", ""),
            ("Access-Control-Expose-Headers", ""),
            ("Access-Control-Max-Age", ""),
        ]
    );
    let p = policy(|s| {
        s.always_send_headers = true;
        s.allow_all_origin = true;
        s.allow_all_headers = true;
        s.allow_credentials = Some(false);
    });
    let req = CorsRequest {
        request_headers: RequestHeaders::from("x-a"),
        ..CorsRequest::preflight("/", "https://x.test", "GET")
    };
    let lines = p.decide(&req).lines();
    assert_eq!(lines.get("Access-Control-Allow-Origin"), Some("https://x.test"));
    assert_eq!(lines.get("Access-Control-Allow-Headers"), Some("x-a"));
    assert_eq!(lines.get("Access-Control-Allow-Credentials"), Some("false"));
}

#[test]
fn out_of_scope_paths_get_nothing() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.paths = vec!["/api/**".into()];
    });
    let d = p.decide(&CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/other") });
    assert_eq!(d.verdict(), Verdict::OutOfScope);
    assert!(d.lines().is_empty());
    let d = p.decide(&CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/api/x") });
    assert!(d.is_allowed());
}

#[test]
fn private_network_only_when_asked_and_allowed() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.allow_private_network = true;
    });
    let req =
        CorsRequest { request_private_network: true, ..CorsRequest::preflight("/", APP, "GET") };
    assert_eq!(p.decide(&req).lines().get("Access-Control-Allow-Private-Network"), Some("true"));
    let req = CorsRequest::preflight("/", APP, "GET");
    assert_eq!(p.decide(&req).lines().get("Access-Control-Allow-Private-Network"), None);
}

#[test]
fn refused_configurations() {
    let err = |edit: fn(&mut Settings)| {
        let mut s = Settings::default();
        edit(&mut s);
        Policies::compile(&s).unwrap_err().first().clone()
    };
    let e = err(|s| {
        s.allow_origin = vec!["*".into()];
        s.allow_credentials = Some(true);
    });
    assert_eq!((e.key().unwrap(), e.value.as_str()), ("allow_origin", "*"));
    let e = err(|s| s.allow_origin = vec!["*".into(), APP.into()]);
    assert_eq!(e.value, APP);
    let e = err(|s| s.allow_origin_regex = vec!["(unclosed".into()]);
    assert_eq!(e.key(), Some("allow_origin_regex"));
    let e = err(|s| s.allow_methods = Some(vec!["GE T".into()]));
    assert_eq!(e.key(), Some("allow_methods"));
    let e = err(|s| s.allow_headers = Some(vec!["X:Bad".into()]));
    assert_eq!(e.key(), Some("allow_headers"));
    let e = err(|s| s.preflight_status = 404);
    assert_eq!(e.key(), Some("preflight_status"));
}

#[test]
fn several_regexes_are_each_anchored_to_the_whole_origin() {
    let p = policy(|s| {
        s.allow_origin_regex =
            vec![r"https://(a|b)\.example\.net".into(), r"(?i)https://c\.example\.org".into()];
    });
    let allowed =
        |o| p.decide(&CorsRequest { origin: Field::One(o), ..CorsRequest::get("/") }).is_allowed();
    assert!(allowed("https://a.example.net"));
    assert!(allowed("https://b.example.net"));
    assert!(allowed("https://c.example.org"));
    assert!(!allowed("https://a.example.net.evil.com"));
    assert!(!allowed("https://evil.com/https://b.example.net"));
    assert!(!allowed("https://c.example.org.evil.com"));
    assert!(!allowed("xhttps://a.example.net"));
}

#[test]
fn timing_allow_origin_is_on_every_answer_in_scope_and_static() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.timing_allow_origin = vec!["https://a.example".into(), "https://b.example".into()];
        s.paths = vec!["/api/**".into()];
    });
    let tao = Some("https://a.example, https://b.example");
    let requests = [
        CorsRequest::get("/api/x"),
        CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/api/x") },
        CorsRequest { origin: Field::One("https://evil.example"), ..CorsRequest::get("/api/x") },
        CorsRequest { origin: Field::Many, ..CorsRequest::get("/api/x") },
        CorsRequest::preflight("/api/x", APP, "PUT"),
        CorsRequest::preflight("/api/x", APP, "PURGE"),
    ];
    for request in requests {
        let d = p.decide(&request);
        assert_eq!(d.lines().get("Timing-Allow-Origin"), tao, "{request:?}");
        // Never reflected: the same value whatever the origin.
        assert_eq!(d.lines().iter().filter(|(n, _)| *n == "Timing-Allow-Origin").count(), 1);
    }
    assert_eq!(p.decide(&CorsRequest::get("/other")).lines().len(), 0, "out of scope: nothing");
    // Off: no line, and no-Origin answers stay `Vary` alone.
    let off = policy(|s| s.allow_origin = vec![APP.into()]);
    assert!(off.vary_only_without_origin());
    assert!(!p.vary_only_without_origin());
}

/// The refused name's place is counted across the lines it was sent in, wherever those lines
/// lie in memory: here the second line lies beyond the first, with a gap between them.
#[test]
fn a_refused_header_in_a_later_line_is_named() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.allow_headers = Some(vec!["X-Token".into()]);
    });
    let sent = "x-token, ignored, x-other";
    let mut request_headers = RequestHeaders::from(&sent[..7]);
    request_headers.push(&sent[18..]);
    let bad = CorsRequest { request_headers, ..CorsRequest::preflight("/", APP, "GET") };
    let refusal = p.decide(&bad).refusal();
    assert_eq!(refusal, Some(Refusal::Header { at: 7 }));
    let described = refusal.unwrap().describe(&bad).to_string();
    assert_eq!(described, r#"header "x-other" is not in allow_headers"#);
}

/// Where an answer's lines are static (written without keeping the policies), they are the
/// lines the policy renders, `Timing-Allow-Origin` and the exposed headers included: nothing
/// differs but the cost.
#[test]
fn static_lines_are_the_rendered_lines() {
    let with = |timing: &[&str], any: bool| {
        policy(|s| {
            s.allow_origin = vec![if any { "*" } else { APP }.into()];
            s.timing_allow_origin = timing.iter().map(|t| t.to_string()).collect();
            s.expose_headers = vec!["X-Request-Id".into()];
            s.allow_credentials = Some(!any);
            s.paths = vec!["/api/**".into()];
        })
    };
    let requests = [
        CorsRequest::get("/api/x"),
        CorsRequest::get("/other"),
        CorsRequest { origin: Field::One("https://evil.example"), ..CorsRequest::get("/api/x") },
        CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/api/x") },
        CorsRequest::preflight("/api/x", "https://evil.example", "PUT"),
        CorsRequest::preflight("/api/x", APP, "PURGE"),
    ];
    let mut statics = 0;
    for p in [with(&[], false), with(&["https://a.example"], false), with(&["*"], true)] {
        for request in &requests {
            let (verdict, id) = p.judge(request);
            let policy = p.get(id);
            let rendered: Vec<_> = policy.lines(verdict, request).iter().collect();
            let Some(lines) = policy.static_lines(verdict) else {
                // An allowed preflight, or a preflight refused under `*`.
                assert!(request.is_preflight(), "{request:?}: {verdict:?}");
                continue;
            };
            statics += 1;
            let mut written = Vec::new();
            lines.write(request, |name, value| written.push((name, value)));
            assert_eq!(written, rendered, "{request:?}");
        }
    }
    // Every answer but an allowed preflight and a preflight refused under `*`.
    assert_eq!(statics, 16);
}

/// The original middleware answered as a preflight only an `OPTIONS` that carried
/// `Access-Control-Request-Method`: neither alone makes one.
#[test]
fn always_send_headers_takes_options_with_a_request_method_for_a_preflight() {
    let p = policy(|s| s.always_send_headers = true);
    let preflight = |request: CorsRequest<'_>| match p.judge(&request).0 {
        Verdict::Allowed { preflight, .. } => preflight,
        other => panic!("{other:?}"),
    };
    assert!(preflight(CorsRequest::preflight("/", APP, "PUT")));
    let options = CorsRequest { method: "OPTIONS", ..CorsRequest::get("/") };
    assert!(!preflight(options));
    let get = CorsRequest { request_method: Field::One("PUT"), ..CorsRequest::get("/") };
    assert!(!preflight(get));
}

/// `Access-Control-Allow-Headers` answers a preflight that asks for headers; one that asks
/// for none gets no such line (<https://fetch.spec.whatwg.org/#http-access-control-allow-headers>
/// is read only for the names asked).
#[test]
fn a_preflight_asking_no_headers_gets_no_allow_headers() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.allow_headers = Some(vec!["X-Token".into()]);
    });
    let lines = p.decide(&CorsRequest::preflight("/", APP, "GET")).lines();
    assert_eq!(lines.get("Access-Control-Allow-Headers"), None);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(!lines.is_empty());
    let asked = CorsRequest {
        request_headers: RequestHeaders::from("x-token"),
        ..CorsRequest::preflight("/", APP, "GET")
    };
    let lines = p.decide(&asked).lines();
    assert_eq!(lines.get("Access-Control-Allow-Headers"), Some("X-Token"));
    assert_eq!(lines.len(), 4, "{lines:?}");
}

/// The keys of the warnings a configuration gets, in order.
fn warned(edit: impl FnOnce(&mut Settings)) -> Vec<String> {
    let p = policy(edit);
    p.warnings().iter().map(|w| w.key().unwrap_or_default().to_string()).collect()
}

/// Each warning where it belongs, and not where it does not (cargo mutants found the
/// negative halves untested).
#[test]
fn warnings_about_star_headers_no_origin_and_exposed_cors_headers_are_precise() {
    // `*` without `Authorization`: warned, unless every header is reflected anyway.
    let star = |s: &mut Settings| {
        s.allow_origin = vec![APP.into()];
        s.allow_headers = Some(vec!["*".into()]);
    };
    assert_eq!(warned(star), ["allow_headers"]);
    assert!(
        warned(|s| {
            star(s);
            s.allow_all_headers = true;
        })
        .is_empty()
    );
    // No origin at all: warned, except in the verbatim mode, which judges none.
    assert_eq!(warned(|_| {}), ["allow_origin"]);
    assert!(warned(|s| s.always_send_headers = true).is_empty());
    // Only `Access-Control-*` names are warned about among the exposed headers.
    let expose = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        warned(move |s| {
            s.allow_origin = vec![APP.into()];
            s.expose_headers = names;
        })
    };
    assert!(expose(&["X-Request-Id"]).is_empty());
    assert_eq!(expose(&["X-Request-Id", "Access-Control-Allow-Origin"]), ["expose_headers"]);
}

/// `*` with credentials is read literally by browsers: refused, with a hint that fits the
/// key (`allow_all_headers` exists only for request headers).
#[test]
fn star_with_credentials_is_refused_with_the_hint_of_its_key() {
    for (key, hint) in [("allow_headers", "allow_all_headers"), ("expose_headers", "by name")] {
        let mut settings = Settings {
            allow_origin: vec![APP.into()],
            allow_credentials: Some(true),
            ..Settings::default()
        };
        match key {
            "allow_headers" => settings.allow_headers = Some(vec!["*".into()]),
            _ => settings.expose_headers = vec!["*".into()],
        }
        let errors = Policies::compile(&settings).unwrap_err();
        let error = errors.iter().find(|e| e.key() == Some(key)).expect("refused");
        assert!(error.hint.as_deref().is_some_and(|h| h.contains(hint)), "{error}");
    }
}

/// An offline decision names the named policy that judged it; the base is `None`.
#[test]
fn a_decision_names_its_policy() {
    let partner = Settings {
        paths: vec!["/partner/**".into()],
        allow_origin: vec![APP.into()],
        ..Settings::default()
    };
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.policies.insert("partner".into(), partner);
    });
    let at = |path| p.decide(&CorsRequest { origin: Field::One(APP), ..CorsRequest::get(path) });
    assert_eq!(at("/partner/x").policy(), Some("partner"));
    assert_eq!(at("/api/x").policy(), None);
}

/// A candidate is one policy: nested named policies or a nested candidate are refused,
/// each under its own key.
#[test]
fn a_candidate_holds_no_policies_and_no_candidate() {
    let nested = |edit: fn(&mut Settings)| {
        let mut candidate = Settings { allow_origin: vec![APP.into()], ..Settings::default() };
        edit(&mut candidate);
        let settings = Settings {
            allow_origin: vec![APP.into()],
            report_only: Some(Box::new(candidate)),
            ..Settings::default()
        };
        let errors = Policies::compile(&settings).unwrap_err();
        errors.iter().map(|e| e.key().unwrap_or_default().to_string()).collect::<Vec<_>>()
    };
    let with_policies: fn(&mut Settings) = |c| {
        let inner = Settings { paths: vec!["/x/**".into()], ..Settings::default() };
        c.policies.insert("inner".into(), inner);
    };
    let with_candidate: fn(&mut Settings) = |c| c.report_only = Some(Box::default());
    assert_eq!(nested(with_policies), ["report_only.policies"]);
    assert_eq!(nested(with_candidate), ["report_only.report_only"]);
}

/// The verbatim mode answers one listed origin as written, unless a regex also allows
/// origins (then the request's, when allowed); and it reflects only a well-formed list of
/// requested headers.
#[test]
fn always_send_headers_answers_from_the_list_with_a_regex_and_reflects_only_names() {
    let p = policy(|s| {
        s.always_send_headers = true;
        s.allow_origin = vec![APP.into()];
        s.allow_origin_regex = vec![r"https://[a-z]+\.preview\.example".into()];
    });
    let preview = "https://pr.preview.example";
    let d = p.decide(&CorsRequest { origin: Field::One(preview), ..CorsRequest::get("/") });
    assert_eq!(d.lines().get("Access-Control-Allow-Origin"), Some(preview));
    let p = policy(|s| {
        s.always_send_headers = true;
        s.allow_all_origin = true;
        s.allow_all_headers = true;
    });
    let asked = |list| {
        let request = CorsRequest {
            request_headers: RequestHeaders::from(list),
            ..CorsRequest::preflight("/", APP, "GET")
        };
        p.decide(&request).lines().get("Access-Control-Allow-Headers").map(str::to_string)
    };
    assert_eq!(asked("x-a, x-b").as_deref(), Some("x-a, x-b"));
    assert_eq!(asked("x-a, b@d").as_deref(), Some(""));
}

/// With named policies, the base's "no origin" warning says the named ones still work.
#[test]
fn the_no_origin_warning_mentions_named_policies_when_there_are_some() {
    let message = |named: bool| {
        let p = policy(|s| {
            if named {
                let partner = Settings {
                    paths: vec!["/partner/**".into()],
                    allow_origin: vec![APP.into()],
                    ..Settings::default()
                };
                s.policies.insert("partner".into(), partner);
            }
        });
        let warning = p.warnings().iter().find(|w| w.key() == Some("allow_origin")).cloned();
        warning.expect("warned").message
    };
    assert!(message(true).contains("no named policy judges"), "{}", message(true));
    assert!(!message(false).contains("named policy"), "{}", message(false));
    // Another warning on `allow_origin`, with a value, keeps its own message.
    let partner = Settings {
        paths: vec!["/partner/**".into()],
        allow_origin: vec![APP.into()],
        ..Settings::default()
    };
    let p = policy(|s| {
        s.allow_origin = vec!["http://*.example.com".into()];
        s.allow_credentials = Some(true);
        s.policies.insert("partner".into(), partner);
    });
    let warning = p.warnings().iter().find(|w| w.key() == Some("allow_origin")).unwrap();
    assert!(warning.message.contains("plain-http subdomains"), "{}", warning.message);
}

/// At most `MAX_NAMED_POLICIES` named policies: that many compile, one more is refused.
#[test]
fn the_named_policy_bound_is_inclusive() {
    let with = |n: usize| {
        let mut settings = Settings { allow_origin: vec![APP.into()], ..Settings::default() };
        for i in 0..n {
            let named = Settings { paths: vec![format!("/p{i}/**")], ..Settings::default() };
            settings.policies.insert(format!("p{i}"), named);
        }
        Policies::compile(&settings)
    };
    assert!(with(set::MAX_NAMED_POLICIES).is_ok());
    let errors = with(set::MAX_NAMED_POLICIES + 1).unwrap_err();
    assert!(errors.iter().any(|e| e.key() == Some("policies")), "{errors}");
}

/// A candidate judges only what its policy judges: outside `paths`, nothing.
#[test]
fn a_candidate_decides_nothing_outside_its_policys_paths() {
    let p = policy(|s| {
        s.allow_origin = vec![APP.into()];
        s.paths = vec!["/api/**".into()];
        s.report_only = Some(Box::new(Settings { allow_origin: vec![APP.into()], ..s.clone() }));
    });
    let outside = CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/other") };
    let d = p.decide_report_only(&outside).expect("a candidate");
    assert_eq!(d.verdict(), Verdict::OutOfScope);
    assert!(d.lines().is_empty());
    let inside = CorsRequest { origin: Field::One(APP), ..CorsRequest::get("/api/x") };
    assert!(p.decide_report_only(&inside).expect("a candidate").is_allowed());
}

/// A policy name is what `CORS_POLICIES__<NAME>__<KEY>` can spell: every rule of it.
#[test]
fn policy_names_are_what_a_variable_can_spell() {
    let compiles = |name: &str| {
        let named = Settings { paths: vec!["/p/**".into()], ..Settings::default() };
        let settings = Settings {
            allow_origin: vec![APP.into()],
            policies: [(name.to_string(), named)].into(),
            ..Settings::default()
        };
        Policies::compile(&settings).is_ok()
    };
    for good in ["partner", "p2", "a_b", "x", &"a".repeat(64)] {
        assert!(compiles(good), "{good:?}");
    }
    for bad in ["", "Partner", "a-b", "a__b", "_a", "a_", "a.b", &"a".repeat(65)] {
        assert!(!compiles(bad), "{bad:?}");
    }
    // The hint spells a name that would do.
    let named = Settings { paths: vec!["/p/**".into()], ..Settings::default() };
    let settings = Settings {
        allow_origin: vec![APP.into()],
        policies: [("-Partner--API-".to_string(), named)].into(),
        ..Settings::default()
    };
    let errors = Policies::compile(&settings).unwrap_err();
    let error = errors.iter().find(|e| e.key() == Some("policies")).expect("refused");
    assert_eq!(error.hint.as_deref(), Some("name it `partner_api`"));
}
