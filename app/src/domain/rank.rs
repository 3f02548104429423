//! Ranking offers by expected throughput per dollar.
//!
//! Throughput per GPU comes from, in order of trust:
//! 1. the team's measurement on this machine (`machine_id`),
//! 2. the team's measurement on this GPU model (`gpu_name`),
//! 3. Vast's DLPerf per GPU (`dlperf / num_gpus`), converted to steps/s with a calibration taken
//!    from the measurements (steps/s per DLPerf point, EXPECTATIONS §2 step 1) when there is one,
//! 4. TFLOPS per GPU, turned into DLPerf-equivalents with the batch's own dlperf/TFLOPS ratio.
//!
//! Offer throughput = per-GPU × GPUs used × scaling efficiency (1 GPU: 1.0; NVLink: 0.9;
//! PCIe only: 0.75). Price = compute $/h + storage for the disk the run allocates
//! (storage_cost × GB ÷ 720), or the minimum bid for interruptible. Without a calibration the
//! ranking is still right (DLPerf units per $), but steps/s and the smoke-run $ are unknown.
//!
//! [`rank`] allocates one `Vec` for the whole batch (no per-offer allocation); 20,000 offers
//! take a few milliseconds.

use std::collections::HashMap;

use crate::domain::gate::{Fit, Gate};
use crate::domain::offer::Offer;

/// The team's measured throughput for this workload: steps per second PER GPU.
pub trait ThroughputSource {
    /// Measured on this very machine.
    fn by_machine(&self, machine_id: u64) -> Option<f64>;
    /// Measured on this GPU model (Vast spelling, e.g. `RTX 4090`).
    fn by_gpu(&self, gpu_name: &str) -> Option<f64>;
    /// Steps/s per DLPerf point (per GPU), if the measurements allow converting specs.
    fn steps_per_dlperf(&self) -> Option<f64>;
}

/// A lookup table of measurements; the simplest [`ThroughputSource`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeasuredThroughput {
    /// machine_id → steps/s per GPU.
    pub machines: HashMap<u64, f64>,
    /// gpu_name → steps/s per GPU.
    pub gpus: HashMap<String, f64>,
    /// (steps/s per GPU, DLPerf per GPU of the offer it was measured on) pairs for calibration.
    pub calibration_points: Vec<(f64, f64)>,
}

impl MeasuredThroughput {
    /// Record a measurement of `steps_per_sec` on `offer` (all its GPUs running).
    pub fn record(&mut self, offer: &Offer, steps_per_sec: f64) {
        if !steps_per_sec.is_finite() || steps_per_sec <= 0.0 {
            return;
        }
        let per_gpu = steps_per_sec / f64::from(offer.gpus()) / scaling(offer, offer.gpus());
        self.machines.insert(offer.machine_id, per_gpu);
        self.gpus.insert(offer.gpu_name.clone(), per_gpu);
        if let Some(d) = offer.dlperf.filter(|d| *d > 0.0) {
            self.calibration_points
                .push((per_gpu, d / f64::from(offer.gpus())));
        }
    }
}

impl ThroughputSource for MeasuredThroughput {
    fn by_machine(&self, machine_id: u64) -> Option<f64> {
        self.machines.get(&machine_id).copied()
    }

    fn by_gpu(&self, gpu_name: &str) -> Option<f64> {
        self.gpus.get(gpu_name).copied()
    }

    fn steps_per_dlperf(&self) -> Option<f64> {
        // Ratio of sums: robust to one noisy small measurement.
        let (s, d) = self
            .calibration_points
            .iter()
            .fold((0.0, 0.0), |(s, d), (a, b)| (s + a, d + b));
        (d > 0.0 && s > 0.0).then(|| s / d)
    }
}

/// No measurements: rank on specs only.
pub struct NoMeasurements;

impl ThroughputSource for NoMeasurements {
    fn by_machine(&self, _: u64) -> Option<f64> {
        None
    }
    fn by_gpu(&self, _: &str) -> Option<f64> {
        None
    }
    fn steps_per_dlperf(&self) -> Option<f64> {
        None
    }
}

/// Where an offer's throughput figure came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Basis {
    MeasuredMachine,
    MeasuredGpu,
    DlPerf,
    Tflops,
    Unknown,
}

/// Unit of [`Ranked::throughput`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ThroughputUnit {
    /// Steps per second (measured, or specs calibrated by measurements).
    StepsPerSec,
    /// DLPerf points (uncalibrated specs): only ratios mean something.
    DlPerf,
}

/// Ranking inputs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankOptions {
    /// GB of disk the instance will allocate (prices storage into $/h).
    pub disk_gb: f64,
    /// GPUs the run uses (an offer with more rents them all, uses these).
    pub gpus_used: u32,
    /// Steps of the smoke run to price.
    pub smoke_steps: u64,
    /// Seconds before the first step (boot, downloads) billed too; `None` = ignore.
    pub setup_secs: Option<f64>,
    /// Price interruptible (`min_bid`) instead of on-demand.
    pub bid: bool,
    /// Drop offers whose verdict is `No` from the result.
    pub hide_no: bool,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            disk_gb: 50.0,
            gpus_used: 1,
            smoke_steps: 100,
            setup_secs: None,
            bid: false,
            hide_no: false,
        }
    }
}

impl RankOptions {
    /// Disk and GPUs from a gate's profile.
    pub fn for_gate(gate: &Gate, smoke_steps: u64) -> RankOptions {
        RankOptions {
            disk_gb: gate.disk().total_gb,
            gpus_used: gate.profile.gpus,
            smoke_steps,
            ..RankOptions::default()
        }
    }
}

/// One ranked offer (no strings: cheap to build for 20k offers).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ranked {
    /// Index into the input slice.
    pub index: usize,
    pub offer_id: u64,
    /// Gate verdict (`Fits` when no gate was given).
    pub fit: Fit,
    pub basis: Basis,
    pub unit: ThroughputUnit,
    /// Expected throughput of the offer as the run uses it (unit above); 0 when unknown.
    pub throughput: f64,
    /// $/h including storage for `disk_gb`; `None` when the offer has no price.
    pub dph: Option<f64>,
    /// Throughput per $/h (steps per $ = this × 3600 when the unit is steps/s).
    pub per_dollar: f64,
    /// Seconds for the smoke run (+ setup), when throughput is in steps/s.
    pub smoke_secs: Option<f64>,
    /// Expected $ for the smoke run.
    pub smoke_cost: Option<f64>,
}

/// Data-parallel scaling efficiency for `used` GPUs on this offer.
fn scaling(offer: &Offer, used: u32) -> f64 {
    if used <= 1 {
        1.0
    } else if offer.bw_nvlink.is_some_and(|b| b > 0.0) {
        0.9
    } else {
        0.75
    }
}

/// Rank `offers` best first: by verdict (fits, tight, no), then throughput per dollar
/// (unknown last), then $/h, then id. Measured figures win over specs.
pub fn rank(
    offers: &[Offer],
    gate: Option<&Gate>,
    measured: &dyn ThroughputSource,
    opts: &RankOptions,
) -> Vec<Ranked> {
    // dlperf per TFLOPS over the batch, to rank offers that only report TFLOPS.
    let (sum_d, sum_f) =
        offers
            .iter()
            .fold((0.0, 0.0), |(d, f), o| match (o.dlperf, o.total_flops) {
                (Some(x), Some(y)) if x > 0.0 && y > 0.0 => (d + x, f + y),
                _ => (d, f),
            });
    let dlperf_per_tflop = (sum_f > 0.0).then(|| sum_d / sum_f);
    let calib = measured
        .steps_per_dlperf()
        .filter(|c| c.is_finite() && *c > 0.0);

    let mut out = Vec::with_capacity(offers.len());
    for (index, o) in offers.iter().enumerate() {
        let fit = gate.map_or(Fit::Fits, |g| g.fit(o));
        if opts.hide_no && fit == Fit::No {
            continue;
        }
        let gpus = f64::from(o.gpus());
        let used = opts.gpus_used.clamp(1, o.gpus());
        let eff = scaling(o, used) * f64::from(used);

        let (basis, unit, per_gpu) = if let Some(s) = measured.by_machine(o.machine_id) {
            (Basis::MeasuredMachine, ThroughputUnit::StepsPerSec, s)
        } else if let Some(s) = measured.by_gpu(&o.gpu_name) {
            (Basis::MeasuredGpu, ThroughputUnit::StepsPerSec, s)
        } else {
            let (basis, dl_per_gpu) = match (
                o.dlperf.filter(|d| *d > 0.0),
                o.total_flops.filter(|f| *f > 0.0),
                dlperf_per_tflop,
            ) {
                (Some(d), _, _) => (Basis::DlPerf, d / gpus),
                (None, Some(f), Some(k)) => (Basis::Tflops, f * k / gpus),
                _ => (Basis::Unknown, 0.0),
            };
            match calib {
                Some(c) if basis != Basis::Unknown => {
                    (basis, ThroughputUnit::StepsPerSec, dl_per_gpu * c)
                }
                _ => (basis, ThroughputUnit::DlPerf, dl_per_gpu),
            }
        };
        let throughput = if per_gpu.is_finite() && per_gpu > 0.0 {
            per_gpu * eff
        } else {
            0.0
        };

        let compute = if opts.bid {
            o.min_bid.or_else(|| o.compute_dph())
        } else {
            o.compute_dph()
        };
        let dph = compute
            .map(|c| c + o.storage_dph(opts.disk_gb))
            .filter(|d| d.is_finite() && *d > 0.0);
        let per_dollar = match dph {
            Some(d) if throughput > 0.0 => throughput / d,
            _ => 0.0,
        };
        let smoke_secs = (unit == ThroughputUnit::StepsPerSec && throughput > 0.0).then(|| {
            opts.smoke_steps as f64 / throughput + opts.setup_secs.unwrap_or(0.0).max(0.0)
        });
        let smoke_cost = match (smoke_secs, dph) {
            (Some(s), Some(d)) => Some(s / 3600.0 * d),
            _ => None,
        };
        out.push(Ranked {
            index,
            offer_id: o.id,
            fit,
            basis,
            unit,
            throughput,
            dph,
            per_dollar,
            smoke_secs,
            smoke_cost,
        });
    }
    out.sort_unstable_by(|a, b| {
        a.fit
            .cmp(&b.fit)
            .then_with(|| (a.per_dollar <= 0.0).cmp(&(b.per_dollar <= 0.0)))
            .then_with(|| b.per_dollar.total_cmp(&a.per_dollar))
            .then_with(|| {
                a.dph
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.dph.unwrap_or(f64::INFINITY))
            })
            .then_with(|| a.offer_id.cmp(&b.offer_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::gate::GatePolicy;
    use crate::domain::profile::RunProfile;

    fn offer(id: u64, machine: u64, name: &str, gpus: u32, dlperf: f64, dph_base: f64) -> Offer {
        Offer {
            id,
            machine_id: machine,
            gpu_name: name.into(),
            num_gpus: gpus,
            gpu_ram: Some(24564.0),
            compute_cap: Some(890.0),
            cpu_ram: Some(128.0 * 1024.0),
            disk_space: Some(500.0),
            reliability2: Some(0.995),
            direct_port_count: Some(10.0),
            rentable: Some(true),
            dlperf: Some(dlperf),
            total_flops: Some(dlperf / 1.2),
            dph_base: Some(dph_base),
            storage_cost: Some(0.15),
            ..Offer::default()
        }
    }

    #[test]
    fn orders_by_throughput_per_dollar_and_measurements_win() {
        let offers = vec![
            offer(1, 10, "RTX 4090", 1, 100.0, 0.40), // 250 dlperf per $/h (before storage)
            offer(2, 11, "RTX 3090", 1, 60.0, 0.20),  // 300
            offer(3, 12, "RTX 5090", 1, 140.0, 0.70), // 200
            Offer {
                dlperf: None,
                total_flops: None,
                ..offer(4, 13, "X", 1, 0.0, 0.1)
            }, // unknown → last
        ];
        let opts = RankOptions {
            disk_gb: 0.0,
            ..RankOptions::default()
        };
        let r = rank(&offers, None, &NoMeasurements, &opts);
        assert_eq!(
            r.iter().map(|x| x.offer_id).collect::<Vec<_>>(),
            [2, 1, 3, 4]
        );
        assert_eq!(r[0].unit, ThroughputUnit::DlPerf);
        assert!((r[0].per_dollar - 300.0).abs() < 1e-9);
        assert_eq!(r[3].basis, Basis::Unknown);
        assert_eq!(r[0].smoke_cost, None);

        // The team measured 2.0 steps/s on the 4090 machine, 0.9 on RTX 3090s: measured wins.
        let mut m = MeasuredThroughput::default();
        m.record(&offers[0], 2.0);
        m.gpus.insert("RTX 3090".into(), 0.9);
        let r = rank(
            &offers,
            None,
            &m,
            &RankOptions {
                disk_gb: 0.0,
                smoke_steps: 100,
                ..RankOptions::default()
            },
        );
        assert_eq!(r[0].offer_id, 1);
        assert_eq!(r[0].basis, Basis::MeasuredMachine);
        // 100 steps at 2 steps/s = 50 s at 0.40 $/h = $0.00556.
        assert!((r[0].smoke_cost.unwrap() - 50.0 / 3600.0 * 0.40).abs() < 1e-12);
        // The 5090 has no measurement: DLPerf × calibration (2.0 / 100 per point) = 2.8 steps/s
        // at 0.70 $/h = 4.0 steps/s per $/h — after the 4090 (5.0) and the 3090 (0.9 / 0.2 = 4.5).
        let five = r.iter().find(|x| x.offer_id == 3).unwrap();
        assert_eq!(five.basis, Basis::DlPerf);
        assert!((five.throughput - 2.8).abs() < 1e-9);
        assert_eq!(
            r.iter().map(|x| x.offer_id).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn verdict_first_storage_priced_in() {
        let mut bad = offer(1, 10, "RTX 4090", 1, 500.0, 0.10);
        bad.reliability2 = Some(0.5);
        let good = offer(2, 11, "RTX 4090", 1, 100.0, 0.40);
        let gate = Gate::new(RunProfile::default(), GatePolicy::default());
        let opts = RankOptions::for_gate(&gate, 50);
        let r = rank(&[bad, good], Some(&gate), &NoMeasurements, &opts);
        assert_eq!((r[0].offer_id, r[0].fit), (2, Fit::Fits));
        assert_eq!((r[1].offer_id, r[1].fit), (1, Fit::No));
        // $/h = 0.40 + 0.15 $/GB/month × disk ÷ 720.
        let want = 0.40 + 0.15 * gate.disk().total_gb / 720.0;
        assert!((r[0].dph.unwrap() - want).abs() < 1e-12);
        let hidden = rank(
            &[offer(1, 10, "a", 1, 1.0, 1.0)],
            Some(&gate),
            &NoMeasurements,
            &RankOptions {
                hide_no: true,
                ..opts
            },
        );
        assert_eq!(hidden.len(), 1);
    }

    #[test]
    fn twenty_thousand_offers() {
        let names = ["RTX 4090", "RTX 3090", "A100 SXM4", "H100 SXM", "RTX 5090"];
        let offers: Vec<Offer> = (0..20_000u64)
            .map(|i| {
                let mut o = offer(
                    i,
                    i / 2,
                    names[(i % 5) as usize],
                    1 + (i % 4) as u32,
                    50.0 + (i % 97) as f64,
                    0.1 + (i % 31) as f64 * 0.05,
                );
                o.bw_nvlink = Some(if i % 3 == 0 { 300.0 } else { 0.0 });
                o
            })
            .collect();
        let gate = Gate::new(RunProfile::default(), GatePolicy::default());
        let mut m = MeasuredThroughput::default();
        m.record(&offers[7], 3.0);
        let start = std::time::Instant::now();
        let r = rank(&offers, Some(&gate), &m, &RankOptions::for_gate(&gate, 100));
        let took = start.elapsed();
        assert_eq!(r.len(), 20_000);
        assert!(r.windows(2).all(|w| w[0].fit <= w[1].fit));
        eprintln!("ranked 20,000 offers in {took:?}");
    }
}
