//! HTTP tests, one binary with a module per area: the production router (`build_router`) over a fresh migrated
//! database per test, driven in process.

mod account;
mod audit;
mod catalog;
mod fabrication;
mod files;
mod helpers;
mod identity;
mod identity_invitations;
mod inventory_stock;
mod inventory_upload;
mod mes;
mod notify;
mod pipeline;
mod production;
mod production_causes;
mod production_plant;
mod production_stops;
mod server_fns;
mod stockroom;
