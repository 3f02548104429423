use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};
use server::config::MarketplaceConfig;
use server::secret::Secret;

#[tokio::test]
async fn healthz_reports_database_marketplace_and_version() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["database_ok"], true);
    assert_eq!(body["marketplace"], "simulated");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn a_key_switches_to_the_real_marketplace_and_never_shows_up() {
    let key = "vast-secret-key-for-test-7f3a";
    let app = spawn_app_with(MarketplaceConfig::choose(Some(Secret::new(key)), false)).await;
    let health: Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["marketplace"], "real");
    for path in ["/healthz", "/", "/settings", "/offers"] {
        let body = app.get(path).await.text().await.unwrap();
        assert!(!body.contains(key), "{path} leaked the API key");
    }
}

#[tokio::test]
async fn status_server_function_answers_json() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/system_status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["marketplace"], "simulated");
    assert_eq!(body["database_ok"], true);
}
