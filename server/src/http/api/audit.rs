//! REST for the audit log: list (JSON, keyset-paginated) and export (CSV, formula-safe). People with the audit
//! permission and API keys with `audit:read` (a SIEM pulling the log) may read it; each sees its own tenant, a platform
//! admin every tenant.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use nexus::audit::{AuditEntry, AuditQuery};
use nexus::ids::{TenantId, UserId};
use nexus::paging::Page;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiQuery, ApiResult, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list)).route("/audit/export.csv", get(export))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only actions starting with this (e.g. `auth.`).
    #[param(max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    action: Option<String>,
    /// Only entries by this actor (e-mail or key name).
    #[param(max_length = 254, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    actor: Option<String>,
    /// The `next` cursor of the previous page.
    #[param(pattern = "^([0-9]{1,16}_[0-9]{1,18})?$")]
    after: Option<String>,
    /// Entries per page (1–500, default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// Filters, cursor and page size are checked by `nexus::audit`, for every caller.
impl From<AuditParams> for AuditQuery {
    fn from(p: AuditParams) -> Self {
        AuditQuery { action_prefix: p.action, actor_email: p.actor, after: p.after, limit: p.limit }
    }
}

/// The export takes the list's filters; it has no pages (up to 100,000 rows, newest first).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Only actions starting with this (e.g. `auth.`).
    #[param(max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    action: Option<String>,
    /// Only entries by this actor (e-mail or key name).
    #[param(max_length = 254, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    actor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryBody {
    id: i64,
    at: DateTime<Utc>,
    tenant_id: TenantId,
    tenant_name: Option<String>,
    actor_user_id: Option<UserId>,
    actor: Option<String>,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    ip: Option<String>,
    request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            tenant_id: e.tenant_id,
            tenant_name: e.tenant_name,
            actor_user_id: e.actor_user_id,
            actor: e.actor,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            before: e.before,
            after: e.after,
            ip: e.ip,
            request_id: e.request_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEntryBody>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

impl From<Page<AuditEntry>> for AuditPage {
    fn from(p: Page<AuditEntry>) -> Self {
        Self { items: p.items.into_iter().map(AuditEntryBody::from).collect(), next: p.next }
    }
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "the key lacks audit:read, or the role the audit permission"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["audit:read"])))]
async fn list(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Json<AuditPage>> {
    Ok(Json(nexus::audit::list(&st.pool, caller, &params.into()).await?.into()))
}

/// The audit log as CSV (same filters; up to 100,000 rows), every cell formula-neutralized.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(ExportParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["audit:read"])))]
async fn export(
    State(st): State<AppState>,
    ApiCaller(ref caller): ApiCaller,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let q = AuditQuery { action_prefix: params.action, actor_email: params.actor, ..AuditQuery::default() };
    let csv = nexus::audit::export_csv(&st.pool, caller, &q).await?;
    Ok(super::csv_attachment(&format!("nexus-audit-{}.csv", Utc::now().format("%Y%m%d-%H%M")), csv))
}

#[derive(OpenApi)]
#[openapi(paths(list, export), components(schemas(AuditPage, AuditEntryBody)),
    tags((name = "audit", description = "The audit log (people with the audit permission; keys with audit:read)")))]
pub struct AuditApi;
