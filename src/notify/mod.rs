//! The notification centre, for every area: a per-user inbox of notices with an unread count, pushed live (the
//! `notify_inbox` channel at commit, heard by one listener per process: [`live`]), marked read one by one or all at
//! once, and each person's choice per kind of notice: in the app, also by e-mail, or off. An area sends a notice with
//! [`service::send`] inside the transaction of the change it tells of, so the notice exists exactly when the change
//! does. Notices chosen by e-mail, and a daily digest of the unread, go out through [`mail`]'s jobs; an
//! organisation's outgoing webhooks are told of them, signed and retried ([`webhooks`]). Cross-cutting (like `audit`):
//! tables `notify_*` (migrations `20261201000002`, `20261204000001`, `20261204000002`).

pub mod rules;

#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(all(test, feature = "ssr"))]
mod tests;
#[cfg(feature = "ssr")]
pub mod webhooks;
