//! Runtime configuration, resolved once from the command line and environment.

use std::path::PathBuf;

use app::domain::status::MarketplaceMode;

use crate::secret::Secret;

/// Where the database comes from.
#[derive(Clone, Debug)]
pub enum DatabaseConfig {
    /// `DATABASE_URL`: the team's Postgres. Kept secret: it may hold a password.
    External(Secret),
    /// A private cluster Canopy runs itself under this data directory.
    Embedded { data_dir: PathBuf },
}

/// Which marketplace to talk to, and with which key.
#[derive(Clone, Debug)]
pub enum MarketplaceConfig {
    Real { api_key: Secret },
    Simulated,
}

impl MarketplaceConfig {
    /// A key means the real API, unless the simulator is forced (`CANOPY_SIM=1`).
    pub fn choose(api_key: Option<Secret>, force_sim: bool) -> Self {
        match api_key {
            Some(api_key) if !force_sim && !api_key.expose().trim().is_empty() => {
                Self::Real { api_key }
            }
            _ => Self::Simulated,
        }
    }

    pub fn mode(&self) -> MarketplaceMode {
        match self {
            Self::Real { .. } => MarketplaceMode::Real,
            Self::Simulated => MarketplaceMode::Simulated,
        }
    }
}

/// The default data directory: `/var/lib/canopy` for root (the postgres user
/// cannot enter `/root`), else `$XDG_DATA_HOME/canopy` or `~/.local/share/canopy`.
pub fn default_data_dir() -> PathBuf {
    if crate::db::embedded::running_as_root() {
        return PathBuf::from("/var/lib/canopy");
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("canopy");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/canopy"),
        None => PathBuf::from(".canopy-data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_selects_real_marketplace_unless_forced() {
        let key = || Some(Secret::new("k"));
        assert_eq!(
            MarketplaceConfig::choose(key(), false).mode(),
            MarketplaceMode::Real
        );
        assert_eq!(
            MarketplaceConfig::choose(key(), true).mode(),
            MarketplaceMode::Simulated
        );
        assert_eq!(
            MarketplaceConfig::choose(None, false).mode(),
            MarketplaceMode::Simulated
        );
        assert_eq!(
            MarketplaceConfig::choose(Some(Secret::new("  ")), false).mode(),
            MarketplaceMode::Simulated
        );
    }
}
