//! The Offers page's work over 20,000 offers (issue "Offers page … Speed"):
//!
//! - `in_process`: vastai query → exact body → the simulator's filter/order over
//!   20,000 raw offers → typed offers → gate + rank + one page of rows. No HTTP.
//! - `page_end_to_end`: `GET /offers?q=…` on the real app (private Postgres,
//!   in-process simulator with 20,000 offers): server fn, marketplace over HTTP,
//!   gate, rank and the server-rendered HTML.
//!
//! The real `vastai` CLI's time for the same search is measured by
//! `scripts/bench-vastai-cli.sh`. Run: `cargo bench -p server --bench offers_pipeline`.

use std::sync::OnceLock;

use app::domain::offer::offers_from_value;
use app::domain::offer_search::{OffersForm, rank_and_view};
use app::domain::query::build_search_request_for;
use serde_json::{Map, Value};
use server::vast::sim::OfferSource;
use server::vast::sim::filter::{parse_query, search};
use server::vast::sim::offers::build_offers;

const OFFERS: usize = 20_000;
/// The same search as `scripts/bench-vastai-cli.sh`'s `rtx4090_2plus` case.
const QUERY: &str = "gpu_name=RTX_4090 num_gpus>=2";

fn main() {
    divan::main();
}

fn book() -> &'static Vec<Map<String, Value>> {
    static BOOK: OnceLock<Vec<Map<String, Value>>> = OnceLock::new();
    BOOK.get_or_init(|| {
        build_offers(&OfferSource::Embedded, Some(OFFERS), 42, 0.0).expect("offers")
    })
}

fn form() -> OffersForm {
    OffersForm {
        q: QUERY.to_string(),
        ..OffersForm::default()
    }
}

#[divan::bench]
fn in_process(bencher: divan::Bencher) {
    let book = book();
    bencher.bench(|| {
        let plan = form().check().plan().expect("valid form");
        let body = build_search_request_for(&plan.query, &plan.options)
            .expect("valid query")
            .body_value();
        let query = parse_query(body.as_object().expect("object")).expect("sim query");
        let hits = search(book, &query, 0.0);
        let offers = offers_from_value(Value::Array(hits.into_iter().map(Value::Object).collect()))
            .expect("offers")
            .offers;
        rank_and_view(&offers, &plan).rows.len()
    });
}

struct Served {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    url: String,
    _cluster: server::db::embedded::EmbeddedPostgres,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        // SAFETY: set before the runtime (and any other thread) starts.
        unsafe { std::env::set_var("CANOPY_SIM_OFFERS", OFFERS.to_string()) };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (url, cluster) = runtime.block_on(async {
            let dir = std::env::temp_dir().join(format!("canopy-bench-pg-{}", std::process::id()));
            let cluster = server::db::embedded::EmbeddedPostgres::start(&dir)
                .await
                .expect("private cluster");
            cluster.ensure_database("bench").await.expect("database");
            let pool = server::db::connect(cluster.connect_options("bench"))
                .await
                .expect("pool");
            let database =
                server::db::Database::from_pool(pool, app::domain::status::DatabaseMode::Embedded)
                    .await
                    .expect("migrations");
            let app = server::startup::Application::build_with_database(
                "127.0.0.1:0".parse().expect("literal"),
                database,
                &server::config::MarketplaceConfig::Simulated,
            )
            .await
            .expect("app");
            let url = format!(
                "http://{}/offers?q={}",
                app.local_addr(),
                QUERY
                    .replace(' ', "+")
                    .replace('=', "%3D")
                    .replace('>', "%3E")
            );
            tokio::spawn(app.run_until(std::future::pending()));
            (url, cluster)
        });
        Served {
            runtime,
            client: reqwest::Client::new(),
            url,
            _cluster: cluster,
        }
    })
}

#[divan::bench]
fn page_end_to_end(bencher: divan::Bencher) {
    let served = served();
    bencher.bench(|| {
        served.runtime.block_on(async {
            let response = served.client.get(&served.url).send().await.expect("GET");
            assert!(response.status().is_success());
            response.text().await.expect("body").len()
        })
    });
}
