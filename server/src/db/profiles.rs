//! The app's `ProfileStore` port over the `saved_profiles` table. The profile is
//! stored as JSONB (sent and read as text, so no sqlx JSON feature is needed).

use app::domain::profile::RunProfile;
use app::ports::{ProfileStore, SavedProfile, StoreError};
use sqlx::PgPool;

pub struct PgProfiles(pub PgPool);

fn store_error(what: &str, e: impl std::fmt::Display) -> StoreError {
    tracing::error!(error = %e, "saved profiles: {what} failed");
    StoreError(format!(
        "could not {what} the saved profiles; the server log says why"
    ))
}

#[async_trait::async_trait]
impl ProfileStore for PgProfiles {
    async fn list(&self) -> Result<Vec<SavedProfile>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, profile::text FROM saved_profiles ORDER BY name")
                .fetch_all(&self.0)
                .await
                .map_err(|e| store_error("read", e))?;
        let mut out = Vec::with_capacity(rows.len());
        for (name, json) in rows {
            // A row written by another version may not read back; skip it, keep the rest.
            match serde_json::from_str::<RunProfile>(&json) {
                Ok(profile) => out.push(SavedProfile { name, profile }),
                Err(e) => tracing::warn!(%name, error = %e, "saved profile no longer readable"),
            }
        }
        Ok(out)
    }

    async fn save(&self, name: &str, profile: &RunProfile) -> Result<(), StoreError> {
        let json = serde_json::to_string(profile).map_err(|e| store_error("encode", e))?;
        sqlx::query(
            "INSERT INTO saved_profiles (name, profile) VALUES ($1, $2::jsonb) \
             ON CONFLICT (name) DO UPDATE SET profile = EXCLUDED.profile, updated_at = now()",
        )
        .bind(name)
        .bind(json)
        .execute(&self.0)
        .await
        .map_err(|e| store_error("save", e))?;
        Ok(())
    }
}
