//! The floor's SQL, one module per aggregate.

pub(in crate::mes) mod attachments;
pub(in crate::mes) mod materials;
pub(in crate::mes) mod orders;
pub(in crate::mes) mod tasks;
