//! What the server says about itself: which marketplace it talks to and whether
//! its database answers. Shared by `/healthz`, the banner and the Settings page.

use serde::{Deserialize, Serialize};

/// Where offers and instances come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarketplaceMode {
    /// The real Vast.ai API, with the user's key.
    Real,
    /// Canopy's built-in Vast-compatible simulator (no key, or `CANOPY_SIM=1`).
    Simulated,
}

impl MarketplaceMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Real => "real",
            Self::Simulated => "simulated",
        }
    }
}

/// Where the database lives; never carries credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseMode {
    /// The private cluster Canopy started itself.
    Embedded,
    /// A `DATABASE_URL` given by the user (e.g. the team's shared Postgres).
    External,
}

/// The answer of `/healthz` and of the `system_status` server function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub database_ok: bool,
    pub database: DatabaseMode,
    pub marketplace: MarketplaceMode,
    pub version: String,
}

impl SystemStatus {
    /// Healthy means every dependency answered; the HTTP status of `/healthz` follows it.
    pub fn healthy(&self) -> bool {
        self.database_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_modes_as_lowercase_words() {
        let status = SystemStatus {
            database_ok: true,
            database: DatabaseMode::Embedded,
            marketplace: MarketplaceMode::Simulated,
            version: "0.1.0".into(),
        };
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["marketplace"], "simulated");
        assert_eq!(json["database"], "embedded");
        assert_eq!(json["database_ok"], true);
    }

    #[test]
    fn unhealthy_when_database_is_down() {
        let status = SystemStatus {
            database_ok: false,
            database: DatabaseMode::External,
            marketplace: MarketplaceMode::Real,
            version: "0.1.0".into(),
        };
        assert!(!status.healthy());
    }
}
