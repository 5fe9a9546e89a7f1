//! The floor's flows: tasks (`tasks`), production orders, their stage facts and the plant's current shift (`orders`), what orders need
//! from the stock room and consumed (`materials`),
//! and Planta Demo's (`demo`).

pub mod demo;
mod feed;
pub mod materials;
pub mod orders;
pub mod tasks;
