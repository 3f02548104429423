use crate::helpers::spawn_app;

#[tokio::test]
async fn every_page_renders_with_nav_and_title() {
    let app = spawn_app().await;
    for (path, title) in [
        ("/", "<title>Canopy</title>"),
        ("/offers", "<title>Offers · Canopy</title>"),
        ("/runs", "<title>Runs · Canopy</title>"),
        ("/history", "<title>History · Canopy</title>"),
        ("/spend", "<title>Spend · Canopy</title>"),
        ("/settings", "<title>Settings · Canopy</title>"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(title), "{path} has no {title}");
        for section in ["/offers", "/runs", "/history", "/spend", "/settings"] {
            assert!(
                html.contains(&format!("href=\"{section}\"")),
                "{path} lacks nav link {section}"
            );
        }
        assert!(
            html.contains("Simulated marketplace"),
            "{path} lacks the simulator banner"
        );
    }
}

#[tokio::test]
async fn unbuilt_pages_say_so() {
    let app = spawn_app().await;
    for path in ["/history", "/spend"] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(
            html.contains("Not built yet"),
            "{path} should say what is missing"
        );
    }
}

#[tokio::test]
async fn settings_shows_the_wiring() {
    let app = spawn_app().await;
    let html = app.get("/settings").await.text().await.unwrap();
    assert!(html.contains("Built-in simulator"));
    assert!(html.contains("answering"));
}

#[tokio::test]
async fn unknown_path_is_a_real_404_page() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
}
