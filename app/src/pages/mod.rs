//! One module per page.

pub mod history;
pub mod home;
pub mod not_found;
pub mod offers;
pub mod run;
pub mod runs;
pub mod settings;
pub mod spend;
