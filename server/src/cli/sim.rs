//! `canopy sim`: the marketplace simulator as a standalone server.

use std::net::SocketAddr;

use clap::Args;

use crate::error::CanopyError;
use crate::market::simulator_with_hosts;
use crate::vast::SimConfig;

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Address to listen on (keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:6100")]
    pub addr: SocketAddr,
    /// Size of the offer book: the real captured offers, scaled up deterministically.
    #[arg(long)]
    pub offers: Option<usize>,
    /// Seed of the offer generator (same seed, same offers).
    #[arg(long)]
    pub seed: Option<u64>,
}

pub async fn run(args: SimArgs) -> Result<(), CanopyError> {
    // Environment knobs first (CANOPY_SIM_SPEED, CANOPY_SIM_FAULTS, CANOPY_SIM_API_KEY, …),
    // then the flags, which win.
    let mut config = SimConfig::from_env();
    if args.offers.is_some() {
        config.offers = args.offers;
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let sim = simulator_with_hosts(config).map_err(CanopyError::Simulator)?;
    sim.serve(args.addr).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            CanopyError::AddrInUse { addr: args.addr }
        } else {
            CanopyError::Bind {
                addr: args.addr,
                source,
            }
        }
    })
}
