//! The stock room's pages: its items with their balances (`/stock`), an item's places, levels and history with the
//! running balance (`/stock/items/:id`), an item written (`/stock/items/new`, `/stock/items/:id/edit`), the scan-first counter where stock is issued, returned, received and
//! transferred (`/stock/counter`), the low-stock alerts (`/stock/alerts`), stocktakes (`/stock/stocktakes`), labels
//! (`/stock/labels`), the room's set-up (`/stock/setup`) and its item list imported and exported (`/stock/import`). Everything they show and do goes
//! through `nexus::stockroom::service`, the same calls REST makes.

pub mod alerts;
pub mod camera;
pub mod counter;
pub mod export;
pub mod import;
pub mod item;
pub mod item_form;
pub mod items;
pub mod labels;
pub mod setup;
pub mod stocktakes;
pub mod texts;

use leptos::prelude::*;
use nexus::ids::{DepartmentId, UserId};
use nexus::stockroom::rules::views::{Department, Person};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

crate::ui::area_pages!(
    stockroom_pages;
    /// `/stock`.
    ItemsRoute => items::ItemsPage,
    /// `/stock/items/:id`.
    ItemRoute => item::ItemPage,
    /// `/stock/items/new`.
    NewItemRoute => item_form::NewItemPage,
    /// `/stock/items/:id/edit`.
    EditItemRoute => item_form::EditItemPage,
    /// `/stock/counter`.
    CounterRoute => counter::CounterPage,
    /// `/stock/alerts`.
    AlertsRoute => alerts::AlertsPage,
    /// `/stock/stocktakes`.
    StocktakesRoute => stocktakes::StocktakesPage,
    /// `/stock/stocktakes/:id`.
    StocktakeRoute => stocktakes::StocktakePage,
    /// `/stock/labels`.
    LabelsRoute => labels::LabelsPage,
    /// `/stock/setup`.
    SetupRoute => setup::SetupPage,
    /// `/stock/import`.
    ImportRoute => import::ImportPage,
);

/// The counter's page: a full load (its document alone may use the camera; see the server's `security_headers`).
pub const COUNTER_PATH: &str = "/stock/counter";

/// What every stock page needs to know of the room: its departments, its people, and where the caller belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub departments: Vec<Department>,
    pub people: Vec<Person>,
    pub me: UserId,
    /// The caller's department, if they have one.
    pub mine: Option<DepartmentId>,
}

impl Room {
    pub fn department_name(&self, id: DepartmentId) -> String {
        self.departments.iter().find(|d| d.id == id).map_or_else(|| format!("#{}", id.0), |d| d.name.clone())
    }

    /// Departments still in use, the caller's first.
    pub fn live_departments(&self) -> Vec<Department> {
        let mut live: Vec<Department> = self.departments.iter().filter(|d| !d.archived).cloned().collect();
        live.sort_by_key(|d| (Some(d.id) != self.mine, d.name.clone()));
        live
    }
}

#[server(prefix = "/api", endpoint = "ui/stock/room")]
pub async fn stock_room() -> Result<Room, AppError> {
    use nexus::stockroom::service::setup;
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let me = caller.user()?.user_id;
    let departments = setup::departments(&st.pool, &caller).await?;
    let people = setup::people(&st.pool, &caller).await?;
    let mine = people.iter().find(|p| p.id == me).and_then(|p| p.department);
    Ok(Room { departments, people, me, mine })
}
