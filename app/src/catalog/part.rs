//! `/catalog/parts/:id`: a part's page. Its details, the bodegas that have it or an aftermarket product replacing it
//! (for the roles that may compare bodegas: workshops, owners, platform admins), its aftermarket alternatives grouped
//! by quality tier and brand, the vehicles it fits, and its other numbers; for a store room's readers (a workshop, a
//! plant), their own items of it ("en tu almacén").

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use nexus::catalog::rules::kinds::{CrossRefKind, QualityTier};
use nexus::catalog::rules::part::{Alternative, Fit, PartDetail};
use nexus::identity::rules::auth::Permission;
use nexus::numbers::Money;
use nexus::stockroom::rules::views::ShelfEntry;
use serde::{Deserialize, Serialize};

use crate::catalog::search::enc;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, CARD, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime};
use crate::ui::list::{Column, DataTable, Rows};
use crate::ui::number::{count, money};
use crate::ui::session::{Protected, use_session};

#[server(prefix = "/api", endpoint = "ui/catalog/part")]
pub async fn get_part(id: String) -> Result<PartDetail, AppError> {
    let from = crate::state::read_pool()?;
    crate::state::user()?.require(Permission::CatalogRead)?;
    // An id that is no part's (not a positive number) is a page that does not exist.
    let id = id.parse::<nexus::ids::PartId>().map_err(|_| AppError::NotFound)?;
    Ok(from.run(|p| async move { nexus::catalog::service::parts::part(&p.pool, id).await }).await?)
}

/// One bodega's offer of the part (or of an aftermarket product replacing it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferDto {
    pub bodega: String,
    /// `""`: the bodega's default location.
    pub location: String,
    pub number: String,
    pub aftermarket: bool,
    pub brand: String,
    pub price: Money,
    pub stock: i32,
    pub min_order_qty: Option<i32>,
    pub confirmed_at: DateTime<Utc>,
    /// Seconds from `confirmed_at` to the answer, measured on the server, so the page says the same "3 h ago" when
    /// rendered and when hydrated.
    pub age_secs: i64,
    /// How to reach the bodega (each may be empty), and its phone in international form for a WhatsApp link.
    pub phone: String,
    pub address: String,
    pub hours: String,
    pub whatsapp: Option<String>,
}

/// The caller's own items of the part (a store room's readers: a workshop, a plant), with what there is of each.
#[server(prefix = "/api", endpoint = "ui/catalog/part/shelf")]
pub async fn get_shelf(id: String) -> Result<Vec<ShelfEntry>, AppError> {
    let from = crate::state::read_pool()?;
    let caller = crate::state::person()?;
    let id = id.parse::<nexus::ids::PartId>().map_err(|_| AppError::NotFound)?;
    let caller = &caller;
    Ok(from.run(|p| async move { nexus::stockroom::service::shelf::of_parts(&p.pool, caller, &[id]).await }).await?)
}

#[server(prefix = "/api", endpoint = "ui/catalog/part/availability")]
pub async fn get_availability(id: String) -> Result<Vec<OfferDto>, AppError> {
    let from = crate::state::read_pool()?;
    let caller = crate::state::person()?;
    let id = id.parse::<nexus::ids::PartId>().map_err(|_| AppError::NotFound)?;
    let offers = {
        let caller = &caller;
        from.run(|p| async move { nexus::inventory::service::stock::availability(&p.pool, caller, id).await }).await?
    };
    let now = Utc::now();
    Ok(offers
        .into_iter()
        .map(|o| OfferDto {
            age_secs: (now - o.confirmed_at).num_seconds().max(0),
            bodega: o.bodega,
            location: o.location,
            number: o.number,
            aftermarket: o.aftermarket,
            brand: o.brand,
            price: o.price,
            stock: o.stock,
            min_order_qty: o.min_order_qty,
            confirmed_at: o.confirmed_at,
            whatsapp: nexus::numbers::international_phone(&o.phone, &o.country),
            phone: o.phone,
            address: o.address,
            hours: o.hours,
        })
        .collect())
}

/// The availability a page shows: `None` for a role that does not compare bodegas (the section is left out).
type Offers = Result<Option<Vec<OfferDto>>, AppError>;

/// Resources are created here, outside the `Protected` suspense, so the server and the browser create them in the same
/// order (their ids must match for hydration).
#[component]
pub fn PartPage() -> impl IntoView {
    let params = use_params_map();
    let session = use_session();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let part = Resource::new(id, get_part);
    // Asked only by roles that may compare bodegas: the server would refuse anyone else.
    let offers: Resource<Offers> = Resource::new(id, move |id| async move {
        match session.me.await {
            Ok(Some(me)) if me.can(Permission::AvailabilityRead) => get_availability(id).await.map(Some),
            _ => Ok(None),
        }
    });
    // The store room's own items of it, for those who read one.
    let shelf: Resource<Result<Vec<ShelfEntry>, AppError>> = Resource::new(id, move |id| async move {
        match session.me.await {
            Ok(Some(me)) if me.can(Permission::StockRead) => get_shelf(id).await,
            _ => Ok(Vec::new()),
        }
    });
    view! {
        <Protected permission=Permission::CatalogRead>
            <Part part offers shelf />
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
fn Part(
    part: Resource<Result<PartDetail, AppError>>,
    offers: Resource<Offers>,
    shelf: Resource<Result<Vec<ShelfEntry>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
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
                // Both awaited in this one boundary (no boundary nested inside a Suspend: leptos#2920).
                let offers = offers.await;
                let shelf = shelf.await;
                match part.await {
                    Err(AppError::NotFound) => view! { <PartNotFound /> }.into_any(),
                    Err(e) => view! {
                        <Title text=move || td_string!(i18n.get_locale(), catalog.title) />
                        <ErrorBanner error=Signal::stored(Some(e)) />
                    }.into_any(),
                    Ok(p) => view! { <PartView p offers shelf /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A part id that is no part's (a link cut short, a part taken out of the catalog): 404, and the way on.
#[component]
fn PartNotFound() -> impl IntoView {
    let i18n = use_i18n();
    crate::ui::layout::page_status(http::StatusCode::NOT_FOUND);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), catalog.part_missing_title) />
        <div class=CARD data-testid="part-missing">
            <h1 class="mb-2 text-2xl font-bold">{t!(i18n, catalog.part_missing_title)}</h1>
            <p class="mb-4 text-slate-600 dark:text-slate-300">{t!(i18n, catalog.part_missing_body)}</p>
            <form action="/catalog" method="get" role="search" class="flex flex-wrap gap-2">
                <label for="missing-q" class="sr-only">{t!(i18n, catalog.query_label)}</label>
                <input id="missing-q" name="q" type="search" class=format!("{INPUT} sm:max-w-sm") placeholder=move || td_string!(i18n.get_locale(), catalog.part_missing_hint) />
                <button type="submit" class=BUTTON>{t!(i18n, common.search)}</button>
            </form>
        </div>
    }
}

#[component]
fn PartView(p: PartDetail, offers: Offers, shelf: Result<Vec<ShelfEntry>, AppError>) -> impl IntoView {
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
        {match shelf {
            Ok(entries) if entries.is_empty() => None,
            Ok(entries) => Some(view! { <Shelf entries /> }.into_any()),
            Err(e) => Some(view! {
                <section class="mb-6" aria-labelledby="shelf-h">
                    <h2 id="shelf-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.part_shelf_title)}</h2>
                    <ErrorBanner error=Signal::stored(Some(e)) />
                </section>
            }.into_any()),
        }}
        {match offers {
            Ok(None) => None,
            Ok(Some(offers)) => Some(view! { <Availability offers /> }.into_any()),
            Err(e) => Some(view! {
                <section class="mb-6" data-testid="availability" aria-labelledby="availability-h">
                    <h2 id="availability-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.availability)}</h2>
                    <ErrorBanner error=Signal::stored(Some(e)) />
                </section>
            }.into_any()),
        }}
        <div class="grid gap-6">
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
                                <DataTable
                                    rows=list
                                    columns=alternative_columns()
                                    caption=move || tier_text(i18n.get_locale(), tier)
                                    rows_meta=Rows { testid: "alternative", key: |a: &Alternative| a.number.clone(), state: None }
                                    min_width="sm:min-w-[520px]"
                                    empty=ViewFn::from(|| ())
                                />
                            </div>
                        }).collect_view()}
                    </div>
                }.into_any()
            }}
        </section>
        <section class="mt-6" aria-labelledby="fits-h">
            <h2 id="fits-h" class="mb-1 text-lg font-semibold">{t!(i18n, catalog.fits_title, count = p.fits.len())}</h2>
            // Each row joins consecutive model years of one vehicle: the count of vehicle years is said apart.
            {(p.fitment_count as usize > p.fits.len()).then(|| view! {
                <p class="mb-2 text-sm text-slate-600 dark:text-slate-300" data-testid="fits-years">
                    {t!(i18n, catalog.fits_years, count = p.fitment_count)}
                </p>
            })}
            <div class=CARD_FLUSH tabindex="0" aria-labelledby="fits-h">
                <DataTable
                    rows=p.fits.clone()
                    columns=fit_columns()
                    caption=move || td_string!(i18n.get_locale(), catalog.vehicle)
                    testid="fits"
                    min_width="sm:min-w-[560px]"
                    empty=ViewFn::from(move || t!(i18n, catalog.no_fits))
                />
            </div>
        </section>
    }
}

/// How fresh a figure is, from its age in seconds: minutes, then hours up to two days, then days.
fn fresh_text(l: Locale, age_secs: i64) -> String {
    let minutes = age_secs / 60;
    match minutes {
        0 => td_string!(l, stock.fresh_now).to_owned(),
        1..60 => td_string!(l, stock.fresh_minutes, n = minutes).to_string(),
        60..2880 => td_string!(l, stock.fresh_hours, n = minutes / 60).to_string(),
        _ => td_string!(l, stock.fresh_days, n = minutes / 1440).to_string(),
    }
}

/// Which active bodegas have the part (or an aftermarket product replacing it) in stock, cheapest first.
/// The organisation's own items of the part: what there is of each, and the way to the item.
#[component]
fn Shelf(entries: Vec<ShelfEntry>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=format!("{CARD} mb-6") aria-labelledby="shelf-h" data-testid="part-shelf">
            <h2 id="shelf-h" class="mb-2 text-lg font-semibold">{t!(i18n, catalog.part_shelf_title)}</h2>
            <ul class="space-y-1 text-sm">
                {entries.into_iter().map(|e| {
                    let to = format!("/stock/items/{}", e.item.0);
                    let sku = e.sku.clone();
                    view! {
                        <li class="flex flex-wrap items-baseline justify-between gap-x-3">
                            <span>
                                <span class="font-medium">{e.name.clone()}</span> " · "
                                <span class="font-mono">{e.sku.clone()}</span>
                            </span>
                            <span class="flex items-baseline gap-3">
                                <span class="font-semibold" data-testid="part-shelf-qty">{move || crate::stockroom::texts::qty(i18n.get_locale(), e.balance, e.unit)}</span>
                                <a href=to class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]">
                                    {move || td_string!(i18n.get_locale(), catalog.part_shelf_open, sku = sku.clone()).to_string()}
                                </a>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Availability(offers: Vec<OfferDto>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="mb-6" data-testid="availability" aria-labelledby="availability-h">
            <h2 id="availability-h" class="mb-1 text-lg font-semibold">{t!(i18n, catalog.availability)}</h2>
            {if offers.is_empty() {
                view! {
                    <p class=format!("{CARD} text-sm text-slate-600 dark:text-slate-300") data-testid="availability-none">{t!(i18n, stock.availability_none)}</p>
                }.into_any()
            } else {
                view! {
                    <p class="mb-2 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, stock.availability_note)}</p>
                    <div class=CARD_FLUSH tabindex="0" aria-labelledby="availability-h">
                        <DataTable
                            rows=offers
                            columns=offer_columns()
                            caption=move || td_string!(i18n.get_locale(), catalog.availability)
                            testid="offers"
                            rows_meta=Rows { testid: "offer", key: |o: &OfferDto| format!("{}·{}·{}", o.bodega, o.number, o.location), state: None }
                            min_width="sm:min-w-[760px]"
                            empty=ViewFn::from(|| ())
                        />
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// A bodega as a workshop reaches it: its name, address and hours, and its phone to call or write on WhatsApp (links a
/// phone opens in its dialler or app).
#[component]
fn BodegaContact(o: OfferDto) -> impl IntoView {
    let i18n = use_i18n();
    let link = "inline-flex min-h-6 items-center text-[#1a5bb5] underline dark:text-[#8fbfff]";
    let tel = (!o.phone.trim().is_empty()).then(|| {
        let digits: String = o.phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
        (format!("tel:{digits}"), o.phone.clone())
    });
    view! {
        <div class="max-w-[16rem] text-sm" data-testid="offer-bodega">
            <div class="font-medium">{o.bodega.clone()}</div>
            {(!o.address.is_empty()).then(|| view! { <div class="text-xs text-slate-600 dark:text-slate-300" data-testid="offer-address">{o.address.clone()}</div> })}
            {(!o.hours.is_empty()).then(|| view! { <div class="text-xs text-slate-600 dark:text-slate-300" data-testid="offer-hours">{o.hours.clone()}</div> })}
            <div class="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs">
                {tel.map(|(href, shown)| view! {
                    <a href=href class=link data-testid="offer-call" aria-label=move || td_string!(i18n.get_locale(), stock.call_bodega, phone = shown.clone()).to_string()>
                        {o.phone.clone()}
                    </a>
                })}
                {o.whatsapp.clone().map(|n| view! {
                    <a href=format!("https://wa.me/{n}") class=link target="_blank" rel="noopener noreferrer" data-testid="offer-whatsapp">
                        {t!(i18n, stock.whatsapp)}
                    </a>
                })}
            </div>
        </div>
    }
}

/// An aftermarket tier's columns: brand, number, name and reference price.
fn alternative_columns() -> Vec<Column<Alternative>> {
    let i18n = use_i18n();
    vec![
        Column::new(move || td_string!(i18n.get_locale(), catalog.brand), |a: &Alternative| a.brand.clone().into_any()),
        // A number leads to the search for it: every OEM part the product replaces, and who stocks it.
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.number),
            |a: &Alternative| {
                view! {
                    <a href=format!("/catalog?q={}", enc(&a.number)) class="text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="alternative-link">
                        {a.number.clone()}
                    </a>
                }
                .into_any()
            },
        )
        .class("font-mono"),
        Column::new(move || td_string!(i18n.get_locale(), catalog.name), |a: &Alternative| a.name.clone().into_any()),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.reference_price),
            move |a: &Alternative| {
                let price = a.reference_price.clone();
                (move || price.as_ref().map_or_else(|| "—".to_owned(), |p| money(i18n.get_locale(), p))).into_any()
            },
        )
        .class("sm:text-right tabular-nums"),
    ]
}

/// The vehicles' columns: make and model, years, engine and position.
fn fit_columns() -> Vec<Column<Fit>> {
    let i18n = use_i18n();
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.vehicle),
            |f: &Fit| format!("{} {}", f.make, f.model).into_any(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.years),
            |f: &Fit| {
                if f.year_from == f.year_to {
                    f.year_from.to_string()
                } else {
                    format!("{}–{}", f.year_from, f.year_to)
                }
                .into_any()
            },
        )
        .class("tabular-nums"),
        Column::new(
            move || td_string!(i18n.get_locale(), catalog.engine),
            |f: &Fit| {
                [Some(f.engine.clone()).filter(|e| !e.is_empty()), f.displacement_l.clone().map(|d| format!("{d} L"))]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ")
                    .into_any()
            },
        ),
        Column::new(move || td_string!(i18n.get_locale(), catalog.position), |f: &Fit| f.position.clone().into_any()),
    ]
}

/// The offers' columns: bodega, what it has, where, price, stock, least order and how fresh the figure is.
fn offer_columns() -> Vec<Column<OfferDto>> {
    let i18n = use_i18n();
    let numeric = "sm:text-right tabular-nums";
    vec![
        Column::new(move || td_string!(i18n.get_locale(), stock.col_bodega), move |o: &OfferDto| view! { <BodegaContact o=o.clone() /> }.into_any()),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_part), move |o: &OfferDto| view! {
            <div>
                <span class="font-medium">{o.brand.clone()}</span> " " <span class="font-mono">{o.number.clone()}</span>
                {o.aftermarket.then(|| view! {
                    <span class="ml-1 inline-flex rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-900 dark:bg-sky-900/50 dark:text-sky-100">
                        {t!(i18n, stock.aftermarket)}
                    </span>
                })}
            </div>
        }.into_any()),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_location), move |o: &OfferDto| {
            let location = o.location.clone();
            (move || crate::inventory::stock::location_text(i18n.get_locale(), &location)).into_any()
        }),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_price), move |o: &OfferDto| {
            let price = o.price.clone();
            view! { <span data-testid="offer-price">{move || money(i18n.get_locale(), &price)}</span> }.into_any()
        })
        .class("whitespace-nowrap font-semibold sm:text-right tabular-nums"),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_stock), move |o: &OfferDto| {
            let stock = i64::from(o.stock);
            (move || count(i18n.get_locale(), stock)).into_any()
        })
        .class(numeric),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_min_order), |o: &OfferDto| {
            o.min_order_qty.map_or_else(|| "—".to_owned(), |q| q.to_string()).into_any()
        })
        .class(numeric),
        Column::new(move || td_string!(i18n.get_locale(), stock.col_fresh), move |o: &OfferDto| {
            let age = o.age_secs;
            view! {
                <div>
                    <span class="block">{move || fresh_text(i18n.get_locale(), age)}</span>
                    <span class="block text-xs text-slate-600 dark:text-slate-300"><LocalTime at=o.confirmed_at /></span>
                </div>
            }.into_any()
        })
        .class("whitespace-nowrap"),
    ]
}
