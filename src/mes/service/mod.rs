//! The floor's flows: tasks (`tasks`) and Planta Demo's (`demo`).

pub mod demo;
pub mod tasks;
