//! SSH side of Canopy: the prober that watches rented GPU hosts, and the
//! offline stand-ins it is tested against.
//!
//! - [`prober`]: a russh client keeping one connection per host, one channel
//!   per check; each check is ONE exec of a batched POSIX-sh script
//!   ([`script`]) whose output `app::domain::telemetry::parse_probe` splits.
//! - [`keys`]: client keys (load or generate) and host-key pinning.
//! - [`quote`]: the one shell-quoting function every user value goes through.
//! - [`sim_host`]: a simulated GPU host (russh server + real `bash` in a
//!   sandbox with `nvidia-smi` / `canopy-launch` shims).
//! - [`replay`]: the scenario replayer behind `canopy replay`, the process
//!   that stands in for the user's training run on a simulated host.
//! - [`sshd`]: a harness around Debian's OpenSSH server with the same sandbox,
//!   so the prober's scripts are proven against a real server and login shell.

pub mod keys;
pub mod prober;
pub mod quote;
pub mod replay;
pub mod script;
pub mod sim_host;
pub mod sshd;

#[cfg(test)]
mod tests;

pub use keys::{
    HostKeyPins, MemoryPins, PinCheck, generate_keypair, load_private_key, parse_private_key,
    public_key_line,
};
pub use prober::{
    Check, CheckState, ExecOutput, HostSpec, LaunchSpec, Prober, ProberConfig, SshError, check_path,
};
pub use quote::shell_quote;
pub use replay::{ReplayArgs, ReplayError, ReplayOptions, Scenario, replay};
pub use script::{LaunchPhase, ProbeSpec};
pub use sim_host::{Faults, Sandbox, SandboxConfig, SimHost, SimHostConfig, SimHostError};
pub use sshd::{SshdHarness, SshdHarnessError};
