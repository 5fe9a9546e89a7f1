//! REST for the parts catalog: the one-box search, a part, its aftermarket alternatives, the bodegas that have it,
//! and the vehicle cascade. Open to API keys with `catalog:read` and to people whose role reads the catalog
//! (workshops, warehouses, owners, platform admins).
//!
//! A part's availability (other bodegas' stock and prices) is narrower: people need the availability permission
//! (workshops, owners, platform admins: not a bodega's staff), and a key needs `catalog:read` *and* a creator whose
//! role holds that permission today (an owner's key serves an ERP or a workshop's system; a key minted by a bodega's
//! staff gets 403, as its creator would), so no key ever reads what its creator may not.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use nexus::catalog::rules::part::{Alternative, Fit, OtherNumber, PartDetail, VehicleOptions};
use nexus::catalog::rules::query::QUERY_MAX_CHARS;
use nexus::catalog::rules::search::{
    GroupCount, NumberHit, NumberSource, PAGE_DEFAULT, PAGE_MAX, PartHit, SearchCursor, SearchPage, SearchRequest,
    Segment, Understood, VehicleFilter,
};
use nexus::catalog::service::parts;
use nexus::codes::ErrorCode;
use nexus::identity::rules::auth::{ApiScope, Permission};
use nexus::ids::PartId;
use nexus::inventory::service::stock::{Offer, availability as stock_availability};
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ApiQuery, ApiResult, ErrorBody, Reader};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parts/search", get(search_parts))
        .route("/parts/{id}", get(part))
        .route("/parts/{id}/aftermarket", get(aftermarket))
        .route("/parts/{id}/availability", get(availability))
        .route("/vehicles", get(vehicles))
}

const _: () = assert!(QUERY_MAX_CHARS == 200 && PAGE_MAX == 100, "the parameter bounds below state these");

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for: part numbers (OEM or aftermarket, any separators), Spanish words, vehicle names, mixed
    /// ("hilux pastillas delanteras", "90915 filtro").
    #[param(max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    q: Option<String>,
    /// Vehicle make (from `GET /api/v1/vehicles`).
    #[param(max_length = 80, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    make: Option<String>,
    /// Vehicle model (needs `make`).
    #[param(max_length = 80, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    model: Option<String>,
    /// Model year (needs `model`).
    #[param(minimum = 1900, maximum = 2100)]
    year: Option<i16>,
    /// Engine (needs `year`).
    #[param(max_length = 80, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    engine: Option<String>,
    /// A group id (from a first page's `groups`): its parts and those of the groups below it.
    #[param(minimum = 1, maximum = 2147483647)]
    group: Option<i32>,
    /// The `next` cursor of the previous page.
    #[param(pattern = r"^([0-3]\.-?[0-9]{1,9}\.[0-9]{1,18})?$")]
    after: Option<String>,
    /// Results per page (1–100, default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u16>,
}

/// Searches the catalog. The first page (no `after`) also says how many parts match and how they spread over groups.
#[utoipa::path(get, path = "/api/v1/parts/search", tag = "catalog", params(SearchParams),
    responses((status = 200, body = SearchPage), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "the key lacks catalog:read, or the role the catalog"),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["catalog:read"])))]
async fn search_parts(
    State(st): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Reader(from): Reader,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchPage>> {
    caller.require(ApiScope::CatalogRead)?;
    let limit = p.limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::field("limit", ErrorCode::InvalidInput));
    }
    let after = nexus::paging::after::<SearchCursor>(p.after.as_deref(), ())?;
    let req = SearchRequest {
        q: p.q.unwrap_or_default(),
        vehicle: VehicleFilter { make: p.make, model: p.model, year: p.year, engine: p.engine },
        group: p.group,
        after,
        limit,
    };
    let (cache, req) = (&st.catalog_cache, &req);
    Ok(Json(from.run(|p| async move { cache.search_from(&p, req).await }).await?.as_ref().clone()))
}

fn part_id(raw: &str) -> ApiResult<PartId> {
    raw.parse::<PartId>().map_err(|code| AppError::field("id", code))
}

/// A part: details, the vehicles it fits (consecutive years as one line), its aftermarket alternatives (best tier
/// first) and its other numbers.
#[utoipa::path(get, path = "/api/v1/parts/{id}", tag = "catalog",
    params(("id" = i64, Path, minimum = 1, description = "the part's id (from a search)")),
    responses((status = 200, body = PartDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["catalog:read"])))]
async fn part(
    ApiCaller(caller): ApiCaller,
    Reader(from): Reader,
    Path(id): Path<String>,
) -> ApiResult<Json<PartDetail>> {
    caller.require(ApiScope::CatalogRead)?;
    let id = part_id(&id)?;
    Ok(Json(from.run(|p| async move { parts::part(&p.pool, id).await }).await?))
}

/// A part's aftermarket alternatives, best tier first, then by brand.
#[utoipa::path(get, path = "/api/v1/parts/{id}/aftermarket", tag = "catalog",
    params(("id" = i64, Path, minimum = 1, description = "the part's id (from a search)")),
    responses((status = 200, body = Vec<Alternative>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["catalog:read"])))]
async fn aftermarket(
    ApiCaller(caller): ApiCaller,
    Reader(from): Reader,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Alternative>>> {
    caller.require(ApiScope::CatalogRead)?;
    let id = part_id(&id)?;
    Ok(Json(from.run(|p| async move { parts::alternatives(&p.pool, id).await }).await?))
}

/// One bodega's offer of a part, or of an aftermarket product that replaces it.
#[derive(Serialize, ToSchema)]
pub struct OfferBody {
    /// The bodega's name.
    bodega: String,
    /// Where in the bodega; empty for its default location.
    location: String,
    /// The number as the bodega writes it.
    number: String,
    /// An aftermarket product replacing the part (else the part itself).
    aftermarket: bool,
    /// The part's maker, or the aftermarket product's brand.
    brand: String,
    /// Price per unit in cents of `currency`.
    #[schema(minimum = 0)]
    price_cents: i64,
    /// ISO 4217 code.
    #[schema(example = "MXN")]
    currency: String,
    #[schema(minimum = 1)]
    stock: i32,
    #[schema(minimum = 1)]
    min_order_qty: Option<i32>,
    /// When the bodega last confirmed the figure (the last upload naming its location; else the item's last change).
    confirmed_at: DateTime<Utc>,
    /// How to reach the bodega, as it gave them: its phone, address and opening hours (each may be empty).
    phone: String,
    address: String,
    hours: String,
    /// The bodega's country (ISO 3166 alpha-2), whose calling code its phone number has.
    #[schema(example = "MX")]
    country: String,
}

impl From<Offer> for OfferBody {
    fn from(o: Offer) -> Self {
        Self {
            bodega: o.bodega,
            location: o.location,
            number: o.number,
            aftermarket: o.aftermarket,
            brand: o.brand,
            price_cents: o.price.cents,
            currency: o.price.currency,
            stock: o.stock,
            min_order_qty: o.min_order_qty,
            confirmed_at: o.confirmed_at,
            phone: o.phone,
            address: o.address,
            hours: o.hours,
            country: o.country,
        }
    }
}

/// Which active bodegas have the part, or an aftermarket product that replaces it, in stock: cheapest first, at most
/// 200 offers. Needs `catalog:read`, and the availability permission behind the caller: a person's role (workshop,
/// owner, platform admin), or for a key its creator's role.
#[utoipa::path(get, path = "/api/v1/parts/{id}/availability", tag = "catalog",
    params(("id" = i64, Path, minimum = 1, description = "the part's id (from a search)")),
    responses((status = 200, body = Vec<OfferBody>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody,
               description = "the key lacks catalog:read, or the role (a key: its creator's) may not compare bodegas"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["catalog:read"])))]
async fn availability(
    ApiCaller(ref caller): ApiCaller,
    Reader(from): Reader,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<OfferBody>>> {
    // Who may ask comes before what is asked (the service checks again): a 403 is never hidden behind a 422.
    caller.require_with(ApiScope::CatalogRead, Permission::AvailabilityRead)?;
    let id = part_id(&id)?;
    let offers = from.run(|p| async move { stock_availability(&p.pool, caller, id).await }).await?;
    Ok(Json(offers.into_iter().map(OfferBody::from).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VehicleParams {
    #[param(max_length = 80, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    make: Option<String>,
    #[param(max_length = 80, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    model: Option<String>,
    #[param(minimum = 1900, maximum = 2100)]
    year: Option<i16>,
}

/// The vehicle cascade: every make; with `make`, its models; with `model` too, its years; with `year`, its engines.
#[utoipa::path(get, path = "/api/v1/vehicles", tag = "catalog", params(VehicleParams),
    responses((status = 200, body = VehicleOptions), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = ["catalog:read"])))]
async fn vehicles(
    ApiCaller(caller): ApiCaller,
    Reader(from): Reader,
    ApiQuery(p): ApiQuery<VehicleParams>,
) -> ApiResult<Json<VehicleOptions>> {
    caller.require(ApiScope::CatalogRead)?;
    let filter = VehicleFilter { make: p.make, model: p.model, year: p.year, engine: None };
    let filter = &filter;
    Ok(Json(from.run(|p| async move { parts::vehicle_options(&p.pool, filter).await }).await?))
}

#[derive(OpenApi)]
#[openapi(paths(search_parts, part, aftermarket, availability, vehicles),
    components(schemas(SearchPage, PartHit, NumberHit, NumberSource, Segment, GroupCount, Understood, PartDetail, Fit,
                       Alternative, OtherNumber, OfferBody, VehicleOptions)),
    tags((name = "catalog", description = "The parts catalog (keys with catalog:read; workshops, warehouses, owners)")))]
pub struct CatalogApi;
