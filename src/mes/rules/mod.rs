//! The floor's pure rules: tasks, their workflow and who may take each action (`tasks`); stage facts, their rules
//! field by field and when a shift's facts close (`facts`); how they feed the production figures (`feed`); what a planner writes (`orders`); the values the wire
//! carries (`views`).

pub mod facts;
pub mod feed;
pub mod orders;
pub mod tasks;
pub mod views;
