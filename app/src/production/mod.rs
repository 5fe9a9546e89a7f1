//! The plant's production pages: `/production`, the dashboard of the person's role (KPI cards, production over time,
//! product distribution, line comparison, downtime table and Pareto), with the filters the plant configured, live
//! updates, drill-down to the minutes and formula behind a figure, CSV export, and classifying stops.

pub mod charts;
pub mod dashboard;
pub mod queries;
pub mod settings;

use leptos::prelude::*;
use nexus::production::rules::dashboard::{DrillData, Query, Setup, View};

use crate::error::AppError;

#[server(prefix = "/api", endpoint = "ui/production/setup")]
pub async fn production_setup() -> Result<Setup, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::production::service::dashboard::setup(&st.pool, &caller).await?)
}

#[server(prefix = "/api", endpoint = "ui/production/view")]
pub async fn production_view(#[server(default)] q: Query) -> Result<View, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    Ok(nexus::production::service::dashboard::view(&st.pool, &caller, &q).await?)
}

/// What a drilled figure (`figure`, its key in the URL) drills down to: its minutes and causes.
#[server(prefix = "/api", endpoint = "ui/production/drill")]
pub async fn production_drill(#[server(default)] q: Query, figure: String) -> Result<DrillData, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let cause = nexus::production::rules::dashboard::Cause::of_figure(&figure);
    Ok(nexus::production::service::dashboard::drill(&st.pool, &caller, &q, cause).await?)
}

/// Gives a stop its reason (`reason` empty: unclassified) and note.
#[server(prefix = "/api", endpoint = "ui/production/classify")]
pub async fn classify_stop(id: i64, reason: String, note: Option<String>) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    let reason = match reason.trim() {
        "" => None,
        r => Some(
            r.parse::<nexus::ids::ReasonId>()
                .map_err(|_| AppError::field("reason", nexus::codes::ErrorCode::InvalidInput))?,
        ),
    };
    nexus::production::service::dashboard::classify(
        &st.pool,
        &user,
        &crate::state::meta(),
        id,
        reason,
        note.as_deref(),
    )
    .await?;
    Ok(())
}

crate::ui::area_pages!(
    production_pages;
    /// `/production`.
    ProductionRoute => dashboard::ProductionPage,
    /// `/production/settings`.
    SettingsRoute => settings::SettingsPage,
    /// `/production/queries`.
    QueriesRoute => queries::QueriesPage,
);
