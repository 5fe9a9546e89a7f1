//! The stock room: a plant's or a workshop's store of tools, consumables, spare parts and raw material. Tenant data
//! (each organisation its own), under row-level security.
//!
//! # Rules
//!
//! `rules` is pure: `quantity.rs` (units and quantities in thousandths, exact, read from either decimal mark),
//! `ledger.rs` (a posting's lines checked whole and named by field; the movements they make; the one global order
//! balances are locked in; the ledger's arithmetic as a pure model with its property test), `mod.rs` (the set-up's
//! checks: departments, a categories' tree that stays a tree, items, levels), `views.rs` (the values the wire carries).
//!
//! # Tables
//!
//! Migration `20261201000001`: departments, categories, items, barcodes, levels (threshold, reorder, on order),
//! members (a person's department), postings (each under its idempotency key), the movements' ledger, balances,
//! alerts and stocktakes. The ledger is append-only (no UPDATE or DELETE for the application role, and a trigger that
//! refuses them for any role); balances are kept by the ledger's own trigger in the statement that records each
//! movement and can never be negative (a check constraint: whatever races, the database refuses the movement that
//! would take a balance below zero); the application role cannot write a balance. The same trigger opens a
//! department's alert when an item falls below its threshold (counting what is on order) and closes it when stock
//! recovers: one open alert per item and department (a unique partial index), so a crossing raced by a hundred
//! movements opens exactly one.
//!
//! # Flows
//!
//! `service/ledger.rs` posts (see there), reverses, and reads history, balances as of a moment and the ledger's check;
//! `service/setup.rs` sets the room up and finds what a scanner read; `service/alerts.rs` lists, acknowledges and
//! assigns alerts and tells their recipients through the notification centre (`crate::notify`) in the posting's
//! transaction.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(all(test, feature = "ssr"))]
mod tests;
