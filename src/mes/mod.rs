//! MES work control: the floor's tasks (seed 002), on the workflow mechanism (`crate::workflow`), the production
//! area's lines and the notification centre. Tenant data, under row-level security.
//!
//! # Rules
//!
//! `rules` is pure: `tasks.rs` (the workflow's table of transitions and who may take each action, what a task is
//! written with, @mentions), `views.rs` (the values the wire carries).
//!
//! # Tables
//!
//! Migration `20261206000001`: task categories, tasks (state and version changed only by transitions), comments
//! (never edited), read marks; the transitions' events are the workflow's (`workflow_events`).
//!
//! # Flows
//!
//! `service/tasks.rs`: created for a person or a role, listed, read, moved through the workflow (one conditional
//! update on the version read: exactly one of two racing people wins, the other is told who), commented, read; a
//! line's open blockers for its dashboard.

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(all(test, feature = "ssr"))]
mod tests;
