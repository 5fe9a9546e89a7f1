//! Production monitoring: how a plant's lines are doing and where the losses are (OEE, downtime, production), from
//! the units its machines count. Tenant data (each manufacturer its own), under row-level security.
//!
//! `rules` holds the pure part: the one OEE calculation every screen and export uses, and the shift calendar that
//! says how much time was planned.

pub mod rules;
