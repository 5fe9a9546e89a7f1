//! The audit log page: browse with filters and keyset paging, export as CSV.

pub mod log;
