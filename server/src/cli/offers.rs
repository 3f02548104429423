//! `canopy offers search`: the `vastai search offers` query language, from scripts.

use clap::{Args, Subcommand};

use app::domain::offer::{Offer, offers_from_value};
use app::domain::query::{SearchRequest, build_search_request_from_args};

use crate::cli::GlobalArgs;
use crate::error::CanopyError;
use crate::market::VastMarketplace;
use crate::vast::SearchQuery;

#[derive(Subcommand, Debug)]
pub enum OffersCommand {
    /// Search offers: `canopy offers search 'QUERY' [-o ORDER] [--type T] [--storage GB]
    /// [--limit N] [-n] [--raw] [--explain]`, with exactly the grammar and flags of
    /// `vastai search offers`.
    Search(SearchArgs),
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Print the offers as JSON (like `vastai --raw`) instead of a table.
    #[arg(long)]
    pub raw: bool,
    /// Print the exact JSON body the search sends, without sending it.
    #[arg(long)]
    pub explain: bool,
    /// The query and the vastai flags (`-o`, `-n`, `--type`, `--storage`, `--limit`, …).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "QUERY AND FLAGS"
    )]
    pub args: Vec<String>,
}

pub async fn run(global: &GlobalArgs, command: OffersCommand) -> Result<(), CanopyError> {
    match command {
        OffersCommand::Search(args) => search(global, args).await,
    }
}

async fn search(global: &GlobalArgs, args: SearchArgs) -> Result<(), CanopyError> {
    // `--raw`/`--explain` may also come after the query, as with vastai's own flags.
    let mut raw = args.raw;
    let mut explain = args.explain;
    let rest: Vec<&str> = args
        .args
        .iter()
        .map(String::as_str)
        .filter(|a| match *a {
            "--raw" => {
                raw = true;
                false
            }
            "--explain" => {
                explain = true;
                false
            }
            _ => true,
        })
        .collect();
    let request: SearchRequest = build_search_request_from_args(&rest)
        .map_err(|e| CanopyError::Input(format!("invalid query: {e}")))?;
    if explain {
        println!("{}", request.body_text());
        return Ok(());
    }
    let body = request.body_value();
    let query = SearchQuery(body.as_object().cloned().unwrap_or_default());
    let market = VastMarketplace::start(&global.marketplace(), global.vast_url.as_deref())
        .await
        .map_err(CanopyError::Simulator)?;
    let offers = market
        .client()
        .search_offers(&query)
        .await
        .map_err(CanopyError::Vast)?;
    let json = serde_json::to_value(&offers).map_err(|e| CanopyError::Input(e.to_string()))?;
    if raw {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| CanopyError::Input(e.to_string()))?
        );
        return Ok(());
    }
    let parsed = offers_from_value(json).map_err(|e| CanopyError::Input(e.to_string()))?;
    print_table(&parsed.offers);
    Ok(())
}

fn print_table(offers: &[Offer]) {
    println!(
        "{:>10} {:>3} {:<18} {:>7} {:>8} {:>8} {:>6} {:>8}  Location",
        "ID", "N", "GPU", "VRAM GB", "$/h", "DLPerf", "Rel", "Net Mb/s"
    );
    for o in offers {
        let num =
            |v: Option<f64>, prec: usize| v.map_or("-".to_string(), |x| format!("{x:.prec$}"));
        println!(
            "{:>10} {:>3} {:<18} {:>7} {:>8} {:>8} {:>6} {:>8}  {}",
            o.id,
            o.num_gpus,
            truncate(&o.gpu_name, 18),
            num(o.gpu_ram_gib(), 0),
            num(o.dph_total, 3),
            num(o.dlperf, 1),
            num(o.reliability(), 3),
            num(o.inet_down, 0),
            o.geolocation
        );
    }
    println!("{} offers", offers.len());
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}
