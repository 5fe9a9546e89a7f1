//! Fabrication's SQL, one module per aggregate: `parts` (a part's own statements, its stays, subsystems, settings),
//! `list` (reading parts: the table, by id, the board, counts), `drawings`, `stats`.

pub(super) mod drawings;
pub(super) mod list;
pub(super) mod parts;
pub(super) mod stats;
