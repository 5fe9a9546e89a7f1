//! Stock room flows: its set-up (`setup`: departments, categories, items with barcodes and levels, people's
//! departments), moving stock (`ledger`), stocktakes (`stocktake`), low-stock alerts (`alerts`) and what they tell
//! people (`notices`); the demo store room (`demo`).

pub mod alerts;
pub mod demo;
pub mod ledger;
mod notices;
pub mod setup;
pub mod stocktake;
