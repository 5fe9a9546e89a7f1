//! The floor's pure rules: tasks, their workflow and who may take each action (`tasks`); the values the wire
//! carries (`views`).

pub mod tasks;
pub mod views;
