//! Server functions, one file per area. Each is thin: validate, call a port, map errors.

pub mod offers;
pub mod runs;
pub mod save_profile;
pub mod saved_profiles;
pub mod status;

/// The [`Services`](crate::ports::Services) of this request, or a server error
/// that says the server was wired wrongly (never a panic).
#[cfg(feature = "ssr")]
pub(crate) fn services() -> Result<crate::ports::Services, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<crate::ports::Services>().ok_or_else(|| {
        leptos::prelude::ServerFnError::new("server misconfigured: no services in context")
    })
}
