//! Pure domain logic: no IO, no database, no HTTP. Everything here compiles to wasm32 and is unit-tested in isolation.

pub mod account;
pub mod auth;
pub mod codes;
pub mod csv_safe;
