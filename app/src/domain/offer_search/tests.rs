use super::*;

fn form(q: &str) -> OffersForm {
    OffersForm {
        q: q.to_string(),
        ..OffersForm::default()
    }
}

fn offer(id: u64, name: &str, vram_mib: f64, dlperf: f64, dph: f64) -> Offer {
    Offer {
        id,
        machine_id: id * 10,
        gpu_name: name.to_string(),
        num_gpus: 1,
        gpu_ram: Some(vram_mib),
        compute_cap: Some(890.0),
        cpu_ram: Some(128.0 * 1024.0),
        gpu_frac: Some(1.0),
        disk_space: Some(500.0),
        reliability2: Some(0.995),
        direct_port_count: Some(10.0),
        rentable: Some(true),
        dlperf: Some(dlperf),
        dph_base: Some(dph),
        storage_cost: Some(0.1),
        geolocation: "Oregon, US".into(),
        ..Offer::default()
    }
}

fn view_for(f: &OffersForm, offers: &[Offer]) -> OffersView {
    let plan = f.check().plan().expect("a valid form");
    rank_and_view(offers, &plan)
}

#[test]
fn untouched_filters_keep_the_query_text_exactly() {
    let mut f = form("gpu_ram>=24   num_gpus=1");
    f.was = Filters::of_query(&Query::parse(&f.q).unwrap());
    f.filters = f.was.clone();
    let c = f.check();
    assert_eq!(c.query_text, "gpu_ram>=24   num_gpus=1");
    assert_eq!(c.filters.min_vram, "24");
    assert_eq!(c.filters.num_gpus, "1");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
}

#[test]
fn an_edited_filter_rewrites_its_terms_in_the_query() {
    let mut f = form("gpu_ram>=24 reliability>0.9");
    f.was = Filters::of_query(&Query::parse(&f.q).unwrap());
    f.filters = f.was.clone();
    f.filters.min_vram = "48".into();
    f.filters.gpu = "RTX_4090, A100 SXM4".into();
    f.filters.max_dph = "1.5".into();
    let c = f.check();
    assert_eq!(
        c.query_text,
        "gpu_ram>=48 reliability>0.9 gpu_name in [RTX_4090,A100_SXM4] dph_total<=1.5"
    );
    assert_eq!(c.filters.gpu, "RTX 4090, A100 SXM4");
    // Clearing a filter removes its terms.
    let mut g = form(&c.query_text);
    g.was = c.filters.clone();
    g.filters = c.filters.clone();
    g.filters.min_vram.clear();
    assert_eq!(
        g.check().query_text,
        "reliability>0.9 gpu_name in [RTX_4090,A100_SXM4] dph_total<=1.5"
    );
}

#[test]
fn bad_filter_numbers_are_field_errors_and_leave_the_query() {
    let mut f = form("num_gpus=1");
    f.filters.min_vram = "lots".into();
    f.filters.min_rel = "98".into();
    f.filters.num_gpus = "1".into();
    f.was.num_gpus = "1".into();
    let c = f.check();
    assert_eq!(c.query_text, "num_gpus=1");
    assert!(c.error_for("min_vram").unwrap().contains("'lots'"));
    assert!(c.error_for("min_rel").unwrap().contains("between 0 and 1"));
    assert!(c.plan().is_err());
}

#[test]
fn a_bad_query_gives_its_position_and_no_plan() {
    let c = form("gpu_ram>=24 num_gpus=>2").check();
    let e = c.query_error().expect("an error");
    assert_eq!(e.code, "unknown_operator");
    assert_eq!(e.column, 21);
    assert!(e.message.contains("at 21"), "{}", e.message);
    match c.plan() {
        Err(InvalidForm { query_error, .. }) => assert_eq!(query_error, Some(e)),
        other => panic!("{other:?}"),
    }
    // A value that parses but cannot be sent (gpu_ram needs a number) is an error too.
    let c = form("gpu_ram>=lots").check();
    assert_eq!(c.query_error().unwrap().code, "not_a_number");
}

#[test]
fn profile_problems_are_keyed_by_form_field() {
    let mut f = form("");
    f.profile.params_b = "seven".into();
    f.profile.seq_len = "0".into();
    f.profile.mode = "qlora".into();
    f.profile.precision = "bf16".into();
    f.profile.optimizer = "adam".into();
    let c = f.check();
    assert!(
        c.error_for("params_b")
            .unwrap()
            .contains("'seven' is not a number")
    );
    assert!(c.error_for("seq_len").unwrap().contains("at least 1 token"));
    assert!(
        c.error_for("precision")
            .unwrap()
            .contains("QLoRA loads the base model in 4-bit")
    );
    assert!(
        c.error_for("optimizer")
            .unwrap()
            .contains("unknown choice 'adam'")
    );
    assert!(c.profile.is_none());
}

#[test]
fn profile_fields_round_trip() {
    let p = RunProfile {
        params_b: 70.0,
        mode: RunMode::QLora,
        precision: Precision::Bit4,
        optimizer: Optimizer::AdamW8bit,
        seq_len: 4096,
        micro_batch: 2,
        dataset_gb: 3.5,
        checkpoints_kept: 3,
        image_gb: 20.0,
        ..RunProfile::default()
    };
    let fields = ProfileFields::from_profile(&p);
    assert_eq!(fields.params_b, "70");
    assert_eq!(fields.parse(1), Ok(p));
}

#[test]
fn options_default_to_the_profile_disk_and_a_useful_limit() {
    let c = form("").check();
    let o = c.options.expect("options");
    let disk = RunProfile::default().disk().total_gb.ceil();
    assert_eq!(o.storage_gb, disk);
    assert_eq!(o.limit, Some(DEFAULT_LIMIT));
    assert_eq!(o.order, "score-");
    let mut f = form("");
    f.limit = "0".into();
    f.storage = "-3".into();
    f.offer_type = "spot".into();
    let c = f.check();
    assert!(c.error_for("limit").is_some());
    assert!(c.error_for("storage").is_some());
    assert!(c.error_for("type").is_some());
}

#[test]
fn the_num_gpus_filter_sets_the_gpus_the_run_uses() {
    let c = form("num_gpus=2").check();
    assert_eq!(c.profile.unwrap().gpus, 2);
}

#[test]
fn view_counts_every_verdict_and_paginates() {
    // 7B LoRA bf16 needs ≈ 15.8 GiB: 24 GiB cards fit, 12 GiB are "no", 17 GiB "tight".
    let mut offers = Vec::new();
    for i in 0..30 {
        offers.push(offer(i, "RTX 4090", 24564.0, 80.0 + i as f64, 0.4));
    }
    offers.push(offer(100, "RTX 3060", 12288.0, 30.0, 0.1));
    offers.push(offer(101, "Odd", 17408.0, 30.0, 0.1));
    let f = form("");
    let v = view_for(&f, &offers);
    assert_eq!(v.total, 32);
    assert_eq!(
        v.counts,
        VerdictCounts {
            fits: 30,
            tight: 1,
            no: 1
        }
    );
    assert_eq!(v.rows.len(), PAGE_SIZE);
    assert_eq!(
        v.page,
        PageInfo {
            page: 1,
            pages: 2,
            page_size: PAGE_SIZE,
            first: 1,
            last: 25
        }
    );
    // Ranked: fits first, best DLPerf per $ first.
    assert_eq!(v.rows[0].id, 29);
    assert_eq!(v.rows[0].fit, Fit::Fits);
    assert!(
        v.rows[0].per_dollar.ends_with("DLPerf per $/h"),
        "{}",
        v.rows[0].per_dollar
    );
    assert_eq!(v.rows[0].smoke, "—");
    assert!(v.rows[0].dph.starts_with("$0.4"), "{}", v.rows[0].dph);
    assert!(
        v.vram_formula.contains("≈ 15.8 GiB per GPU"),
        "{}",
        v.vram_formula
    );
    assert!(
        v.request_body.contains("\"limit\": 1000"),
        "{}",
        v.request_body
    );
    assert!(
        v.cli_command
            .starts_with("vastai search offers '' -o 'score-'")
    );

    let mut f2 = f.clone();
    f2.page = "9".into();
    let v2 = view_for(&f2, &offers);
    assert_eq!(v2.page.page, 2, "clamped to the last page");
    assert_eq!(v2.rows.len(), 7);
    let last = v2.rows.last().unwrap();
    assert_eq!(last.fit, Fit::No);
    assert_eq!(last.reasons[0].fit, Fit::No, "problems come first");
    assert!(
        last.summary
            .starts_with("no: needs ≈ 16 GiB VRAM per GPU, has 12"),
        "{}",
        last.summary
    );
}

#[test]
fn view_sorts_by_a_column_with_unknowns_last() {
    let mut offers = vec![
        offer(1, "A", 24564.0, 50.0, 0.9),
        offer(2, "B", 24564.0, 60.0, 0.2),
        offer(3, "C", 24564.0, 70.0, 0.5),
    ];
    offers[1].dlperf = None;
    let mut f = form("");
    f.sort = "dph".into();
    let ids: Vec<u64> = view_for(&f, &offers).rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![2, 3, 1]);
    f.dir = "desc".into();
    let ids: Vec<u64> = view_for(&f, &offers).rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![1, 3, 2]);
    f.sort = "dlperf".into();
    f.dir.clear();
    let ids: Vec<u64> = view_for(&f, &offers).rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![3, 1, 2], "descending by default, unknown last");
}

#[test]
fn form_reads_a_url_query() {
    let pairs = [
        ("q", "num_gpus=1"),
        ("min_vram", "24"),
        ("was_min_vram", ""),
        ("params_b", "13"),
        ("type", "bid"),
    ];
    let f = OffersForm::from_lookup(|k| {
        pairs
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    });
    assert_eq!(f.filters.min_vram, "24");
    assert_eq!(f.offer_type, "bid");
    assert_eq!(f.profile.params_b, "13");
    let c = f.check();
    assert_eq!(c.query_text, "num_gpus=1 gpu_ram>=24");
    assert_eq!(
        f.canonical_pairs(&c.query_text),
        vec![
            ("q", "num_gpus=1 gpu_ram>=24".to_string()),
            ("type", "bid".to_string()),
            ("params_b", "13".to_string()),
        ]
    );
}
