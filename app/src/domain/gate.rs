//! The pre-rent gate (seed: "Minimal Pre-Rent Gate"): hard checks only — VRAM fits the run
//! mode, host RAM not obviously too small, disk holds image + model + data + checkpoints,
//! reliability acceptable — plus GPU count, CUDA/driver, compute capability for the precision,
//! direct ports for SSH and whether the offer is rentable.
//!
//! Each check gives fits / tight / no with a reason in words; the offer's verdict is the worst.
//! [`Gate::fit`] gives the verdict without building any text (for ranking thousands of offers).

use crate::domain::offer::Offer;
use crate::domain::profile::{DiskEstimate, Precision, RamEstimate, RunProfile, VramEstimate};

/// Verdict of one check or of a whole offer (ordered: `Fits < Tight < No`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Fit {
    Fits,
    Tight,
    No,
}

impl Fit {
    pub fn label(self) -> &'static str {
        match self {
            Fit::Fits => "fits",
            Fit::Tight => "tight",
            Fit::No => "no",
        }
    }
}

/// Which check a reason comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Check {
    Rentable,
    Gpus,
    Vram,
    ComputeCapability,
    CpuRam,
    Disk,
    Reliability,
    Cuda,
    DirectPorts,
}

/// One check's outcome in words.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    pub check: Check,
    pub fit: Fit,
    pub text: String,
}

/// The gate's verdict for one offer.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Verdict {
    pub fit: Fit,
    /// Every check, in a fixed order (worst first is up to the UI: see [`Verdict::problems`]).
    pub reasons: Vec<Reason>,
    pub vram_need_gib: f64,
    pub vram_have_gib: Option<f64>,
    pub disk_need_gb: f64,
    pub cpu_ram_need_gib: f64,
}

impl Verdict {
    /// Reasons that are tight or no, worst first.
    pub fn problems(&self) -> Vec<&Reason> {
        let mut v: Vec<&Reason> = self.reasons.iter().filter(|r| r.fit != Fit::Fits).collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.fit));
        v
    }

    /// One line for a table cell: "no: needs ≈ 61 GiB VRAM per GPU, has 24; …".
    pub fn summary(&self) -> String {
        let probs = self.problems();
        if probs.is_empty() {
            return self.fit.label().to_string();
        }
        format!(
            "{}: {}",
            self.fit.label(),
            probs
                .iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}

/// Thresholds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GatePolicy {
    /// Below this reliability: no (within `reliability_tight_band` below it: tight).
    pub min_reliability: f64,
    pub reliability_tight_band: f64,
    /// VRAM need above this share of the card is tight (fragmentation, spikes).
    pub vram_tight_share: f64,
    /// Disk need above this share of the free disk is tight.
    pub disk_tight_share: f64,
    /// Direct ports wanted for SSH (0 = don't care). Fewer → tight (the proxy still works),
    /// or no when `require_direct_ports`.
    pub min_direct_ports: u32,
    pub require_direct_ports: bool,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy {
            min_reliability: 0.98,
            reliability_tight_band: 0.01,
            vram_tight_share: 0.9,
            disk_tight_share: 0.9,
            min_direct_ports: 1,
            require_direct_ports: false,
        }
    }
}

/// A profile's needs computed once, then checked against many offers.
#[derive(Clone, Debug)]
pub struct Gate {
    pub profile: RunProfile,
    pub policy: GatePolicy,
    /// VRAM for a replicated run (or for `profile.gpus` GPUs when sharded).
    vram: VramEstimate,
    disk: DiskEstimate,
    ram: RamEstimate,
}

/// Numbers behind one offer's checks (no text).
struct Measured {
    vram_need: f64,
    vram_have: Option<f64>,
    cpu_need: f64,
    cpu_have: Option<f64>,
    fits: [(Check, Fit); 9],
}

impl Gate {
    pub fn new(profile: RunProfile, policy: GatePolicy) -> Gate {
        let vram = profile.vram_per_gpu(profile.gpus);
        let disk = profile.disk();
        let ram = profile.cpu_ram(profile.gpus);
        Gate {
            profile,
            policy,
            vram,
            disk,
            ram,
        }
    }

    pub fn vram(&self) -> &VramEstimate {
        &self.vram
    }

    pub fn disk(&self) -> &DiskEstimate {
        &self.disk
    }

    pub fn cpu_ram(&self) -> &RamEstimate {
        &self.ram
    }

    fn vram_need(&self, offer: &Offer) -> f64 {
        match self.profile.parallelism {
            crate::domain::profile::Parallelism::Sharded if offer.gpus() != self.profile.gpus => {
                self.profile.vram_per_gpu(offer.gpus()).total_gib
            }
            _ => self.vram.total_gib,
        }
    }

    fn measure(&self, offer: &Offer) -> Measured {
        let pol = &self.policy;
        let p = &self.profile;

        let rentable = if offer.rentable == Some(false) {
            Fit::No
        } else {
            Fit::Fits
        };
        let gpus = if offer.num_gpus < p.gpus {
            Fit::No
        } else {
            Fit::Fits
        };

        let vram_need = self.vram_need(offer);
        let vram_have = offer.gpu_ram_gib();
        let vram = match vram_have {
            None => Fit::Tight,
            Some(h) if vram_need > h => Fit::No,
            Some(h) if vram_need > pol.vram_tight_share * h => Fit::Tight,
            Some(_) => Fit::Fits,
        };

        let cc_need = min_compute_cap(p.precision);
        let cc = match (cc_need, offer.compute_cap) {
            (None, _) => Fit::Fits,
            (Some(_), None) => Fit::Tight,
            (Some(n), Some(have)) if have < n => Fit::No,
            _ => Fit::Fits,
        };

        let cpu_need = self.ram.total_gib;
        let cpu_have = offer.cpu_ram_gib().map(|r| {
            r * offer
                .gpu_frac
                .filter(|f| *f > 0.0 && *f <= 1.0)
                .unwrap_or(1.0)
        });
        let cpu = match cpu_have {
            None => Fit::Tight,
            Some(h) if cpu_need > 1.5 * h => Fit::No,
            Some(h) if cpu_need > h => Fit::Tight,
            Some(_) => Fit::Fits,
        };

        let disk = match offer.disk_space {
            None => Fit::Tight,
            Some(h) if self.disk.total_gb > h => Fit::No,
            Some(h) if self.disk.total_gb > pol.disk_tight_share * h => Fit::Tight,
            Some(_) => Fit::Fits,
        };

        let rel = match offer.reliability() {
            None => Fit::Tight,
            Some(r) if r >= pol.min_reliability => Fit::Fits,
            Some(r) if r >= pol.min_reliability - pol.reliability_tight_band => Fit::Tight,
            Some(_) => Fit::No,
        };

        let cuda = match (p.required_cuda, offer.cuda_version()) {
            (None, _) => Fit::Fits,
            (Some(_), None) => Fit::Tight,
            (Some(need), Some(have)) if have < need => Fit::No,
            _ => Fit::Fits,
        };

        let ports = match offer.direct_port_count {
            _ if pol.min_direct_ports == 0 => Fit::Fits,
            Some(n) if n >= f64::from(pol.min_direct_ports) => Fit::Fits,
            _ if pol.require_direct_ports => Fit::No,
            _ => Fit::Tight,
        };

        Measured {
            vram_need,
            vram_have,
            cpu_need,
            cpu_have,
            fits: [
                (Check::Rentable, rentable),
                (Check::Gpus, gpus),
                (Check::Vram, vram),
                (Check::ComputeCapability, cc),
                (Check::CpuRam, cpu),
                (Check::Disk, disk),
                (Check::Reliability, rel),
                (Check::Cuda, cuda),
                (Check::DirectPorts, ports),
            ],
        }
    }

    /// The verdict only, no text (cheap; for ranking/filtering many offers).
    pub fn fit(&self, offer: &Offer) -> Fit {
        self.measure(offer)
            .fits
            .iter()
            .map(|(_, f)| *f)
            .max()
            .unwrap_or(Fit::Fits)
    }

    /// Full verdict with reasons in words.
    pub fn check(&self, offer: &Offer) -> Verdict {
        let m = self.measure(offer);
        let p = &self.profile;
        let pol = &self.policy;
        let mut reasons = Vec::with_capacity(m.fits.len());
        for (check, fit) in m.fits {
            let text = match check {
                Check::Rentable => match fit {
                    Fit::No => "not rentable right now".to_string(),
                    _ => "rentable".to_string(),
                },
                Check::Gpus => {
                    if fit == Fit::No {
                        format!("run wants {} GPUs, offer has {}", p.gpus, offer.num_gpus)
                    } else if offer.num_gpus > p.gpus {
                        format!(
                            "{} GPUs, run uses {} (the rest idle)",
                            offer.num_gpus, p.gpus
                        )
                    } else {
                        format!(
                            "{} GPU{}",
                            offer.num_gpus,
                            if offer.num_gpus == 1 { "" } else { "s" }
                        )
                    }
                }
                Check::Vram => match m.vram_have {
                    None => format!(
                        "needs ≈ {:.0} GiB VRAM per GPU, offer does not say how much it has",
                        m.vram_need
                    ),
                    Some(h) => match fit {
                        Fit::No => {
                            format!("needs ≈ {:.0} GiB VRAM per GPU, has {:.0}", m.vram_need, h)
                        }
                        Fit::Tight => format!(
                            "needs ≈ {:.0} GiB VRAM per GPU of {:.0} — under {:.0} % headroom",
                            m.vram_need,
                            h,
                            (1.0 - pol.vram_tight_share) * 100.0
                        ),
                        Fit::Fits => {
                            format!("needs ≈ {:.0} GiB VRAM per GPU, has {:.0}", m.vram_need, h)
                        }
                    },
                },
                Check::ComputeCapability => {
                    let need = min_compute_cap(p.precision);
                    match (fit, need, offer.compute_cap) {
                        (Fit::No, Some(n), Some(h)) => format!(
                            "{} needs compute capability ≥ {:.1}, {} has {:.1}",
                            p.precision.label(),
                            n / 100.0,
                            offer.gpu_name,
                            h / 100.0
                        ),
                        (Fit::Tight, Some(n), None) => {
                            format!(
                                "{} needs compute capability ≥ {:.1}, offer does not say",
                                p.precision.label(),
                                n / 100.0
                            )
                        }
                        _ => format!("{} supported", p.precision.label()),
                    }
                }
                Check::CpuRam => match m.cpu_have {
                    None => format!("needs ≈ {:.0} GiB host RAM, offer does not say", m.cpu_need),
                    Some(h) => match fit {
                        Fit::No => format!("host RAM {:.0} GiB < {:.0} GiB needed", h, m.cpu_need),
                        Fit::Tight => format!(
                            "host RAM {:.0} GiB, ≈ {:.0} GiB wanted (may swap while loading)",
                            h, m.cpu_need
                        ),
                        Fit::Fits => format!("host RAM {:.0} GiB ≥ {:.0} GiB", h, m.cpu_need),
                    },
                },
                Check::Disk => match offer.disk_space {
                    None => format!(
                        "needs ≈ {:.0} GB disk, offer does not say",
                        self.disk.total_gb
                    ),
                    Some(h) => match fit {
                        Fit::No => {
                            format!("disk {:.0} GB < {:.0} GB needed", h, self.disk.total_gb)
                        }
                        Fit::Tight => format!(
                            "disk {:.0} GB, {:.0} GB needed — little room left",
                            h, self.disk.total_gb
                        ),
                        Fit::Fits => format!("disk {:.0} GB ≥ {:.0} GB", h, self.disk.total_gb),
                    },
                },
                Check::Reliability => match offer.reliability() {
                    None => "reliability unknown".to_string(),
                    Some(r) => match fit {
                        Fit::Fits => format!("reliability {r:.3} ≥ {}", pol.min_reliability),
                        _ => format!("reliability {r:.3} < {}", pol.min_reliability),
                    },
                },
                Check::Cuda => match (p.required_cuda, offer.cuda_version()) {
                    (None, Some((a, b))) => {
                        format!("driver {} supports CUDA ≤ {a}.{b}", offer.driver_version)
                    }
                    (None, None) => "no CUDA requirement".to_string(),
                    (Some((na, nb)), None) => format!(
                        "image needs CUDA {na}.{nb}, offer does not say what the driver supports"
                    ),
                    (Some((na, nb)), Some((a, b))) => match fit {
                        Fit::No => format!(
                            "image needs CUDA {na}.{nb}, driver {} supports only {a}.{b}",
                            offer.driver_version
                        ),
                        _ => format!(
                            "CUDA {na}.{nb} needed, driver {} supports {a}.{b}",
                            offer.driver_version
                        ),
                    },
                },
                Check::DirectPorts => match offer.direct_port_count {
                    Some(n) if fit == Fit::Fits && pol.min_direct_ports > 0 => {
                        format!("{n:.0} direct ports for SSH")
                    }
                    _ if fit == Fit::Fits => "direct ports not required".to_string(),
                    _ => format!(
                        "{} direct ports (wanted {}): SSH only through Vast's proxy",
                        offer
                            .direct_port_count
                            .map_or("no".to_string(), |n| format!("{n:.0}")),
                        pol.min_direct_ports
                    ),
                },
            };
            reasons.push(Reason { check, fit, text });
        }
        let fit = reasons.iter().map(|r| r.fit).max().unwrap_or(Fit::Fits);
        Verdict {
            fit,
            reasons,
            vram_need_gib: m.vram_need,
            vram_have_gib: m.vram_have,
            disk_need_gb: self.disk.total_gb,
            cpu_ram_need_gib: m.cpu_need,
        }
    }
}

/// Compute capability ×100 the precision needs: bf16 → Ampere (800), fp8 → Ada/Hopper (890).
fn min_compute_cap(p: Precision) -> Option<f64> {
    match p {
        Precision::Bf16 => Some(800.0),
        Precision::Fp8 => Some(890.0),
        _ => None,
    }
}

/// One-shot helper: `Gate::new(profile, policy).check(offer)`.
pub fn gate(offer: &Offer, profile: &RunProfile, policy: &GatePolicy) -> Verdict {
    Gate::new(profile.clone(), policy.clone()).check(offer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::{Optimizer, RunMode};

    /// A typical offer with `gpu_ram_mib` per GPU; roomy otherwise.
    fn offer(name: &str, gpus: u32, gpu_ram_mib: f64, cc: f64) -> Offer {
        Offer {
            id: 1,
            gpu_name: name.to_string(),
            num_gpus: gpus,
            gpu_ram: Some(gpu_ram_mib),
            gpu_total_ram: Some(gpu_ram_mib * f64::from(gpus)),
            compute_cap: Some(cc),
            cpu_ram: Some(256.0 * 1024.0),
            gpu_frac: Some(1.0),
            disk_space: Some(1000.0),
            reliability2: Some(0.995),
            cuda_max_good: Some(12.4),
            driver_version: "550.54.14".into(),
            direct_port_count: Some(100.0),
            rentable: Some(true),
            inet_down: Some(1000.0),
            ..Offer::default()
        }
    }

    const RTX4090: f64 = 24564.0;
    const A100_80: f64 = 81920.0;
    const A6000: f64 = 49140.0;

    #[test]
    fn worked_7b_full_finetune_bf16_adamw() {
        // 7B × 16 B/param (bf16 weights 2 + bf16 grads 2 + fp32 master 4 + AdamW m,v 8)
        // = 112 GB = 104.3 GiB of state; with gradient checkpointing, 2048 tokens, micro batch 1:
        // activations 32 × 2 B × 2048 × 4096 + 34 B × 2048 × 4096 + logits 0.49 GiB ≈ 1.3 GiB;
        // + 1 GiB context ⇒ ≈ 106.6 GiB per GPU. Nothing single-GPU fits; an 80 GB A100 says no.
        let p = RunProfile {
            mode: RunMode::FullFineTune,
            ..RunProfile::default()
        };
        let g = Gate::new(p.clone(), GatePolicy::default());
        assert!(
            (g.vram().total_gib - 106.6).abs() < 0.1,
            "{}",
            g.vram().formula
        );
        let v = g.check(&offer("A100 SXM4", 1, A100_80, 800.0));
        assert_eq!(v.fit, Fit::No);
        assert!(
            v.summary().contains("needs ≈ 107 GiB VRAM per GPU, has 80"),
            "{}",
            v.summary()
        );
        // Disk: checkpoints 7 × (2 + 8 + 4) = 98 GB each × 2, model 14, image 15, data 1
        // = 226 GB + scratch 5 + 22.6 ⇒ 253.6 GB: a 200 GB disk is a "no".
        let mut small_disk = offer("A100 SXM4", 1, A100_80, 800.0);
        small_disk.disk_space = Some(200.0);
        let v = g.check(&small_disk);
        assert!(
            v.summary().contains("disk 200 GB < 254 GB needed"),
            "{}",
            v.summary()
        );
        // Sharded (FSDP) over 2 × 80 GB: 104.3 / 2 = 52.2 GiB state + 1.3 + 1 ≈ 54.4 GiB → fits.
        let sharded = Gate::new(
            RunProfile {
                parallelism: crate::domain::profile::Parallelism::Sharded,
                gpus: 2,
                ..p
            },
            GatePolicy::default(),
        );
        let v = sharded.check(&offer("A100 SXM4", 2, A100_80, 800.0));
        assert!((v.vram_need_gib - 54.4).abs() < 0.05, "{}", v.vram_need_gib);
        assert_eq!(v.fit, Fit::Fits, "{}", v.summary());
    }

    #[test]
    fn worked_7b_lora() {
        // LoRA on bf16 7B: frozen weights 7e9 × 2 B = 13.04 GiB; 35M trainable (0.5 %) ×
        // (4 adapter + 4 grad + 8 AdamW) = 0.52 GiB; activations with checkpointing ≈ 1.3 GiB;
        // + 1 GiB ⇒ ≈ 15.8 GiB: fits a 24 GB RTX 4090 (15.8 < 0.9 × 24).
        let g = Gate::new(RunProfile::default(), GatePolicy::default());
        assert!(
            (g.vram().total_gib - 15.8).abs() < 0.05,
            "{}",
            g.vram().formula
        );
        let v = g.check(&offer("RTX 4090", 1, RTX4090, 890.0));
        assert_eq!(v.fit, Fit::Fits, "{}", v.summary());
        // Micro batch 4 at 4096 tokens: activations ≈ 10 GiB (logits alone 3.9) ⇒ ≈ 24.6 GiB — no on a 4090.
        let big = Gate::new(
            RunProfile {
                micro_batch: 4,
                seq_len: 4096,
                ..RunProfile::default()
            },
            GatePolicy::default(),
        );
        assert_eq!(big.fit(&offer("RTX 4090", 1, RTX4090, 890.0)), Fit::No);
        // bf16 needs Ampere: a Turing Q RTX 8000 (cc 7.5) says no whatever its VRAM.
        let v = g.check(&offer("Q RTX 8000", 1, 46080.0, 750.0));
        assert_eq!(v.fit, Fit::No);
        assert!(
            v.summary()
                .contains("bf16 needs compute capability ≥ 8.0, Q RTX 8000 has 7.5"),
            "{}",
            v.summary()
        );
    }

    #[test]
    fn worked_70b_qlora() {
        // QLoRA 70B: 4-bit base 70e9 × 0.55 B = 35.9 GiB; 350M trainable (0.5 %) × 16 B
        // = 5.2 GiB (8-bit AdamW: × 10 B = 3.3 GiB); activations (80 layers, 8192 hidden,
        // checkpointing, 2048 tokens) ≈ 80 × 2 × 2048 × 8192 + 34 × 2048 × 8192 + logits ≈ 3.5 GiB;
        // + 1 ⇒ ≈ 43.7 GiB with 8-bit AdamW: on a 48 GB A6000 (48.0 GiB) that is 91 % → tight;
        // on an 80 GB A100 it fits; a 24 GB 4090 is a no.
        let p = RunProfile {
            params_b: 70.0,
            mode: RunMode::QLora,
            precision: Precision::Bit4,
            optimizer: Optimizer::AdamW8bit,
            ..RunProfile::default()
        };
        assert!(p.validate().is_empty());
        let g = Gate::new(
            p,
            GatePolicy {
                min_direct_ports: 0,
                ..GatePolicy::default()
            },
        );
        assert!(
            (g.vram().total_gib - 43.7).abs() < 0.15,
            "{}",
            g.vram().formula
        );
        let v = g.check(&offer("RTX A6000", 1, A6000, 860.0));
        assert_eq!(v.fit, Fit::Tight, "{}", v.summary());
        assert!(
            v.summary().contains("of 48 — under 10 % headroom"),
            "{}",
            v.summary()
        );
        assert_eq!(g.fit(&offer("A100 SXM4", 1, A100_80, 800.0)), Fit::Fits);
        assert_eq!(g.fit(&offer("RTX 4090", 1, RTX4090, 890.0)), Fit::No);
        // Host RAM: QLoRA loads a quarter of the 140 GB bf16 checkpoint at once: 32.6 GiB
        // + 8 + 2 = 42.6 GiB; a 32 GiB host is tight, a 16 GiB host a no.
        let mut o = offer("A100 SXM4", 1, A100_80, 800.0);
        o.cpu_ram = Some(32.0 * 1024.0);
        assert_eq!(
            g.check(&o)
                .reasons
                .iter()
                .find(|r| r.check == Check::CpuRam)
                .map(|r| r.fit),
            Some(Fit::Tight)
        );
        o.cpu_ram = Some(16.0 * 1024.0);
        assert!(
            g.check(&o)
                .summary()
                .contains("host RAM 16 GiB < 43 GiB needed"),
            "{}",
            g.check(&o).summary()
        );
    }

    #[test]
    fn worked_13b_inference() {
        // 13B inference bf16: weights 13e9 × 2 B = 24.2 GiB; KV cache 2 × 40 layers × 4096
        // tokens × 1 × 5120 × 2 B = 3.1 GiB; logits 32000 × 4 B; + 1 ⇒ ≈ 28.3 GiB:
        // no on a 24 GB 4090, fits a 48 GB A6000. In 4-bit: 13e9 × 0.55 = 6.7 GiB ⇒ ≈ 10.8 GiB
        // fits the 4090 (but not on an old driver when the image needs CUDA 12.4).
        let p = RunProfile {
            params_b: 13.0,
            mode: RunMode::Inference,
            seq_len: 4096,
            ..RunProfile::default()
        };
        let g = Gate::new(p.clone(), GatePolicy::default());
        assert!(
            (g.vram().total_gib - 28.3).abs() < 0.1,
            "{}",
            g.vram().formula
        );
        let v = g.check(&offer("RTX 4090", 1, RTX4090, 890.0));
        assert_eq!(v.fit, Fit::No);
        assert!(
            v.summary().contains("needs ≈ 28 GiB VRAM per GPU, has 24"),
            "{}",
            v.summary()
        );
        assert_eq!(g.fit(&offer("RTX A6000", 1, A6000, 860.0)), Fit::Fits);
        let q = Gate::new(
            RunProfile {
                precision: Precision::Bit4,
                required_cuda: Some((12, 4)),
                ..p
            },
            GatePolicy::default(),
        );
        assert!(
            (q.vram().total_gib - 10.8).abs() < 0.1,
            "{}",
            q.vram().formula
        );
        assert_eq!(q.fit(&offer("RTX 4090", 1, RTX4090, 890.0)), Fit::Fits);
        let mut old = offer("RTX 4090", 1, RTX4090, 890.0);
        old.cuda_max_good = Some(12.2);
        old.driver_version = "535.183.01".into();
        let v = q.check(&old);
        assert_eq!(v.fit, Fit::No);
        assert!(
            v.summary()
                .contains("image needs CUDA 12.4, driver 535.183.01 supports only 12.2"),
            "{}",
            v.summary()
        );
    }

    /// The 1,418 real offers in `server/data/vast/offers_palimon_merged.csv` (transformed by their
    /// author: VRAM_GB = gpu_ram / 1024, RAM bucketed GB, Storage TB). VRAM verdicts per card:
    /// 7B LoRA (≈ 15.8 GiB) fits every 22.5–24 GiB card and above, is tight on the 15.9 GiB
    /// RTX 5060 Ti / 5080 (no headroom) and a no on the 8 GiB 5060 Ti;
    /// 13B bf16 inference (≈ 28.3 GiB) needs the 32 GiB RTX 5000 Ada or bigger; 70B QLoRA (≈ 43.6 GiB) is
    /// tight on every 45–48 GiB card and fits only the 96 GiB RTX PRO 6000.
    #[test]
    fn real_offers_vram_verdicts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../server/data/vast/offers_palimon_merged.csv"
        );
        let text = std::fs::read_to_string(path).expect("real offers CSV");
        let mut lines = text.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap_or("")
            .trim_start_matches('\u{feff}')
            .split(',')
            .collect();
        let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
        let (gpu, n, vram) = (col("GPU"), col("NumGPUs"), col("VRAM_GB"));
        let offers: Vec<Offer> = lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|r| !r[gpu].is_empty())
            .map(|r| Offer {
                gpu_name: r[gpu].to_string(),
                num_gpus: r[n].parse().unwrap_or(0),
                gpu_ram: r[vram].parse::<f64>().ok().map(|g| g * 1024.0),
                ..Offer::default()
            })
            .collect();
        assert_eq!(offers.len(), 1417);
        let vram_fit = |g: &Gate, o: &Offer| {
            g.check(o)
                .reasons
                .iter()
                .find(|r| r.check == Check::Vram)
                .map(|r| r.fit)
        };
        let lora = Gate::new(RunProfile::default(), GatePolicy::default());
        let inf13 = Gate::new(
            RunProfile {
                params_b: 13.0,
                mode: RunMode::Inference,
                seq_len: 4096,
                ..RunProfile::default()
            },
            GatePolicy::default(),
        );
        let qlora70 = Gate::new(
            RunProfile {
                params_b: 70.0,
                mode: RunMode::QLora,
                precision: Precision::Bit4,
                optimizer: Optimizer::AdamW8bit,
                ..RunProfile::default()
            },
            GatePolicy::default(),
        );
        for o in &offers {
            let gib = o.gpu_ram_gib().unwrap_or(0.0);
            let want_lora = if gib >= 22.0 {
                Fit::Fits
            } else if gib >= 15.9 {
                Fit::Tight
            } else {
                Fit::No
            };
            let want_inf = if gib >= 30.0 { Fit::Fits } else { Fit::No };
            let want_q = if gib >= 90.0 {
                Fit::Fits
            } else if gib >= 44.0 {
                Fit::Tight
            } else {
                Fit::No
            };
            assert_eq!(vram_fit(&lora, o), Some(want_lora), "{} {gib}", o.gpu_name);
            assert_eq!(vram_fit(&inf13, o), Some(want_inf), "{} {gib}", o.gpu_name);
            assert_eq!(vram_fit(&qlora70, o), Some(want_q), "{} {gib}", o.gpu_name);
        }
        let fits_lora = offers
            .iter()
            .filter(|o| vram_fit(&lora, o) == Some(Fit::Fits))
            .count();
        // 1417 − 235 RTX 5060 Ti − 105 RTX 5080 = 1077.
        assert_eq!(fits_lora, 1077);
    }

    #[test]
    fn reliability_ports_rentable() {
        let g = Gate::new(RunProfile::default(), GatePolicy::default());
        let mut o = offer("RTX 4090", 1, RTX4090, 890.0);
        o.reliability2 = Some(0.91);
        o.direct_port_count = Some(0.0);
        let v = g.check(&o);
        assert_eq!(v.fit, Fit::No);
        assert!(
            v.summary().contains("reliability 0.910 < 0.98"),
            "{}",
            v.summary()
        );
        assert!(
            v.summary()
                .contains("0 direct ports (wanted 1): SSH only through Vast's proxy"),
            "{}",
            v.summary()
        );
        o.reliability2 = Some(0.975);
        assert_eq!(g.fit(&o), Fit::Tight);
        o.rentable = Some(false);
        assert!(
            g.check(&o)
                .summary()
                .starts_with("no: not rentable right now")
        );
        let strict = Gate::new(
            RunProfile::default(),
            GatePolicy {
                require_direct_ports: true,
                ..GatePolicy::default()
            },
        );
        let mut o = offer("RTX 4090", 1, RTX4090, 890.0);
        o.direct_port_count = None;
        assert_eq!(strict.fit(&o), Fit::No);
        // Missing data is never "fits" silently.
        assert_eq!(
            g.fit(&Offer {
                num_gpus: 1,
                ..Offer::default()
            }),
            Fit::Tight
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use crate::domain::profile::{Optimizer, Parallelism, RunMode};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any profile the validator accepts gives finite, positive needs, and no input panics.
        #[test]
        fn valid_profiles_give_finite_needs(
            params_b in prop_oneof![Just(f64::NAN), -10.0f64..3000.0],
            mode in prop_oneof![Just(RunMode::FullFineTune), Just(RunMode::Lora), Just(RunMode::QLora), Just(RunMode::Inference)],
            precision in prop_oneof![Just(Precision::Fp32), Just(Precision::Bf16), Just(Precision::Fp8), Just(Precision::Bit4)],
            optimizer in prop_oneof![Just(Optimizer::AdamW), Just(Optimizer::AdamW8bit), Just(Optimizer::Sgd)],
            seq_len in 0u32..200_000,
            micro_batch in 0u32..64,
            gpus in 0u32..10,
            sharded in any::<bool>(),
            dataset_gb in -5.0f64..5000.0,
            offer_gpus in 0u32..16,
            gpu_ram in proptest::option::of(0.0f64..200_000.0),
        ) {
            let p = RunProfile {
                params_b, mode, precision, optimizer, seq_len, micro_batch, gpus, dataset_gb,
                parallelism: if sharded { Parallelism::Sharded } else { Parallelism::Replicated },
                ..RunProfile::default()
            };
            let offer = Offer { num_gpus: offer_gpus, gpu_ram, ..Offer::default() };
            let g = Gate::new(p.clone(), GatePolicy::default());
            let v = g.check(&offer);
            prop_assert_eq!(v.fit, g.fit(&offer));
            if p.validate().is_empty() {
                prop_assert!(v.vram_need_gib.is_finite() && v.vram_need_gib > 0.0);
                prop_assert!(v.disk_need_gb.is_finite() && v.disk_need_gb > 0.0);
                prop_assert!(v.cpu_ram_need_gib.is_finite() && v.cpu_ram_need_gib > 0.0);
            }
        }
    }
}
