//! The workflow mechanism: what every area whose things move through states shares (MES tasks; fabrication parts
//! next), so none writes a second one.
//!
//! - `machine` (pure): a machine is a table of transitions over the area's typed states and actions ([`machine::Machine`]);
//!   a refused transition is one [`machine::TransitionProblem`] (409 naming the state and who put it there, or 403
//!   naming the rule); a subject's events rebuild its state ([`machine::replay`]).
//! - `service`: a transition's event is recorded in the transaction of the subject's conditional update (the area's
//!   own statement, `… where version = $seen`: of two people acting at once exactly one changes the row), the
//!   timeline read back with who did each step, and a request's idempotency key looked up so that a request sent again
//!   is answered, not applied twice.
//!
//! Table `workflow_events` (migration `20261206000001`): append-only for everyone; one event per version of a
//! subject (a unique key), so two transitions from one version can never both be recorded.

pub mod machine;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
