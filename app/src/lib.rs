//! Canopy's Leptos crate.
//!
//! - [`domain`]: pure logic (no IO), compiled for the server and the browser.
//! - [`api`]: server functions, one file per area; thin: validate, call a port, map errors.
//! - [`pages`] and [`components`]: what the user sees.
//! - `ports` (ssr only): the small traits the server crate implements and provides
//!   through Leptos context, so this crate never knows about SQL, HTTP clients or SSH.

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;

pub use app::{App, shell};

/// Entry point of the browser bundle: hydrates the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
