//! Fabrication: the parts a team makes for itself (a tool room, a maintenance shop, a prototype cell; seed 004), on
//! the workflow mechanism MES tasks use (`crate::workflow`), the shared files (`crate::files`) and the notification
//! centre. Tenant data, under row-level security.
//!
//! # Rules
//!
//! `rules` is pure: `parts.rs` (the workflow's table, with actions of several targets chosen by a part's type; who
//! may take each action; a part rebuilt from its events; what a part is written with), `list.rs` (the table's orders
//! and keyset cursor, what a query asks for), `views.rs` (the values the wire carries).
//!
//! # Tables
//!
//! Migration `20261209000001`: subsystems (data per organisation), the claims' lease, parts (state and version
//! changed only by the workflow, a claim a lease, check constraints that refuse an illegal state whatever the code
//! does), drawing revisions (files kept by `files`), and stays (how long each part spent in each state: what the
//! statistics read). The parts' events are the workflow's (`workflow_events`, subject `fabrication_part`).
//!
//! # Flows
//!
//! `service/parts.rs`: parts asked for, edited, listed (search, filters, keyset pages in five orders), a board, a
//! part with its drawings and timeline; `service/actions.rs`: every workflow action (one conditional update on the
//! version read: of two people claiming at once exactly one wins, the other is told who); `service/drawings.rs`;
//! `service/stats.rs`; `service/setup.rs` (subsystems, the lease); `service/leases.rs` (the job that expires claims
//! past their lease, each an event and a notice to its holder); `service/demo.rs` (Planta Demo's tool room).

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(all(test, feature = "ssr"))]
mod tests;
