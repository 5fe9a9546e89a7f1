//! MES work control: the floor's tasks (seed 002), on the workflow mechanism (`crate::workflow`), the production
//! area's lines and the notification centre. Tenant data, under row-level security.
//!
//! # Rules
//!
//! `rules` is pure: `tasks.rs` (the workflow's table of transitions and who may take each action, what a task is
//! written with, @mentions), `facts.rs` (stage facts' rules field by field, when a shift's facts close, progress and
//! an order's state), `views.rs` (the values the wire carries).
//!
//! # Tables
//!
//! Migration `20261206000001`: task categories, tasks (state and version changed only by transitions), comments
//! (never edited), read marks; the transitions' events are the workflow's (`workflow_events`). Migration
//! `20261207000001`: stages, scrap reasons, orders and their route with each stage's sums, facts (append-only, a
//! reversal at most once per fact), the plant's grace, a manager's reopenings of a shift.
//!
//! # Flows
//!
//! `service/tasks.rs`: created for a person or a role, listed, read, moved through the workflow (one conditional
//! update on the version read: exactly one of two racing people wins, the other is told who), commented, read; a
//! line's open blockers for its dashboard. `service/orders.rs`: orders and their route, facts recorded against the
//! plant's calendar and closed after its shifts, reversals, reopenings, the current shift.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(all(test, feature = "ssr"))]
mod tests;
