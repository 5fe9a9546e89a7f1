//! The plant's production pages: `/production`, the dashboard of the person's role (KPI cards, production over time,
//! product distribution, line comparison, downtime table and Pareto), with the filters the plant configured, live
//! updates, drill-down to the minutes and formula behind a figure, CSV export, and classifying stops.

pub mod charts;
pub mod cycles;
pub mod dashboard;
pub mod dashboards;
pub mod queries;
pub mod report;
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
    // Figures from the replica while it keeps up; the query log on the primary.
    let from = crate::state::read_pool()?;
    let (primary, caller, q) = (&st.pool, &caller, &q);
    Ok(from
        .run(|p| async move { nexus::production::service::dashboard::view_from(&p.pool, primary, caller, q).await })
        .await?)
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

/// Adds a stop the sensors missed on line `line`, from `start` to `end` (local date and time in the plant's zone,
/// as a `datetime-local` field sends them), with a reason (`reason` empty: none) and note. Returns its id.
#[server(prefix = "/api", endpoint = "ui/production/stop_add")]
pub async fn add_stop(
    line: i32,
    start: String,
    end: String,
    reason: String,
    note: Option<String>,
) -> Result<i64, AppError> {
    use nexus::production::service::stops::{LineName, NewStop, When};
    let st = crate::state::state()?;
    let caller = nexus::caller::Caller::User(crate::state::user()?);
    let reason = match reason.trim() {
        "" => None,
        r => Some(
            r.parse::<nexus::ids::ReasonId>()
                .map_err(|_| AppError::field("reason", nexus::codes::ErrorCode::InvalidInput))?,
        ),
    };
    let input = NewStop {
        line: LineName::Id(nexus::ids::LineId(line)),
        start: When::Local(&start),
        end: When::Local(&end),
        reason: nexus::production::service::dashboard::Reason::Id(reason),
        note: note.as_deref(),
    };
    Ok(nexus::production::service::stops::add(&st.pool, &caller, &crate::state::meta(), input).await?)
}

/// Splits stop `id` at `at` (a local date and time in the plant's zone). Returns the new stop's id.
#[server(prefix = "/api", endpoint = "ui/production/stop_split")]
pub async fn split_stop(id: i64, at: String) -> Result<i64, AppError> {
    use nexus::production::service::stops::When;
    let st = crate::state::state()?;
    let caller = nexus::caller::Caller::User(crate::state::user()?);
    Ok(nexus::production::service::stops::split(&st.pool, &caller, &crate::state::meta(), id, When::Local(&at)).await?)
}

crate::ui::area_pages!(
    production_pages;
    /// `/production`.
    ProductionRoute => dashboard::ProductionPage,
    /// `/production/settings`.
    SettingsRoute => settings::SettingsPage,
    /// `/production/queries`.
    QueriesRoute => queries::QueriesPage,
    /// `/production/report`.
    ReportRoute => report::ReportPage,
);
