//! Search over 20,000 offers through the HTTP simulator with Canopy's own client
//! (issue: "a benchmark for a search over 20,000 offers through the HTTP simulator").
//! The real `vastai` CLI's time for the same searches is measured by
//! `scripts/bench-vastai-cli.sh` against a standalone `canopy sim --offers 20000`.
//!
//! Run: `cargo bench -p server --bench sim_search`.

use std::sync::OnceLock;

use server::vast::{ApiKey, SearchQuery, SimConfig, SimHandle, Simulator, VastClient};

fn main() {
    divan::main();
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    client: VastClient,
    _sim: SimHandle,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let (client, sim) = runtime.block_on(async {
            let config = SimConfig {
                offers: Some(20_000),
                ..SimConfig::default()
            };
            let sim = Simulator::new(config).expect("simulator");
            let handle = sim
                .spawn("127.0.0.1:0".parse().expect("literal"))
                .await
                .expect("bind loopback");
            let client =
                VastClient::new(handle.base_url(), Some(ApiKey::new("bench"))).expect("client");
            (client, handle)
        });
        Fixture {
            runtime,
            client,
            _sim: sim,
        }
    })
}

/// The same searches `scripts/bench-vastai-cli.sh` gives the real CLI, as its arguments;
/// the bodies come from Canopy's query language, which the conformance test proves
/// byte-identical to the CLI's.
const QUERIES: [(&str, &[&str]); 3] = [
    (
        "rtx4090_2plus",
        &["gpu_name=RTX_4090 num_gpus>=2", "-o", "dph"],
    ),
    ("default_query", &[]),
    (
        "vram_48_reliable",
        &[
            "gpu_ram>=48 reliability>=0.98",
            "-o",
            "dph",
            "--storage",
            "50",
            "--limit",
            "100",
        ],
    ),
];

#[divan::bench(args = QUERIES.map(|(name, _)| name))]
fn search_20k(bencher: divan::Bencher, name: &str) {
    let fixture = fixture();
    let args = QUERIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
        .expect("known query");
    let body = app::domain::query::build_search_request_from_args(args)
        .expect("valid query")
        .body_value();
    let query = SearchQuery(body.as_object().cloned().expect("a JSON object"));
    bencher.bench(|| {
        fixture
            .runtime
            .block_on(fixture.client.search_offers(&query))
            .expect("search succeeds")
            .len()
    });
}
