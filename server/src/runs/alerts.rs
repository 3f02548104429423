//! Alerts: verdict changes and fatal errors, sent to a Slack-compatible
//! webhook (`{"text": …}`) when one is configured, and always kept as
//! `alert` events (the in-app list). One alert per change: the watcher only
//! raises one when the decision changes or the run ends badly.
//!
//! Delivery is a background queue: a slow or dead webhook never slows a
//! check. The URL is a secret (Slack's carry their token): it is never
//! logged or shown.

use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use crate::secret::Secret;

/// One alert as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub run_id: i64,
    pub text: String,
}

#[derive(Clone, Default)]
pub struct Alerts {
    tx: Option<mpsc::UnboundedSender<Alert>>,
}

const ATTEMPTS: u32 = 3;

impl Alerts {
    /// No webhook: alerts stay in-app only.
    pub fn in_app_only() -> Self {
        Alerts { tx: None }
    }

    /// Posts every alert to `url` (3 tries, 5 s each, backing off).
    pub fn webhook(url: Secret) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Alert>();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        tokio::spawn(async move {
            while let Some(alert) = rx.recv().await {
                let body = json!({ "text": alert.text });
                for attempt in 1..=ATTEMPTS {
                    match client.post(url.expose()).json(&body).send().await {
                        Ok(r) if r.status().is_success() => break,
                        Ok(r) => tracing::warn!(
                            run_id = alert.run_id,
                            attempt,
                            status = r.status().as_u16(),
                            "alert webhook refused the alert"
                        ),
                        // Not the error's Display: it would print the URL.
                        Err(e) => tracing::warn!(
                            run_id = alert.run_id,
                            attempt,
                            timeout = e.is_timeout(),
                            connect = e.is_connect(),
                            "alert webhook unreachable"
                        ),
                    }
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                }
            }
        });
        Alerts { tx: Some(tx) }
    }

    pub fn is_webhook(&self) -> bool {
        self.tx.is_some()
    }

    pub fn send(&self, alert: Alert) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(alert);
        }
    }
}
