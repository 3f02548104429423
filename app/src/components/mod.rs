//! Widgets shared by several pages.

pub mod banner;
pub mod nav;
pub mod not_built;
