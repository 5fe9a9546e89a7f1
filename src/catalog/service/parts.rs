//! A part's page (details, the vehicles it fits, its aftermarket alternatives, other numbers), the vehicle cascade
//! and the admin overview of the catalog.

use crate::catalog::rules::kinds::{CrossRefKind, Fuel, QualityTier};
use crate::catalog::rules::part::{
    Alternative, CatalogCounts, CatalogRun, Fit, OtherNumber, PartDetail, VehicleOptions, merge_years, search_examples,
};
use crate::catalog::rules::search::VehicleFilter;
use crate::catalog::store::parts as store;
use crate::db::PgPool;
use crate::error::{Error, Result};
use crate::ids::{AftermarketId, PartId};
use crate::numbers::Money;

/// How many runs the overview lists.
pub const RUNS_LISTED: i64 = 50;

pub async fn part(pool: &PgPool, id: PartId) -> Result<PartDetail> {
    let id = id.0;
    let p = store::part(pool, id).await.map_err(Error::from)?.ok_or(Error::NotFound)?;
    let (fits, alternatives, others) =
        tokio::try_join!(store::fits(pool, id), store::alternatives(pool, id), store::other_numbers(pool, id))
            .map_err(Error::from)?;
    let fits = merge_years(
        fits.into_iter()
            .map(|f| Fit {
                make: f.make,
                model: f.model,
                year_from: f.year_from,
                year_to: f.year_to,
                engine: f.engine,
                displacement_l: f.displacement_l,
                fuel: f.fuel.as_deref().and_then(Fuel::parse),
                position: f.position,
                notes: f.notes,
            })
            .collect(),
    );
    Ok(PartDetail {
        id: PartId(p.id),
        number: p.number,
        manufacturer: p.manufacturer,
        name: p.name,
        description: p.description,
        group: p.group,
        fitment_count: p.fitment_count,
        fits,
        alternatives: alternatives.into_iter().map(alternative).collect::<Result<_>>()?,
        other_numbers: others
            .into_iter()
            .map(|o| Ok(OtherNumber { number: o.number, source: o.source, kind: CrossRefKind::decode(&o.kind)? }))
            .collect::<Result<_>>()?,
    })
}

/// A part's aftermarket alternatives (404 when the part does not exist).
pub async fn alternatives(pool: &PgPool, id: PartId) -> Result<Vec<Alternative>> {
    let id = id.0;
    let (exists, rows) =
        tokio::try_join!(store::exists(pool, id), store::alternatives(pool, id)).map_err(Error::from)?;
    if !exists {
        return Err(Error::NotFound);
    }
    rows.into_iter().map(alternative).collect()
}

fn alternative(a: store::AlternativeRow) -> Result<Alternative> {
    Ok(Alternative {
        id: AftermarketId(a.id),
        brand: a.brand,
        number: a.number,
        name: a.name,
        tier: QualityTier::decode(&a.tier)?,
        reference_price: a.reference_cents.map(|cents| Money::new(cents, a.currency)),
    })
}

/// The cascade's choices for what is selected so far.
pub async fn vehicle_options(pool: &PgPool, filter: &VehicleFilter) -> Result<VehicleOptions> {
    let filter = filter.clone().checked().map_err(|(field, code)| Error::field(field, code))?;
    let (makes, models, years, engines) = store::vehicle_options(pool, &filter).await.map_err(Error::from)?;
    Ok(VehicleOptions { makes, models, years, engines })
}

/// Searches to try on the search page, from the catalog that is loaded (none while it is empty).
pub async fn examples(pool: &PgPool) -> Result<Vec<String>> {
    Ok(search_examples(&store::example_parts(pool).await.map_err(Error::from)?))
}

/// Row counts and the latest runs (platform admins; the edge checks).
pub async fn overview(pool: &PgPool) -> Result<(CatalogCounts, Vec<CatalogRun>)> {
    let (c, runs) = tokio::try_join!(store::counts(pool), store::runs(pool, RUNS_LISTED)).map_err(Error::from)?;
    Ok((
        CatalogCounts {
            parts: c.parts,
            aftermarket: c.aftermarket,
            vehicles: c.vehicles,
            fitment: c.fitment,
            cross_refs: c.cross_refs,
            manufacturers: c.manufacturers,
            groups: c.groups,
            synonyms: c.synonyms,
        },
        runs.into_iter()
            .map(|r| CatalogRun {
                id: r.id.to_string(),
                kind: r.kind,
                status: r.status,
                actor: r.actor,
                source: r.source,
                started_at: r.started_at.to_rfc3339(),
                finished_at: r.finished_at.map(|t| t.to_rfc3339()),
                report: serde_json::to_string_pretty(&r.report).unwrap_or_default(),
            })
            .collect(),
    ))
}
