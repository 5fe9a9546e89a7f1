//! Production monitoring: how a plant's lines are doing and where the losses are (OEE, downtime, production), from
//! the units its machines count. Tenant data (each manufacturer its own), under row-level security.
//!
//! `rules` holds the pure part: the one OEE calculation every screen and export uses, the shift calendar that says
//! how much time was planned, downtime found in the gaps between units, and the check of a batch of units sent in.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
