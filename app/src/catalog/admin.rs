//! `/admin/catalog`: what the catalog holds (rows per table) and the history of imports, migrations and generated
//! data with their reports. Platform admins only; loading data is done with `nexus-server catalog …`.

use leptos::prelude::*;
use leptos_meta::Title;
use nexus::catalog::rules::part::{CatalogCounts, CatalogRun};
use nexus::identity::rules::auth::Permission;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{CARD, CARD_FLUSH, ErrorBanner, Loading, PageHeader};
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

#[component]
pub fn CatalogAdminPage() -> impl IntoView {
    view! {
        <Protected permission=Permission::UsersManage>
            <Overview />
        </Protected>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| catalog_overview());
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
                    <dd class="text-2xl font-bold tabular-nums">{n}</dd>
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

/// The import runs' columns: when, what, how it ended, who (and from which file), and the report.
fn run_columns() -> Vec<Column<CatalogRun>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_started),
            |r: &CatalogRun| {
                format!("{} UTC", r.started_at.chars().take(19).collect::<String>().replace('T', " ")).into_any()
            },
        )
        .class("whitespace-nowrap tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_kind),
            |r: &CatalogRun| r.kind.clone().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_status),
            |r: &CatalogRun| r.status.clone().into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_actor),
            |r: &CatalogRun| {
                view! {
            <div>{r.actor.clone()}<br /><span class="text-xs text-slate-600 dark:text-slate-300">{r.source.clone()}</span></div>
        }.into_any()
            },
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.run_report),
            move |r: &CatalogRun| {
                view! {
            <details>
                <summary class="cursor-pointer text-[#1a5bb5] dark:text-[#8fbfff]">{t!(i18n, catalog.run_show)}</summary>
                <pre class="mt-2 max-h-80 max-w-xl overflow-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-900">{r.report.clone()}</pre>
            </details>
        }.into_any()
            },
        ),
    ]
}
