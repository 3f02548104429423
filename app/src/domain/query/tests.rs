use super::*;

/// Captured from the real `vastai` 1.9.1 on loopback (`scripts/vastai-query-diff.sh --write-fixture`).
const CLI_BODIES: &str = include_str!("testdata/cli_bodies.json");

fn entries() -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(CLI_BODIES).expect("fixture is JSON");
    v["entries"].as_array().cloned().expect("entries array")
}

fn entry_args(e: &serde_json::Value) -> Vec<String> {
    let mut args = Vec::new();
    let q = e["query"].as_str().unwrap_or("");
    if !q.is_empty() {
        args.push(q.to_string());
    }
    for f in e["flags"].as_array().into_iter().flatten() {
        args.push(f.as_str().unwrap_or("").to_string());
    }
    args
}

#[test]
fn corpus_matches_real_cli() {
    let entries = entries();
    assert!(entries.len() >= 40, "corpus too small: {}", entries.len());
    let mut failures = Vec::new();
    for e in &entries {
        let id = e["id"].as_str().unwrap_or("?");
        let args = entry_args(e);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let ours = build_search_request_from_args(&refs);
        match (&e["request"], ours) {
            (serde_json::Value::Null, Ok(req)) => failures.push(format!(
                "{id}: CLI refused ({}) but we built {}",
                e["cli_error"],
                req.body_text()
            )),
            (serde_json::Value::Null, Err(err)) => {
                if e["cli_error"]["kind"] == "error" {
                    let want = e["cli_error"]["message"].as_str().unwrap_or("");
                    if err.cli_message.as_deref() != Some(want) {
                        failures.push(format!(
                            "{id}: CLI said {want:?}, we said {:?} ({err})",
                            err.cli_message
                        ));
                    }
                }
            }
            (want, Err(err)) => failures.push(format!(
                "{id}: CLI sent {} but we failed: {err}",
                want["body_raw"]
            )),
            (want, Ok(req)) => {
                if want["method"] != req.method || want["path"] != req.path {
                    failures.push(format!(
                        "{id}: endpoint {} {} vs ours {} {}",
                        want["method"], want["path"], req.method, req.path
                    ));
                }
                // Compare through the same JSON parser on both sides (serde_json's default float
                // parsing is not always correctly rounded, so parse our rendering too).
                let ours_v: serde_json::Value = serde_json::from_str(
                    &serde_json::to_string(&req.body_value()).unwrap_or_default(),
                )
                .unwrap_or_default();
                if want["body"] != ours_v {
                    failures.push(format!(
                        "{id}: body differs\n  cli : {}\n  ours: {}",
                        want["body_raw"],
                        req.body_text()
                    ));
                } else if want["body_raw"].as_str() != Some(req.body_text().as_str()) {
                    failures.push(format!(
                        "{id}: bytes differ\n  cli : {}\n  ours: {}",
                        want["body_raw"],
                        req.body_text()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} entries differ:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_warnings_match_cli() {
    for e in entries() {
        let q = e["query"].as_str().unwrap_or("");
        let Ok(parsed) = Query::parse(q) else {
            continue;
        };
        if e["request"].is_null() {
            continue;
        }
        let want: Vec<String> = e["cli_warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|w| w.as_str())
            .filter_map(|w| w.strip_prefix("Warning: Unrecognized field: "))
            .filter_map(|w| w.strip_suffix(", see list of recognized fields."))
            .map(str::to_string)
            .collect();
        let mut got = parsed.unknown_fields();
        let mut want_dedup = want.clone();
        want_dedup.dedup();
        got.dedup();
        assert_eq!(got, want_dedup, "{}", e["id"]);
    }
}

#[test]
fn error_positions_and_words() {
    let e = Query::parse("num_gpus=1 gpu_ram=>24").unwrap_err();
    assert_eq!(e.code(), "unknown_operator");
    assert_eq!(e.pos, 18);
    assert_eq!(e.to_string(), "unknown operator '=>' at 19");

    let e = Query::parse("  num_gpus=1 & x=2").unwrap_err();
    assert_eq!(e.code(), "unconsumed_text");
    assert_eq!(e.pos, 13);
    assert!(e.to_string().contains("'&' at 14"), "{e}");

    let e = Query::parse("gpu_ram>=abc").unwrap_err();
    assert_eq!(e.to_string(), "'gpu_ram' needs a number, got 'abc' at 10");

    let e = Query::parse("num_gpus").unwrap_err();
    assert_eq!(e.to_string(), "missing operator after 'num_gpus' at 9");

    let e = build_search_body("cpu_ram>1e306", &SearchOptions::default()).unwrap_err();
    assert_eq!(e.code(), "non_finite");
}

#[test]
fn options_from_args() {
    let (q, o) = parse_search_args(&[
        "gpu_name=RTX_4090",
        "-nb",
        "--lim",
        "5",
        "--storage=30",
        "-odph-",
    ])
    .unwrap();
    assert_eq!(q, "gpu_name=RTX_4090");
    assert!(o.no_default);
    assert_eq!(o.offer_type, OfferType::Bid);
    assert_eq!(o.limit, Some(5));
    assert_eq!(o.storage_gb, 30.0);
    assert_eq!(o.order, "dph-");
    assert!(parse_search_args(&["--limit", "x"]).is_err());
    assert!(parse_search_args(&["--limit"]).is_err());
    assert!(parse_search_args(&["--bogus"]).is_err());
    assert_eq!(
        parse_order(" dph , -score,+x-"),
        vec![
            ("dph_total".to_string(), Direction::Asc),
            ("score".to_string(), Direction::Desc),
            ("x-".to_string(), Direction::Asc),
        ]
    );
    assert_eq!(render_order(&parse_order("dph,score-")), "dph_total,score-");
}

#[test]
fn form_editing_round_trips() {
    let mut q =
        Query::parse("gpu_ram>=24 num_gpus=1 dph<0.5 gpu_name in [RTX_4090,RTX_3090]").unwrap();
    assert_eq!(q.terms_for("dph_total").count(), 1);
    q.set_field(
        "num_gpus",
        vec![(Op::Gte, Value::text("2")), (Op::Lte, Value::text("4"))],
    );
    q.set_field("verified", vec![(Op::Eq, Value::Any)]);
    q.set_field(
        "driver_version",
        vec![(Op::Gte, Value::driver("535.86.05").unwrap())],
    );
    q.remove_field("dph");
    let text = q.render();
    assert_eq!(
        text,
        "gpu_ram>=24 num_gpus>=2 num_gpus<=4 gpu_name in [RTX_4090,RTX_3090] verified=any driver_version>=535.86.5"
    );
    let body = build_search_body(&text, &SearchOptions::default()).unwrap();
    assert_eq!(
        body["num_gpus"],
        serde_json::json!({"gte": "2", "lte": "4"})
    );
    assert_eq!(
        body["driver_version"],
        serde_json::json!({"gte": 535086005})
    );
    assert!(body.get("verified").is_none());
    assert!(body.get("dph_total").is_none());
    assert_eq!(Query::parse(&text).unwrap().render(), text);
    // Values that need quoting survive.
    let mut q = Query::default();
    q.set_field("mobo_name", vec![(Op::Eq, Value::text("any"))]);
    q.set_field("cpu_name", vec![(Op::Eq, Value::text("[x"))]);
    let again = Query::parse(&q.render()).unwrap();
    assert_eq!(
        again.terms.iter().map(|t| &t.value).collect::<Vec<_>>(),
        q.terms.iter().map(|t| &t.value).collect::<Vec<_>>()
    );
}

#[test]
fn form_bounds_and_lists() {
    let mut q =
        Query::parse("gpu_ram>=24 gpu_ram<80 dph<=1.5 gpu_name in [RTX_4090,RTX_3090] num_gpus=2")
            .unwrap();
    assert_eq!(q.bounds("gpu_ram"), (Some(24.0), Some(80.0)));
    assert_eq!(q.bounds("dph_total"), (None, Some(1.5)));
    assert_eq!(q.bounds("num_gpus"), (Some(2.0), Some(2.0)));
    assert_eq!(q.one_of("gpu_name"), ["RTX 4090", "RTX 3090"]);
    q.set_bounds("gpu_ram", Some(40.0), None);
    q.set_bounds("num_gpus", Some(1.0), Some(4.0));
    q.set_bounds("dph", None, None);
    q.set_one_of("gpu_name", &["H100 SXM"]);
    q.set_bounds("reliability", Some(0.98), Some(f64::NAN));
    let text = q.render();
    assert_eq!(
        text,
        "gpu_ram>=40 gpu_name=H100_SXM num_gpus>=1 num_gpus<=4 reliability>=0.98"
    );
    let body = build_search_body(&text, &SearchOptions::default()).unwrap();
    assert_eq!(body["gpu_ram"], serde_json::json!({"gte": 40000.0}));
    assert_eq!(body["gpu_name"], serde_json::json!({"eq": "H100 SXM"}));
    q.set_one_of("gpu_name", &["A100 SXM4", "A100 PCIE"]);
    assert!(q.render().contains("gpu_name in [A100_SXM4,A100_PCIE]"));
}

mod prop {
    use super::super::*;
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Eq),
            Just(Op::Neq),
            Just(Op::Gt),
            Just(Op::Gte),
            Just(Op::Lt),
            Just(Op::Lte),
            Just(Op::In),
            Just(Op::NotIn)
        ]
    }

    fn term() -> impl Strategy<Value = Term> {
        let field = prop_oneof![
            Just("num_gpus"),
            Just("gpu_name"),
            Just("dph"),
            Just("geolocation"),
            Just("reliability"),
            Just("verified"),
            Just("mobo_name")
        ];
        let text = "[A-Za-z0-9.\\-]{1,8}( [A-Za-z0-9]{1,4})?";
        (
            field,
            op(),
            text,
            proptest::collection::vec("[A-Za-z0-9.\\-]{1,6}", 1..4),
        )
            .prop_map(|(f, op, t, l)| {
                let value = if op.is_list() {
                    Value::List(l)
                } else {
                    Value::Text(t)
                };
                Term::new(f, op, value)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Rendering then parsing gives back the same terms (and so the same body).
        #[test]
        fn render_parse_round_trip(terms in proptest::collection::vec(term(), 0..6)) {
            let q = Query { terms };
            let text = q.render();
            let back = Query::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            let strip = |q: &Query| q.terms.iter().map(|t| (t.field.clone(), t.op, t.value.clone())).collect::<Vec<_>>();
            prop_assert_eq!(strip(&back), strip(&q), "{}", text);
        }

        /// Arbitrary input never panics; errors point inside the text.
        #[test]
        fn never_panics(s in "\\PC{0,40}", flags in proptest::collection::vec("-{0,2}[a-z=0-9.]{0,6}", 0..4)) {
            if let Err(e) = Query::parse(&s) {
                prop_assert!(e.pos <= s.chars().count());
            }
            let mut args: Vec<&str> = vec![s.as_str()];
            args.extend(flags.iter().map(String::as_str));
            let _ = build_search_request_from_args(&args);
        }

        /// Grammar-shaped noise never panics either.
        #[test]
        fn grammar_noise(s in "([a-z_]{1,6}( ?(=|>=|<|!=|=>| in | not in | nin ) ?)?(\\[[a-z,_ ]{0,6}\\]|\"[a-z _]{0,5}\"|[a-z0-9._]{0,5})? ?){0,5}") {
            let _ = build_search_body(&s, &SearchOptions::default());
        }
    }
}
