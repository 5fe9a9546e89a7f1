//! Fabrication's pages: the shop's parts (seed 004): the table (`/fabrication/parts`: search, filters, five orders,
//! keyset pages, all kept in the URL), the board (`/fabrication/board`: a column per state, cards moved by drag and
//! drop or by keyboard, live), a part (`/fabrication/parts/:id`: what to make, the claim's countdown, the actions,
//! the drawing and its revisions, the timeline), a new part and an edit (`/fabrication/parts/new`, `…/:id/edit`), the
//! statistics with their charts (`/fabrication/stats`), a lead's set-up: subsystems and the claims' lease
//! (`/fabrication/setup`).
//! Everything they show and do goes through `nexus::fabrication::service`, the same calls REST makes. `texts.rs`:
//! the area's words.

pub mod board;
pub mod drawings;
pub mod part;
pub mod part_form;
pub mod parts;
pub mod setup;
pub mod stats;
pub mod texts;

crate::ui::area_pages!(
    fabrication_pages;
    /// `/fabrication/parts`.
    PartsRoute => parts::PartsPage,
    /// `/fabrication/board`.
    BoardRoute => board::BoardPage,
    /// `/fabrication/parts/:id`.
    PartRoute => part::PartRoutePage,
    /// `/fabrication/parts/new`.
    NewPartRoute => part_form::NewPartPage,
    /// `/fabrication/parts/:id/edit`.
    EditPartRoute => part_form::EditPartPage,
    /// `/fabrication/stats`.
    StatsRoute => stats::StatsPage,
    /// `/fabrication/setup`.
    SetupRoute => setup::SetupPage,
);
