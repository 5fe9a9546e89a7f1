//! Files people attach (a task's photos and documents; fabrication's drawings next): checked before a byte is kept
//! (`rules`: the size, the type read from the content, a name whose extension says otherwise refused), kept once per
//! organisation by their SHA-256 in PostgreSQL (`store`, behind `ssr`), and read back by that hash (`service`). An
//! area keeps its own rows naming a file (a task's attachment: its name, who, when) and goes through `service`.

pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
