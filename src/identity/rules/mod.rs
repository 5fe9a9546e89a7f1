//! Pure identity rules: no IO, no database, no HTTP. Everything here compiles to wasm32 and is unit-tested in isolation.

pub mod account;
pub mod auth;
pub mod invitation;
pub mod tenant;
pub mod throttle;
