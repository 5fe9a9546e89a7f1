//! The stock room's SQL (private to the area): its set-up (`setup`), the ledger (`ledger`), its alerts (`alerts`) and
//! stocktakes (`stocktake`), the items that are catalog parts (`shelf`); the demo's own (`demo`).

pub(in crate::stockroom) mod alerts;
pub(in crate::stockroom) mod demo;
pub(in crate::stockroom) mod export;
pub(in crate::stockroom) mod import;
pub(in crate::stockroom) mod ledger;
pub(in crate::stockroom) mod setup;
pub(in crate::stockroom) mod shelf;
pub(in crate::stockroom) mod stocktake;
