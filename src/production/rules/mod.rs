//! Pure production rules: no IO. The OEE calculation (`oee`) and the shift calendar (`calendar`).

pub mod calendar;
pub mod downtime;
pub mod oee;
