//! The floor's flows: tasks (`tasks`) and their attachments (`attachments`), production orders, their stage facts and
//! the plant's current shift (`orders`), how facts feed the production figures (`feed`), what orders need from the
//! stock room and consumed (`materials`), and Planta Demo's (`demo`).

pub mod attachments;
pub mod demo;
mod feed;
pub mod materials;
pub mod orders;
pub mod tasks;
