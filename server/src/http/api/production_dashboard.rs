//! The dashboards' HTTP side that is not a server function: `GET /production/live`, the server-sent events a live
//! dashboard listens to (a `changed` event, at most one a second, whenever its plant's units or stops change; a
//! `ready` event on connecting, after which the page refreshes once in case it missed one), and
//! `GET /production/dashboard.csv`, the CSV of what a dashboard shows for the same filters as the page, and
//! `GET /production/causes.csv?cause=availability|performance|quality`, the causes a drill-down lists, and
//! `GET /production/shift-report.csv?line=…&shift=…&day=…`, a shift report. For people and keys holding
//! `production:read`; none is in the OpenAPI document (a stream and downloads).

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use futures_util::Stream;
use nexus::codes::ErrorCode;
use nexus::identity::rules::auth::ApiScope;
use nexus::production::rules::dashboard::{Cause, Query, ReportAsk, View};
use nexus::production::service::{causes, dashboard, report};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::{ApiCaller, ApiQuery};

/// Changes of one plant closer together than this are one event.
const COALESCE: Duration = Duration::from_secs(1);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/production/live", get(live))
        .route("/production/dashboard.csv", get(export))
        .route("/production/causes.csv", get(export_causes))
        .route("/production/shift-report.csv", get(export_report))
}

async fn live(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    caller.require(ApiScope::ProductionRead)?;
    let tenant = caller.tenant_id();
    // Bounded per caller and per process, and ended when the caller's session or key ends (issue 22).
    let pass = st.streams.open(caller)?;
    let rx = st.live.subscribe();
    let closing = st.live.closing();
    let state = (rx, closing, pass, None::<Instant>);
    let stream = futures_util::stream::unfold(state, move |(mut rx, mut closing, mut pass, last)| async move {
        let Some(last) = last else {
            let ready = Event::default().event("ready").data(Utc::now().to_rfc3339());
            return Some((Ok(ready), (rx, closing, pass, Some(Instant::now() - COALESCE))));
        };
        loop {
            let heard = tokio::select! {
                heard = rx.recv() => heard,
                // The server is shutting down: the stream ends (the browser reconnects to the next server).
                _ = closing.wait_for(|c| *c) => return None,
                // The session was logged out or revoked, the key revoked: nothing more for it.
                _ = pass.ended() => return None,
            };
            match heard {
                Ok(Some(t)) if t != tenant => {}
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    let wait = COALESCE.saturating_sub(last.elapsed());
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    // Whatever came meanwhile is in this one refresh.
                    while matches!(rx.try_recv(), Ok(_) | Err(TryRecvError::Lagged(_))) {}
                    let changed = Event::default().event("changed").data(Utc::now().to_rfc3339());
                    return Some((Ok(changed), (rx, closing, pass, Some(Instant::now()))));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

async fn export(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(q): ApiQuery<Query>,
) -> Result<Response, AppError> {
    let (view, csv) = dashboard::export_csv(&st.pool, caller, &q).await?;
    Ok(download(&format!("produccion-{}", span_name(&view)), csv))
}

/// Which causes `causes.csv` lists.
#[derive(serde::Deserialize)]
struct CauseParam {
    cause: Option<String>,
}

async fn export_causes(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(q): ApiQuery<Query>,
    ApiQuery(c): ApiQuery<CauseParam>,
) -> Result<Response, AppError> {
    let cause =
        c.cause.as_deref().and_then(Cause::parse).ok_or_else(|| AppError::field("cause", ErrorCode::InvalidInput))?;
    let (view, csv) = causes::causes_csv(&st.pool, caller, &q, cause).await?;
    Ok(download(&format!("causas-{}-{}", cause.as_str(), span_name(&view)), csv))
}

/// Which shift report (each optional, as on the page).
#[derive(serde::Deserialize)]
struct ReportParams {
    line: Option<i32>,
    shift: Option<i32>,
    day: Option<chrono::NaiveDate>,
}

async fn export_report(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> Result<Response, AppError> {
    let ask = ReportAsk { line: p.line.map(nexus::ids::LineId), shift: p.shift.map(nexus::ids::ShiftId), day: p.day };
    let (r, csv) = report::report_csv(&st.pool, caller, ask).await?;
    Ok(download(&format!("turno-{}-{}-{}", r.line.code, r.shift.name, r.key.day), csv))
}

fn span_name(view: &View) -> String {
    format!("{}-{}", view.from.format("%Y%m%d%H%M"), view.to.format("%Y%m%d%H%M"))
}

/// A CSV download named `name.csv`: the name as it is for browsers that read `filename*` (RFC 6266, UTF-8), and
/// in ASCII for those that do not.
fn download(name: &str, csv: String) -> Response {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let utf8 = utf8_percent_encode(&format!("{name}.csv"), NON_ALPHANUMERIC).to_string();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}.csv\"; filename*=UTF-8''{utf8}")),
        ],
        // A BOM: spreadsheets then read the accents right.
        format!("\u{feff}{csv}"),
    )
        .into_response()
}
