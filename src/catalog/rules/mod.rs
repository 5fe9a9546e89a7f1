//! Pure catalog rules: no IO. Shared with the browser (the search box classifies as the server does).

pub mod import;
pub mod kinds;
pub mod legacy;
pub mod number;
pub mod part;
pub mod query;
pub mod search;
