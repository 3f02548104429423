//! Bad start-up input: one clear message, no half-started server.

use server::config::{DatabaseConfig, MarketplaceConfig};
use server::error::CanopyError;
use server::secret::Secret;
use server::startup::{Application, ServeConfig};

fn config(addr: &str, database: DatabaseConfig) -> ServeConfig {
    ServeConfig {
        addr: addr.parse().unwrap(),
        database,
        marketplace: MarketplaceConfig::Simulated,
        options: Default::default(),
    }
}

#[tokio::test]
async fn port_in_use_is_reported_before_anything_starts() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // An unreachable database proves the port is checked first.
    let database = DatabaseConfig::External(Secret::new("postgres://nobody@127.0.0.1:1/none"));
    let err = Application::build(config(&addr, database))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, CanopyError::AddrInUse { .. }), "{err}");
    assert!(err.to_string().contains("already in use"));
}

#[tokio::test]
async fn unreachable_database_url_names_the_target_not_the_password() {
    let database =
        DatabaseConfig::External(Secret::new("postgres://canopy:hunter2@127.0.0.1:1/canopy"));
    let err = Application::build(config("127.0.0.1:0", database))
        .await
        .err()
        .unwrap();
    let message = err.to_string();
    assert!(
        message.contains("cannot connect to the database"),
        "{message}"
    );
    assert!(message.contains("127.0.0.1"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn malformed_database_url_is_a_clear_error() {
    let database = DatabaseConfig::External(Secret::new("not a url"));
    let err = Application::build(config("127.0.0.1:0", database))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("DATABASE_URL"), "{err}");
}

#[tokio::test]
async fn unwritable_data_dir_is_a_clear_error() {
    // A regular file where the data directory should be: nobody can create it.
    let file = std::env::temp_dir().join(format!("canopy-not-a-dir-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    let database = DatabaseConfig::Embedded {
        data_dir: file.join("data"),
    };
    let err = Application::build(config("127.0.0.1:0", database))
        .await
        .err()
        .unwrap();
    std::fs::remove_file(&file).ok();
    let message = err.to_string();
    assert!(message.contains("cannot use data directory"), "{message}");
    assert!(message.contains("CANOPY_DATA_DIR"), "{message}");
}

#[tokio::test]
async fn failed_migration_is_reported_and_leaves_the_database_as_it_was() {
    use sqlx::Executor;
    let options = crate::helpers::fresh_database().await;
    let pool = server::db::connect(options).await.unwrap();
    // A table of the same name but another shape: the first migration cannot apply.
    pool.execute("CREATE TABLE saved_profiles (x int)")
        .await
        .unwrap();
    let err =
        server::db::Database::from_pool(pool.clone(), app::domain::status::DatabaseMode::External)
            .await
            .err()
            .expect("migration must fail");
    let message = err.to_string();
    assert!(message.contains("database migration failed"), "{message}");
    // The failed migration rolled back: the user's table is untouched.
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'saved_profiles'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(columns, vec!["x".to_string()]);
}
