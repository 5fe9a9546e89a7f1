//! `/admin/catalog`: what the catalog holds (rows per table) and the history of imports, migrations and generated
//! data with their reports in words. Platform admins only; loading data is done with `nexus-server catalog …`.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::catalog::rules::part::{CatalogCounts, CatalogRun};
use nexus::identity::rules::auth::Permission;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{CARD, CARD_FLUSH, ErrorBanner, Loading, LocalTime, PageHeader};
use crate::ui::list::{Column, DataTable};
use crate::ui::session::Protected;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewDto {
    pub counts: CatalogCounts,
    pub runs: Vec<CatalogRun>,
}

#[server(prefix = "/api", endpoint = "ui/catalog/overview")]
pub async fn catalog_overview() -> Result<OverviewDto, AppError> {
    let st = crate::state::state()?;
    let user = crate::state::user()?;
    if user.scope() != nexus::db::Scope::Platform {
        return Err(AppError::Forbidden.with_status());
    }
    let (counts, runs) = nexus::catalog::service::parts::overview(&st.pool).await?;
    Ok(OverviewDto { counts, runs })
}

/// The resource is created here, outside `Protected` (see ARCHITECTURE.md: server and browser must create it at the
/// same point).
#[component]
pub fn CatalogAdminPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| catalog_overview());
    view! {
        <Protected permission=Permission::UsersManage>
            <Overview data />
        </Protected>
    }
}

#[component]
fn Overview(data: Resource<Result<OverviewDto, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), catalog.admin_title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, catalog.admin_title)) />
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, catalog.admin_note)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(d) => view! { <OverviewView d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OverviewView(d: OverviewDto) -> impl IntoView {
    let i18n = use_i18n();
    let c = d.counts;
    let l = i18n.get_locale_untracked();
    let tiles: Vec<(&'static str, i64)> = vec![
        (td_string!(l, catalog.count_parts), c.parts),
        (td_string!(l, catalog.count_aftermarket), c.aftermarket),
        (td_string!(l, catalog.count_vehicles), c.vehicles),
        (td_string!(l, catalog.count_fitment), c.fitment),
        (td_string!(l, catalog.count_cross_refs), c.cross_refs),
        (td_string!(l, catalog.count_manufacturers), c.manufacturers),
        (td_string!(l, catalog.count_groups), c.groups),
        (td_string!(l, catalog.count_synonyms), c.synonyms),
    ];
    view! {
        <dl class="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="catalog-counts">
            {tiles.into_iter().map(|(label, n)| view! {
                <div class=CARD>
                    <dt class="text-xs uppercase text-slate-600 dark:text-slate-300">{label}</dt>
                    <dd class="text-2xl font-bold tabular-nums">{move || crate::ui::number::count(i18n.get_locale(), n)}</dd>
                </div>
            }).collect_view()}
        </dl>
        <h2 id="runs-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.runs)}</h2>
        <div class=CARD_FLUSH tabindex="0" aria-labelledby="runs-h">
            <DataTable
                rows=d.runs
                columns=run_columns()
                caption=move || td_string!(i18n.get_locale(), catalog.runs)
                testid="catalog-runs"
                min_width="sm:min-w-[760px]"
                empty=ViewFn::from(move || t!(i18n, catalog.no_runs))
            />
        </div>
    }
}

/// The import runs' columns: when, what, how it ended, who (and from which file), and the report, in words.
fn run_columns() -> Vec<Column<CatalogRun>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_started),
            |r: &CatalogRun| match chrono::DateTime::parse_from_rfc3339(&r.started_at) {
                Ok(at) => view! { <LocalTime at=at.with_timezone(&chrono::Utc) /> }.into_any(),
                Err(_) => r.started_at.clone().into_any(),
            },
        )
        .class("whitespace-nowrap tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_kind),
            move |r: &CatalogRun| {
                let kind = r.kind.clone();
                (move || run_kind_text(i18n.get_locale(), &kind)).into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_status),
            move |r: &CatalogRun| {
                let status = r.status.clone();
                (move || run_status_text(i18n.get_locale(), &status)).into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_actor),
            |r: &CatalogRun| {
                view! {
                <div>{r.actor.clone()}<br /><span class="text-xs text-slate-600 dark:text-slate-300">{r.source.clone()}</span></div>
            }
            .into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_report),
            move |r: &CatalogRun| {
                let report = r.report.clone();
                view! {
                <details>
                    <summary class="cursor-pointer text-[#1a5bb5] dark:text-[#8fbfff]">{t!(i18n, catalog.run_show)}</summary>
                    <ul class="mt-2 max-w-xl space-y-1 text-sm" data-testid="run-report">
                        {move || report_lines(i18n.get_locale(), &report).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ul>
                </details>
            }
            .into_any()
            },
        ),
    ]
}

fn run_kind_text(l: Locale, kind: &str) -> String {
    match kind {
        "import" => td_string!(l, catalog.run_kind_import).to_owned(),
        "migration" => td_string!(l, catalog.run_kind_migration).to_owned(),
        "generate" => td_string!(l, catalog.run_kind_generate).to_owned(),
        other => other.to_owned(),
    }
}

fn run_status_text(l: Locale, status: &str) -> String {
    match status {
        "running" => td_string!(l, catalog.run_running).to_owned(),
        "succeeded" => td_string!(l, catalog.run_succeeded).to_owned(),
        "failed" => td_string!(l, catalog.run_failed).to_owned(),
        other => other.to_owned(),
    }
}

/// What an entity's file is, in words.
fn entity_text(l: Locale, entity: &str) -> String {
    match entity {
        "parts" => td_string!(l, catalog.count_parts).to_owned(),
        "vehicles" => td_string!(l, catalog.count_vehicles).to_owned(),
        "fitment" => td_string!(l, catalog.count_fitment).to_owned(),
        "aftermarket" => td_string!(l, catalog.count_aftermarket).to_owned(),
        "cross_refs" => td_string!(l, catalog.count_cross_refs).to_owned(),
        other => other.to_owned(),
    }
}

/// A run's report (its JSON, as the import, the demo generator or the legacy migration wrote it) as sentences: each
/// file's lines read, new, changed, unchanged and rejected; then each figure named. Figures it does not know are
/// named by their key rather than hidden.
fn report_lines(l: Locale, report: &str) -> Vec<String> {
    use crate::ui::number::count;
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(report) else {
        return Vec::new();
    };
    let n = |v: &serde_json::Value| count(l, v.as_i64().unwrap_or_default());
    let mut out = Vec::new();
    for (key, value) in &map {
        match (key.as_str(), value) {
            ("files", serde_json::Value::Array(files)) => {
                for f in files {
                    let entity = entity_text(l, f["entity"].as_str().unwrap_or_default());
                    out.push(
                        td_string!(
                            l,
                            catalog.report_file,
                            entity = entity,
                            rows = n(&f["rows"]),
                            inserted = n(&f["inserted"]),
                            updated = n(&f["updated"]),
                            unchanged = n(&f["unchanged"]),
                            rejected = n(&f["rejected"])
                        )
                        .to_string(),
                    );
                }
            }
            ("duration_ms", v) => {
                let secs = v.as_f64().unwrap_or_default() / 1000.0;
                let secs = match l {
                    Locale::es => format!("{secs:.1}").replace('.', ","),
                    Locale::en => format!("{secs:.1}"),
                };
                out.push(td_string!(l, catalog.report_duration, secs = secs).to_string());
            }
            (_, v) if v.is_number() => out.push(format!("{}: {}", report_label(l, key), n(v))),
            (_, serde_json::Value::Array(items)) if !items.is_empty() => out.push(format!(
                "{}: {}",
                report_label(l, key),
                items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join(", ")
            )),
            _ => {}
        }
    }
    out
}

fn report_label(l: Locale, key: &str) -> String {
    match key {
        "manufacturers_created" => td_string!(l, catalog.report_manufacturers_created).to_owned(),
        "groups_created" => td_string!(l, catalog.report_groups_created).to_owned(),
        "legacy" => td_string!(l, catalog.report_legacy).to_owned(),
        "migrated" => td_string!(l, catalog.report_migrated).to_owned(),
        "via_cross_ref" => td_string!(l, catalog.report_via_cross_ref).to_owned(),
        "via_fitment" => td_string!(l, catalog.report_via_fitment).to_owned(),
        "no_oem_match" => td_string!(l, catalog.report_no_oem_match).to_owned(),
        "unparseable" => td_string!(l, catalog.report_unparseable).to_owned(),
        "aftermarket_created" => td_string!(l, catalog.report_aftermarket_created).to_owned(),
        "fitment_relinked" => td_string!(l, catalog.report_fitment_relinked).to_owned(),
        "unmatched" => td_string!(l, catalog.report_unmatched).to_owned(),
        other => other.replace('_', " "),
    }
}
