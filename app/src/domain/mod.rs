//! Pure domain logic: no IO, no clocks, no globals. Everything here compiles to
//! wasm too, so the browser can run the same rules the server does.

pub mod status;
