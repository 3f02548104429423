//! The axum router: Leptos pages and server functions, static files, `/healthz`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use app::ports::Services;
use app::{App, shell};

use crate::error::CanopyError;

/// No request of this app legitimately takes longer (pages render in
/// milliseconds; nothing streams yet). A stalled server render — seen very
/// rarely, see README — then ends in a 503 the user can retry, not a page
/// that spins forever.
const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}

pub fn router(services: Services) -> Result<Router, CanopyError> {
    let conf = get_configuration(None).map_err(|e| CanopyError::Leptos(e.to_string()))?;
    let state = AppState {
        leptos_options: conf.leptos_options,
        services,
    };
    let routes = generate_route_list(App);
    let context = {
        let services = state.services.clone();
        move || provide_context(services.clone())
    };
    let router = Router::new()
        .route("/healthz", get(healthz))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_DEADLINE,
        ))
        .with_state(state);
    Ok(router)
}

/// `{"database_ok":…, "database":…, "marketplace":"real|simulated", "version":…}`;
/// 503 when the database does not answer, so a load balancer can act on it.
async fn healthz(State(services): State<Services>) -> impl IntoResponse {
    let status = services.status().await;
    let code = if status.healthy() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(status))
}
