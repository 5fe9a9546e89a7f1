//! The floor's flows: tasks (`tasks`), production orders, their stage facts and the plant's current shift (`orders`),
//! and Planta Demo's (`demo`).

pub mod demo;
pub mod orders;
pub mod tasks;
