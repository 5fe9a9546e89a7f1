//! `/catalog/parts/:id`: a part's page. Its details, the bodegas that have it (the inventory issue fills that place),
//! its aftermarket alternatives grouped by quality tier and brand, the vehicles it fits, and its other numbers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use nexus::catalog::rules::kinds::{CrossRefKind, QualityTier};
use nexus::catalog::rules::part::{Alternative, PartDetail};
use nexus::identity::rules::auth::Permission;

use crate::catalog::search::enc;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{CARD, CARD_FLUSH, ErrorBanner, Loading};
use crate::ui::session::Protected;

#[server(prefix = "/api", endpoint = "ui/catalog/part")]
pub async fn get_part(id: String) -> Result<PartDetail, AppError> {
    let st = crate::state::state()?;
    crate::state::user()?.require(Permission::CatalogRead)?;
    let id = id.parse::<i64>().ok().filter(|i| *i > 0).ok_or(AppError::NotFound)?;
    Ok(nexus::catalog::service::parts::part(&st.pool, id).await?)
}

#[component]
pub fn PartPage() -> impl IntoView {
    view! {
        <Protected permission=Permission::CatalogRead>
            <Part />
        </Protected>
    }
}

fn tier_text(l: Locale, t: QualityTier) -> &'static str {
    match t {
        QualityTier::OriginalEquipment => td_string!(l, catalog.tier_oe),
        QualityTier::Premium => td_string!(l, catalog.tier_premium),
        QualityTier::Standard => td_string!(l, catalog.tier_standard),
        QualityTier::Economy => td_string!(l, catalog.tier_economy),
    }
}

#[component]
fn Part() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let part = Resource::new(move || params.with(|p| p.get("id")).unwrap_or_default(), get_part);
    let back = move || {
        let q = use_query_map().with_untracked(|m| m.get("q")).unwrap_or_default();
        format!("/catalog?q={}", enc(&q))
    };
    view! {
        <p class="mb-3 text-sm">
            <a href=back class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="back-to-search">
                "← " {t!(i18n, catalog.back)}
            </a>
        </p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match part.await {
                    Err(e) => view! {
                        <Title text=move || td_string!(i18n.get_locale(), catalog.title) />
                        <ErrorBanner error=Signal::stored(Some(e)) />
                    }.into_any(),
                    Ok(p) => view! { <PartView p /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PartView(p: PartDetail) -> impl IntoView {
    let i18n = use_i18n();
    let title = format!("{} · {}", p.number, p.name);
    // Alternatives by tier (best first), then brand: the order the server sends.
    let mut tiers: Vec<(QualityTier, Vec<Alternative>)> = Vec::new();
    for a in p.alternatives.clone() {
        match tiers.last_mut() {
            Some((t, list)) if *t == a.tier => list.push(a),
            _ => tiers.push((a.tier, vec![a])),
        }
    }
    let th = "px-3 py-2";
    view! {
        <Title text=title />
        <header class="mb-6">
            <p class="font-mono text-sm text-slate-600 dark:text-slate-300" data-testid="part-number">{p.manufacturer.clone()} " " {p.number.clone()}</p>
            <h1 class="text-2xl font-bold tracking-tight text-slate-900 dark:text-white" data-testid="part-name">{p.name.clone()}</h1>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-300">
                {p.group.clone().unwrap_or_default()}
                {(!p.description.is_empty()).then(|| format!(" · {}", p.description))}
            </p>
        </header>
        <div class="grid gap-6 lg:grid-cols-2">
            <section class="rounded-xl border-2 border-dashed border-slate-300 p-4 dark:border-slate-600" data-testid="availability" aria-labelledby="availability-h">
                <h2 id="availability-h" class="mb-1 text-lg font-semibold">{t!(i18n, catalog.availability)}</h2>
                <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, catalog.availability_soon)}</p>
            </section>
            <section class=CARD aria-labelledby="others-h">
                <h2 id="others-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.other_numbers)}</h2>
                {if p.other_numbers.is_empty() {
                    view! { <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, catalog.no_other_numbers)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="space-y-1 text-sm" data-testid="other-numbers">
                            {p.other_numbers.clone().into_iter().map(|o| view! {
                                <li>
                                    <span class="font-mono">{o.number.clone()}</span> " · "
                                    {move || match o.kind {
                                        CrossRefKind::Supersedes => td_string!(i18n.get_locale(), catalog.kind_superseded),
                                        CrossRefKind::Equivalent => td_string!(i18n.get_locale(), catalog.kind_equivalent),
                                    }}
                                    {(!o.source.is_empty()).then(|| format!(" ({})", o.source))}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
        <section class="mt-6" aria-labelledby="alternatives-h">
            <h2 id="alternatives-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.alternatives_title, count = p.alternatives.len())}</h2>
            {if tiers.is_empty() {
                view! { <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, catalog.no_alternatives)}</p> }.into_any()
            } else {
                view! {
                    <div class="space-y-4" data-testid="alternatives">
                        {tiers.into_iter().map(|(tier, list)| view! {
                            <div class=CARD_FLUSH data-tier=tier.as_str() tabindex="0" aria-labelledby=format!("tier-{}", tier.as_str())>
                                <h3 id=format!("tier-{}", tier.as_str()) class="border-b border-slate-200 px-3 py-2 text-sm font-semibold dark:border-slate-700">{move || tier_text(i18n.get_locale(), tier)}</h3>
                                <table class="w-full min-w-[520px] text-left text-sm">
                                    <thead class="text-xs uppercase text-slate-600 dark:text-slate-300">
                                        <tr>
                                            <th scope="col" class=th>{t!(i18n, catalog.brand)}</th>
                                            <th scope="col" class=th>{t!(i18n, catalog.number)}</th>
                                            <th scope="col" class=th>{t!(i18n, catalog.name)}</th>
                                            <th scope="col" class="px-3 py-2 text-right">{t!(i18n, catalog.reference_price)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                        {list.into_iter().map(|a| view! {
                                            <tr data-testid="alternative">
                                                <td class=th>{a.brand.clone()}</td>
                                                <td class="px-3 py-2 font-mono">{a.number.clone()}</td>
                                                <td class=th>{a.name.clone()}</td>
                                                <td class="px-3 py-2 text-right tabular-nums">{a.reference_price.clone().map(|p| format!("{p} {}", a.currency)).unwrap_or_else(|| "—".into())}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }).collect_view()}
                    </div>
                }.into_any()
            }}
        </section>
        <section class="mt-6" aria-labelledby="fits-h">
            <h2 id="fits-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.fits_title, count = p.fitment_count)}</h2>
            {if p.fits.is_empty() {
                view! { <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, catalog.no_fits)}</p> }.into_any()
            } else {
                view! {
                    <div class=CARD_FLUSH tabindex="0" aria-labelledby="fits-h">
                        <table class="w-full min-w-[560px] text-left text-sm" data-testid="fits">
                            <thead class="border-b border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                                <tr>
                                    <th scope="col" class=th>{t!(i18n, catalog.vehicle)}</th>
                                    <th scope="col" class=th>{t!(i18n, catalog.years)}</th>
                                    <th scope="col" class=th>{t!(i18n, catalog.engine)}</th>
                                    <th scope="col" class=th>{t!(i18n, catalog.position)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-200 dark:divide-slate-700">
                                {p.fits.clone().into_iter().map(|f| {
                                    let years = if f.year_from == f.year_to { f.year_from.to_string() } else { format!("{}–{}", f.year_from, f.year_to) };
                                    let engine = [Some(f.engine.clone()).filter(|e| !e.is_empty()), f.displacement_l.clone().map(|d| format!("{d} L"))]
                                        .into_iter().flatten().collect::<Vec<_>>().join(" · ");
                                    view! {
                                        <tr>
                                            <td class=th>{format!("{} {}", f.make, f.model)}</td>
                                            <td class="px-3 py-2 tabular-nums">{years}</td>
                                            <td class=th>{engine}</td>
                                            <td class=th>{f.position.clone()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

crate::ui::lazy_page!(
    /// `/catalog/parts/:id`, a lazy route (see `ui::lazy_page`).
    PartRoute => PartPage
);
