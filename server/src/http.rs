//! The axum router: Leptos pages and server functions, static files, `/healthz`.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::Stream;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use app::domain::run_view::RunView;
use app::ports::{RunControl, RunError, Services};
use app::{App, shell};
use tokio::sync::broadcast;

use crate::error::CanopyError;
use crate::runs::{RunBus, RunService};

/// No request of this app legitimately takes longer (pages render in
/// milliseconds; nothing streams yet). A stalled server render — seen very
/// rarely, see README — then ends in a 503 the user can retry, not a page
/// that spins forever.
const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub runs: RunService,
    pub bus: RunBus,
}

pub fn router(services: Services, runs: RunService, bus: RunBus) -> Result<Router, CanopyError> {
    let conf = get_configuration(None).map_err(|e| CanopyError::Leptos(e.to_string()))?;
    let state = AppState {
        leptos_options: conf.leptos_options,
        services,
        runs,
        bus,
    };
    let routes = generate_route_list(App);
    let context = {
        let services = state.services.clone();
        move || provide_context(services.clone())
    };
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/runs/{id}/stream", get(run_stream))
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

/// Server-sent events for one run: the run JSON now, then again after every
/// watcher check, until the run has ended. Each event is a whole `RunView`
/// (a few KB), so a client that missed some is still exactly up to date.
async fn run_stream(
    State(runs): State<RunService>,
    State(bus): State<RunBus>,
    Path(id): Path<i64>,
) -> Response {
    // Subscribe before reading, so no change between the two is missed.
    let rx = bus.subscribe();
    match runs.show(id).await {
        Ok(first) => Sse::new(run_events(id, first, rx, runs))
            .keep_alive(KeepAlive::default())
            .into_response(),
        Err(RunError::NotFound(_)) => (StatusCode::NOT_FOUND, "no such run").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

fn run_events(
    id: i64,
    first: RunView,
    rx: broadcast::Receiver<i64>,
    runs: RunService,
) -> impl Stream<Item = Result<Event, Infallible>> {
    struct S {
        next: Option<RunView>,
        rx: broadcast::Receiver<i64>,
        runs: RunService,
        done: bool,
    }
    let state = S {
        next: Some(first),
        rx,
        runs,
        done: false,
    };
    futures::stream::unfold(state, move |mut s| async move {
        if s.done {
            return None;
        }
        let view = match s.next.take() {
            Some(v) => v,
            None => {
                loop {
                    match s.rx.recv().await {
                        Ok(changed) if changed == id => break,
                        Ok(_) => {}
                        // Missed some: the next read is current anyway.
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
                s.runs.show(id).await.ok()?
            }
        };
        s.done = !view.is_live;
        let event = Event::default()
            .event("run")
            .json_data(&view)
            .unwrap_or_else(|_| {
                Event::default()
                    .event("error")
                    .data("cannot encode the run")
            });
        Some((Ok(event), s))
    })
}
