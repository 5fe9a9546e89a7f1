//! `/catalog`: the one search box. A plain GET form (the URL is the search: shareable, and it works before or without
//! JavaScript); once hydrated, typing searches as you go (debounced) and the arrow keys walk the results. The vehicle
//! cascade (make → model → year → engine) filters every search and is remembered for the browser session (a session
//! cookie; `make=` in the URL clears it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use nexus::catalog::rules::part::VehicleOptions;
use nexus::catalog::rules::search::{NumberSource, PartHit, SearchPage, Segment, VehicleFilter, round_estimate};
use nexus::identity::rules::auth::Permission;
use nexus::stockroom::rules::views::ShelfEntry;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD, ErrorBanner, INPUT, Loading};
use crate::ui::number;
use crate::ui::session::Protected;

/// The URL's parameters, as typed (checked on the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogQueryDto {
    pub q: Option<String>,
    /// Whether the URL names the vehicle (`make=` clears it); otherwise the remembered vehicle applies. A flag of its
    /// own: the server function's encoding does not tell an empty value from a missing one.
    #[serde(default)]
    pub vehicle_in_url: bool,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<String>,
    pub engine: Option<String>,
    pub group: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogResultDto {
    pub page: SearchPage,
    /// The vehicle the search used (from the URL or remembered), choices that do not exist dropped.
    pub vehicle: VehicleFilter,
    pub options: VehicleOptions,
    /// Before a search: searches to try, from the catalog that is loaded.
    pub examples: Vec<String>,
    /// For the roles that compare bodegas: which of the page's parts some bodega holds, how many, from what price.
    pub available: Vec<nexus::inventory::rules::stock::AvailabilitySummary>,
    /// For a store room's readers (a workshop, a plant), on the first page: the parts of its own stock the query
    /// finds, best first, shown before the rest ("en tu almacén").
    pub shelf_hits: Vec<PartHit>,
    /// Its items of those parts and of the page's, with what there is of each.
    pub shelf: Vec<ShelfEntry>,
}

/// How many of its own parts a search shows first.
#[cfg(feature = "ssr")]
const SHELF_FIRST: u16 = 5;

#[server(prefix = "/api", endpoint = "ui/catalog/search")]
pub async fn search_catalog(#[server(default)] query: CatalogQueryDto) -> Result<CatalogResultDto, AppError> {
    // Reads only: the replica may serve it (and the primary does if the replica fails it).
    let from = crate::state::read_pool()?;
    from.run(|p| search_on(p, query.clone())).await
}

/// [`search_catalog`] on a picked pool.
#[cfg(feature = "ssr")]
async fn search_on(from: nexus::db::reads::Picked, query: CatalogQueryDto) -> Result<CatalogResultDto, AppError> {
    use nexus::catalog::rules::search::{PAGE_DEFAULT, SearchCursor, SearchRequest};
    use nexus::catalog::service::parts;
    use nexus::codes::ErrorCode;
    let st = crate::state::state()?;
    crate::state::user()?.require(Permission::CatalogRead)?;
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let explicit = query.vehicle_in_url;
    let wanted = if explicit {
        VehicleFilter {
            make: blank(query.make),
            model: blank(query.model),
            year: match blank(query.year) {
                Some(y) => Some(y.trim().parse::<i16>().map_err(|_| AppError::field("year", ErrorCode::InvalidInput))?),
                None => None,
            },
            engine: blank(query.engine),
        }
    } else {
        crate::cookies::remembered_vehicle().unwrap_or_default()
    };
    // A choice the catalog does not have (a model of another make after the make changed, without JavaScript) is
    // dropped with the choices after it, the way the cascade empties them.
    let mut vehicle = wanted.clone();
    let mut options = parts::vehicle_options(&from.pool, &vehicle).await?;
    let fix = |v: &mut VehicleFilter, o: &VehicleOptions| -> bool {
        let has = |list: &[String], x: &Option<String>| {
            x.as_ref().is_none_or(|x| list.iter().any(|l| l.eq_ignore_ascii_case(x)))
        };
        if !has(&o.makes, &v.make) {
            *v = VehicleFilter::default();
        } else if v.model.is_some() && !has(&o.models, &v.model) {
            *v = VehicleFilter { make: v.make.take(), ..VehicleFilter::default() };
        } else if v.year.is_some_and(|y| !o.years.contains(&y)) {
            *v = VehicleFilter { make: v.make.take(), model: v.model.take(), ..VehicleFilter::default() };
        } else if v.engine.is_some() && !has(&o.engines, &v.engine) {
            v.engine = None;
        } else {
            return false;
        }
        true
    };
    while fix(&mut vehicle, &options) {
        options = parts::vehicle_options(&from.pool, &vehicle).await?;
    }
    if explicit || vehicle != wanted {
        crate::cookies::remember_vehicle(&vehicle);
    }
    let group = match blank(query.group) {
        Some(g) => Some(g.trim().parse::<i32>().map_err(|_| AppError::field("group", ErrorCode::InvalidInput))?),
        None => None,
    };
    let after = nexus::paging::after::<SearchCursor>(query.after.as_deref(), ())
        .map_err(|e| AppError::from(e).with_status())?;
    let req =
        SearchRequest { q: query.q.unwrap_or_default(), vehicle: vehicle.clone(), group, after, limit: PAGE_DEFAULT };
    let start = req.q.trim().is_empty() && vehicle.is_empty() && group.is_none();
    let page = st.catalog_cache.search_from(&from, &req).await?.as_ref().clone();
    let examples = if start { parts::examples(&from.pool).await? } else { Vec::new() };
    // Availability shows in the list itself for those who compare bodegas (one statement for the page).
    let user = crate::state::user()?;
    let may_compare = user.may(Permission::AvailabilityRead);
    let keeps_stock = user.may(Permission::StockRead);
    let caller = nexus::caller::Caller::User(user);
    let ids: Vec<nexus::ids::PartId> = page.hits.iter().map(|h| h.id).collect();
    let available = if may_compare {
        nexus::inventory::service::stock::availability_summary(&from.pool, &caller, &ids).await?
    } else {
        Vec::new()
    };
    // The organisation's own stock: what of it the query finds comes first (the same search among the parts it
    // holds), and every part shown says what there is of it.
    let (mut shelf_hits, mut shelf) = (Vec::new(), Vec::new());
    if keeps_stock && !start {
        let held = nexus::stockroom::service::shelf::stocked_parts(&from.pool, &caller).await?;
        if after.is_none() {
            shelf_hits = nexus::catalog::service::search::among(&from.pool, &req, &held, SHELF_FIRST).await?;
        }
        let mut shown: Vec<nexus::ids::PartId> = ids
            .iter()
            .filter(|p| held.binary_search(p).is_ok())
            .copied()
            .chain(shelf_hits.iter().map(|h| h.id))
            .collect();
        shown.sort_unstable();
        shown.dedup();
        shelf = nexus::stockroom::service::shelf::of_parts(&from.pool, &caller, &shown).await?;
    }
    Ok(CatalogResultDto { page, vehicle, options, examples, available, shelf_hits, shelf })
}

pub use crate::ui::list::encode as enc;

/// Where a later page of results is: the cursors of the pages before it (`back`, the first page's as an empty
/// entry) and the count the first page gave (`n`), carried in its address so that any page says which results it
/// shows of how many and leads back, without counting again (keyset pages cannot go back on their own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Trail {
    back: Vec<String>,
    total: Option<i64>,
    approximate: bool,
}

impl Trail {
    /// The trail of the page the URL shows.
    fn from_url() -> Self {
        let map = use_query_map().get_untracked();
        let back = map
            .get("back")
            .map(|b| b.split(',').take(500).map(|c| if c == "-" { String::new() } else { c.to_owned() }).collect())
            .unwrap_or_default();
        let n = map.get("n").unwrap_or_default();
        let (approximate, n) = match n.strip_prefix('~') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, n),
        };
        Self { back, total: n.parse().ok().filter(|n: &i64| *n >= 0), approximate }
    }

    fn param(&self) -> String {
        let back: Vec<&str> = self.back.iter().map(|c| if c.is_empty() { "-" } else { c.as_str() }).collect();
        let mut s = String::new();
        if !back.is_empty() {
            s.push_str(&format!("&back={}", enc(&back.join(","))));
        }
        if let Some(n) = self.total {
            s.push_str(&format!("&n={}{n}", if self.approximate { "~" } else { "" }));
        }
        s
    }
}

/// `/catalog?…` for a query, a vehicle (always explicit, so the link means the same for everyone) and a group.
fn href(q: &str, v: &VehicleFilter, group: Option<i32>, after: Option<&str>) -> String {
    let mut s = format!("/catalog?q={}&make={}", enc(q), enc(v.make.as_deref().unwrap_or_default()));
    for (k, val) in [("model", v.model.clone()), ("year", v.year.map(|y| y.to_string())), ("engine", v.engine.clone())]
    {
        if let Some(val) = val {
            s.push_str(&format!("&{k}={}", enc(&val)));
        }
    }
    if let Some(g) = group {
        s.push_str(&format!("&group={g}"));
    }
    if let Some(a) = after {
        s.push_str(&format!("&after={}", enc(a)));
    }
    s
}

/// The search's resource is created here, outside the `Protected` suspense, so the server and the browser create it
/// at the same point (their ids must match for hydration): created inside, a fresh load sometimes failed to hydrate
/// (the browser met the vehicle list where it expected the boundary's marker).
#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let dto = move || {
        query.with(|m| CatalogQueryDto {
            q: m.get("q"),
            vehicle_in_url: m.get("make").is_some(),
            make: m.get("make"),
            model: m.get("model"),
            year: m.get("year"),
            engine: m.get("engine"),
            group: m.get("group"),
            after: m.get("after"),
        })
    };
    let result = Resource::new(dto, search_catalog);
    view! {
        <Protected permission=Permission::CatalogRead>
            <Catalog result />
        </Protected>
    }
}

#[component]
fn Catalog(result: Resource<Result<CatalogResultDto, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q0 = query.with_untracked(|m| m.get("q")).unwrap_or_default();
    let navigate = use_navigate();
    // Typing searches after a pause; the URL follows (replaced, so Back leaves the page rather than each keystroke).
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let typed = RwSignal::new(q0.clone());
    let on_input = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            typed.set(value.clone());
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let navigate = navigate.clone();
            let handle = set_timeout_with_handle(
                move || {
                    let vehicle = result.get_untracked().and_then(|r| r.ok()).map(|r| r.vehicle).unwrap_or_default();
                    navigate(
                        &href(&value, &vehicle, None, None),
                        leptos_router::NavigateOptions { replace: true, scroll: false, ..Default::default() },
                    );
                },
                std::time::Duration::from_millis(250),
            )
            .ok();
            pending.set_value(handle);
        }
    };
    let input_keys = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "ArrowDown" {
            ev.prevent_default();
            focus_hit(0);
        }
    };
    view! {
        <Title text=move || td_string!(i18n.get_locale(), catalog.title) />
        <h1 class="mb-4 text-2xl font-bold tracking-tight text-slate-900 dark:text-white">{t!(i18n, catalog.title)}</h1>
        <form method="get" action="/catalog" role="search" class="mb-4 space-y-3" data-testid="catalog-form">
            <div class="flex gap-2">
                <label for="catalog-q" class="sr-only">{t!(i18n, catalog.query_label)}</label>
                <input
                    id="catalog-q"
                    name="q"
                    type="search"
                    value=q0
                    autocomplete="off"
                    spellcheck="false"
                    maxlength="200"
                    class=INPUT
                    placeholder=move || td_string!(i18n.get_locale(), catalog.placeholder)
                    on:input=on_input
                    on:keydown=input_keys
                    data-testid="catalog-q"
                />
                <button type="submit" class=BUTTON>{t!(i18n, common.search)}</button>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let r = result.await.ok();
                    let (vehicle, options) = r.map(|r| (r.vehicle, r.options)).unwrap_or_default();
                    view! { <Cascade vehicle options typed /> }
                })}
            </Transition>
        </form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match result.await {
                    Err(e) => view! { <ErrorBanner error=Signal::stored(Some(e)) /> }.into_any(),
                    Ok(r) => view! { <Results result=r q=query.with_untracked(|m| m.get("q")).unwrap_or_default() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The vehicle cascade: each choice lists what the one before allows. Changing one searches at once when hydrated;
/// without JavaScript the form's button applies it.
#[component]
fn Cascade(vehicle: VehicleFilter, options: VehicleOptions, typed: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let v = vehicle.clone();
    let go = move |field: &'static str, value: String| {
        let mut next = v.clone();
        let value = Some(value).filter(|s| !s.is_empty());
        match field {
            "make" => next = VehicleFilter { make: value, ..VehicleFilter::default() },
            "model" => next = VehicleFilter { make: next.make, model: value, ..VehicleFilter::default() },
            "year" => {
                next = VehicleFilter {
                    make: next.make,
                    model: next.model,
                    year: value.and_then(|y| y.parse().ok()),
                    engine: None,
                }
            }
            _ => next.engine = value,
        }
        navigate(&href(&typed.get_untracked(), &next, None, None), Default::default());
    };
    let select = "block w-full rounded-lg border border-slate-300 bg-white px-2 py-2 text-sm text-slate-900 disabled:opacity-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
    // A choice searches once the user stops changing it: arrow keys through a closed list change it at every press
    // (outside testing counted a search per key), so each change waits a moment and replaces the one before.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let settle = move |go: Box<dyn FnOnce()>| {
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        pending.set_value(set_timeout_with_handle(go, std::time::Duration::from_millis(400)).ok());
    };
    let chosen = vehicle.clone();
    let has_vehicle = !vehicle.is_empty();
    let clear_href = href(&typed.get_untracked(), &VehicleFilter::default(), None, None);
    let field = move |name: &'static str, label: String, any: String, current: Option<String>, list: Vec<String>| {
        let go = go.clone();
        let disabled = list.is_empty();
        view! {
            <div>
                <label for=format!("vehicle-{name}") class="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">{label}</label>
                <select
                    id=format!("vehicle-{name}")
                    name=name
                    class=select
                    disabled=disabled
                    data-testid=format!("vehicle-{name}")
                    on:change=move |ev| {
                        let (go, value) = (go.clone(), event_target_value(&ev));
                        settle(Box::new(move || go(name, value)));
                    }
                >
                    // `prop:selected` too: a page update reuses these elements, and an option the user picked
                    // keeps its selectedness when only its attribute changes.
                    <option value="" selected=current.is_none() prop:selected=current.is_none()>{any}</option>
                    {list.into_iter().map(|o| {
                        let selected = current.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&o));
                        view! { <option value=o.clone() selected=selected prop:selected=selected>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let l = i18n.get_locale_untracked();
    view! {
        <fieldset class="grid grid-cols-2 gap-2 rounded-lg border border-slate-200 p-3 sm:grid-cols-[repeat(4,1fr)_auto] dark:border-slate-700" data-testid="vehicle-cascade">
            <legend class="px-1 text-sm font-semibold">{t!(i18n, catalog.vehicle)}</legend>
            {field("make", td_string!(l, catalog.make).into(), td_string!(l, catalog.any_make).into(), chosen.make.clone(), options.makes.clone())}
            {field("model", td_string!(l, catalog.model).into(), td_string!(l, catalog.any_model).into(), chosen.model.clone(), options.models.clone())}
            {field("year", td_string!(l, catalog.year).into(), td_string!(l, catalog.any_year).into(), chosen.year.map(|y| y.to_string()), options.years.iter().map(|y| y.to_string()).collect())}
            {field("engine", td_string!(l, catalog.engine).into(), td_string!(l, catalog.any_engine).into(), chosen.engine.clone(), options.engines.clone())}
            <div class="col-span-2 flex items-end gap-2 sm:col-span-1">
                <button type="submit" class=BUTTON_SECONDARY data-testid="vehicle-apply">{t!(i18n, catalog.apply)}</button>
                {has_vehicle.then(|| view! {
                    <a href=clear_href.clone() class="py-1.5 text-sm font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="vehicle-clear">{t!(i18n, catalog.clear_vehicle)}</a>
                })}
            </div>
        </fieldset>
    }
}

/// Moves the focus to the `i`-th result link (arrow-key navigation).
fn focus_hit(i: usize) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Ok(list) = document().query_selector_all("[data-hit]")
            && let Some(node) = list.item(i as u32)
            && let Ok(el) = node.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = i;
}

fn hit_keys(ev: leptos::ev::KeyboardEvent, index: usize) {
    match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            focus_hit(index + 1);
        }
        "ArrowUp" => {
            ev.prevent_default();
            if index == 0 {
                if let Some(input) = document().get_element_by_id("catalog-q") {
                    #[cfg(feature = "hydrate")]
                    {
                        use wasm_bindgen::JsCast;
                        if let Ok(el) = input.dyn_into::<web_sys::HtmlElement>() {
                            let _ = el.focus();
                        }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = input;
                }
            } else {
                focus_hit(index - 1);
            }
        }
        _ => {}
    }
}

fn marked(segments: Vec<Segment>) -> impl IntoView {
    segments
        .into_iter()
        .map(|s| {
            if s.hit {
                view! { <mark class="rounded bg-amber-200 px-0.5 text-slate-900 dark:bg-amber-300">{s.text}</mark> }
                    .into_any()
            } else {
                s.text.into_any()
            }
        })
        .collect_view()
}

#[component]
fn Results(result: CatalogResultDto, q: String) -> impl IntoView {
    let i18n = use_i18n();
    let CatalogResultDto { page, vehicle, examples, available, shelf_hits, shelf, .. } = result;
    let searched = !q.trim().is_empty() || !vehicle.is_empty();
    let group_param = use_query_map().with_untracked(|m| m.get("group")).and_then(|g| g.parse::<i32>().ok());
    if !searched && group_param.is_none() {
        return view! { <StartState examples /> }.into_any();
    }
    let u = page.understood.clone();
    // The first page counts; later pages carry its count in their address (with the way back).
    let trail = Trail::from_url();
    let current_after = use_query_map().with_untracked(|m| m.get("after")).unwrap_or_default();
    let total = page.total.or(trail.total);
    let approximate = if page.total.is_some() { page.approximate } else { trail.approximate };
    let hits = page.hits.clone();
    let next = page.next.clone();
    let shown_here = page.hits.len() as i64;
    let vlabel = vehicle.label();
    let notes = view! {
        <div class="mb-3 space-y-1 text-sm text-slate-600 dark:text-slate-300" data-testid="understood">
            {u.corrected.clone().map(|c| view! {
                <p data-testid="corrected">{t!(i18n, catalog.corrected, query = c.clone())}</p>
            })}
            {u.as_number.clone().map(|n| view! {
                <p data-testid="as-number">{t!(i18n, catalog.as_number, number = n.clone())}</p>
            })}
            {u.vehicle_words.clone().map(|w| view! { <p>{t!(i18n, catalog.vehicle_words, words = w.clone())}</p> })}
            {(!u.synonyms.is_empty()).then(|| {
                let s = u.synonyms.join(", ");
                view! { <p>{t!(i18n, catalog.synonyms, words = s.clone())}</p> }
            })}
        </div>
    };
    let groups = page.groups.clone();
    let facets = (!groups.is_empty()).then(|| {
        let (q, v) = (q.clone(), vehicle.clone());
        view! {
            <nav aria-label=move || td_string!(i18n.get_locale(), catalog.groups) class="mb-4 lg:mb-0">
                <h2 class="mb-2 text-sm font-semibold">{t!(i18n, catalog.groups)}</h2>
                <ul class="flex flex-wrap gap-2 lg:flex-col lg:gap-1" data-testid="groups">
                    <li>
                        <a href=href(&q, &v, None, None) class="text-sm hover:underline" aria-current=group_param.is_none().then_some("true")>
                            {t!(i18n, catalog.all_groups)}
                        </a>
                    </li>
                    {groups.into_iter().map(|g| {
                        let current = group_param == Some(g.id);
                        view! {
                            <li>
                                <a
                                    href=href(&q, &v, Some(g.id), None)
                                    class="text-sm hover:underline aria-[current=true]:font-semibold aria-[current=true]:text-[#1a5bb5] dark:aria-[current=true]:text-[#8fbfff]"
                                    aria-current=current.then_some("true")
                                >
                                    {g.path.clone()}
                                    " "
                                    <span class="text-slate-600 dark:text-slate-400">
                                        {move || {
                                            let n = number::count(i18n.get_locale(), if approximate { round_estimate(g.parts) } else { g.parts });
                                            if approximate { format!("(≈{n})") } else { format!("({n})") }
                                        }}
                                    </span>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </nav>
        }
    });
    // The organisation's own parts the query finds, first (the arrow keys walk them, then the results).
    let first_index = shelf_hits.len();
    let own = (!shelf_hits.is_empty()).then(|| view! { <OwnShelf hits=shelf_hits shelf=shelf.clone() q=q.clone() /> });
    let empty = hits.is_empty();
    let list = if empty {
        let (q2, v2) = (q.clone(), vehicle.clone());
        view! {
            <section class=CARD data-testid="no-results">
                <h2 class="mb-2 text-lg font-semibold">{t!(i18n, catalog.none_title, query = q2.clone())}</h2>
                <ul class="list-disc space-y-1 pl-5 text-sm">
                    {page.without_vehicle.filter(|n| *n > 0).map(|n| view! {
                        <li>
                            {t!(i18n, catalog.none_vehicle, count = n, vehicle = vlabel.clone())} " "
                            <a href=href(&q2, &VehicleFilter::default(), None, None) class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="clear-vehicle">
                                {t!(i18n, catalog.clear_vehicle)}
                            </a>
                        </li>
                    })}
                    {group_param.map(|_| view! {
                        <li>
                            <a href=href(&q2, &v2, None, None) class="font-medium text-[#1a5bb5] hover:underline dark:text-[#8fbfff]" data-testid="all-groups">
                                {t!(i18n, catalog.search_all_groups)}
                            </a>
                        </li>
                    })}
                    <li>{t!(i18n, catalog.none_tip)}</li>
                </ul>
            </section>
        }
        .into_any()
    } else {
        let (q3, v3) = (q.clone(), vehicle.clone());
        // Results `first`–`last` of the whole, and the pages either side (each link carries the trail on).
        let first = trail.back.len() as i64 * i64::from(nexus::catalog::rules::search::PAGE_DEFAULT) + 1;
        let last = first + shown_here - 1;
        let onward = |back: Vec<String>| Trail { back, total, approximate }.param();
        let next = next.map(|n| {
            let mut back = trail.back.clone();
            back.push(current_after.clone());
            format!("{}{}", href(&q3, &v3, group_param, Some(&n)), onward(back))
        });
        let prev = trail.back.last().map(|p| {
            let back = trail.back[..trail.back.len() - 1].to_vec();
            let at = Some(p.as_str()).filter(|p| !p.is_empty());
            format!("{}{}", href(&q3, &v3, group_param, at), onward(back))
        });
        view! {
            <section aria-labelledby="results-heading">
                <h2 id="results-heading" class="mb-2 text-sm text-slate-600 dark:text-slate-300" data-testid="results-count">
                    {move || {
                        let l = i18n.get_locale();
                        let shown = |n: i64| number::count(l, if approximate { round_estimate(n) } else { n });
                        let about = if approximate { td_string!(l, catalog.about) } else { "" };
                        let of = total.map(|n| format!("{about}{}", shown(n))).unwrap_or_else(|| "…".to_owned());
                        let range = td_string!(l, catalog.results_range, first = number::count(l, first), last = number::count(l, last), total = of).to_string();
                        if vlabel.is_empty() { range } else { format!("{range} · {}", vlabel) }
                    }}
                </h2>
                <ol class="space-y-2" data-testid="results">
                    {hits.into_iter().enumerate().map(|(i, h)| {
                        let stocked = available.iter().find(|a| a.part == h.id).cloned();
                        let mine = shelf.iter().filter(|e| e.part == h.id).cloned().collect::<Vec<_>>();
                        view! { <Hit hit=h index=i + first_index q=q.clone() stocked mine /> }
                    }).collect_view()}
                </ol>
                <ResultPages first=(trail.back.len() > 1).then(|| href(&q3, &v3, group_param, None)) prev next />
            </section>
        }
        .into_any()
    };
    view! {
        {notes}
        <div class="lg:grid lg:grid-cols-[16rem_1fr] lg:gap-6">
            <div>{facets}</div>
            <div class="min-w-0">{own}{list}</div>
        </div>
    }
    .into_any()
}

/// The links between result pages: the first (from the third page on), the previous and the next.
/// The parts of the organisation's own stock a search finds, above the results ("en tu almacén").
#[component]
fn OwnShelf(hits: Vec<PartHit>, shelf: Vec<ShelfEntry>, q: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="shelf-heading" class="mb-4" data-testid="shelf">
            <h2 id="shelf-heading" class="text-sm font-semibold text-emerald-900 dark:text-emerald-300">{t!(i18n, catalog.on_shelf_title)}</h2>
            <p class="mb-2 text-xs text-slate-600 dark:text-slate-300">{t!(i18n, catalog.on_shelf_note)}</p>
            <ol class="space-y-2">
                {hits.into_iter().enumerate().map(|(i, h)| {
                    let mine = shelf.iter().filter(|e| e.part == h.id).cloned().collect::<Vec<_>>();
                    view! { <Hit hit=h index=i q=q.clone() stocked=None mine /> }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn ResultPages(first: Option<String>, prev: Option<String>, next: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    (first.is_some() || prev.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="mt-4 flex flex-wrap gap-2" aria-label=move || td_string!(i18n.get_locale(), list.pages)>
                {first.map(|f| view! { <a class=BUTTON_SECONDARY href=f data-testid="first-page">{t!(i18n, common.first_page)}</a> })}
                {prev.map(|p| view! { <a class=BUTTON_SECONDARY href=p rel="prev" data-testid="prev-page">{t!(i18n, common.prev_page)}</a> })}
                {next.map(|n| view! { <a class=BUTTON_SECONDARY href=n rel="next" data-testid="next-page">{t!(i18n, common.next_page)}</a> })}
            </nav>
        }
    })
}

#[component]
fn Hit(
    hit: PartHit,
    index: usize,
    q: String,
    /// Which bodegas hold it, for the roles that compare them.
    stocked: Option<nexus::inventory::rules::stock::AvailabilitySummary>,
    /// The caller's own items of it, with what there is of each.
    mine: Vec<ShelfEntry>,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = format!("/catalog/parts/{}?q={}", hit.id, enc(&q));
    let found = hit.found_by.clone();
    view! {
        <li>
            <a
                href=url
                data-hit=index
                on:keydown=move |ev| hit_keys(ev, index)
                class="block rounded-xl border border-slate-200 bg-white p-3 shadow-sm hover:border-[#2b7cee] focus:outline-none focus-visible:ring-2 focus-visible:ring-[#2b7cee] dark:border-slate-700 dark:bg-slate-800/60"
                data-testid="hit"
            >
                <div class="flex flex-wrap items-baseline justify-between gap-x-3">
                    <span class="font-semibold text-slate-900 dark:text-white">{marked(hit.name.clone())}</span>
                    <span class="font-mono text-sm text-slate-700 dark:text-slate-200" data-testid="hit-number">{hit.number.clone()}</span>
                </div>
                <div class="mt-1 flex flex-wrap gap-x-3 text-xs text-slate-600 dark:text-slate-300">
                    <span>{hit.manufacturer.clone()}</span>
                    {hit.group.clone().map(|g| view! { <span>{g}</span> })}
                    <span>{t!(i18n, catalog.fits, count = hit.fitment_count)}</span>
                    {(hit.alternatives > 0).then(|| {
                        let price = hit.price_from.clone();
                        view! {
                            <span>
                                {t!(i18n, catalog.alternatives, count = hit.alternatives)}
                                {price.map(|p| view! { " · " {move || td_string!(i18n.get_locale(), catalog.price_from, price = number::money(i18n.get_locale(), &p)).to_string()}})}
                            </span>
                        }
                    })}
                </div>
                {stocked.map(|a| {
                        let from = a.from.clone();
                        view! {
                            <p class="mt-1 text-sm font-medium text-emerald-800 dark:text-emerald-300" data-testid="hit-stocked">
                                {move || td_string!(i18n.get_locale(), catalog.stocked, count = a.bodegas, price = number::money(i18n.get_locale(), &from)).to_string()}
                            </p>
                        }
                })}
                {(!mine.is_empty()).then(|| {
                    let unit = mine[0].unit;
                    let held = nexus::stockroom::rules::quantity::Qty(mine.iter().map(|e| e.balance.0).sum());
                    view! {
                        <p class="mt-1 text-sm font-medium text-emerald-800 dark:text-emerald-300" data-testid="hit-shelf">
                            {move || {
                                let l = i18n.get_locale();
                                if held.0 > 0 {
                                    td_string!(l, catalog.on_shelf, qty = crate::stockroom::texts::qty(l, held, unit)).to_string()
                                } else {
                                    td_string!(l, catalog.on_shelf_none).to_string()
                                }
                            }}
                        </p>
                    }
                })}
                {found.map(|f| {
                    let source = f.source;
                    let brand = f.brand.clone();
                    view! {
                        <p class="mt-1 text-xs text-slate-600 dark:text-slate-300" data-testid="found-by">
                            {move || source_text(i18n.get_locale(), source)} ": "
                            {(!brand.is_empty()).then(|| format!("{brand} "))}
                            <span class="font-mono">{marked(f.number.clone())}</span>
                        </p>
                    }
                })}
            </a>
        </li>
    }
}

fn source_text(l: Locale, s: NumberSource) -> &'static str {
    match s {
        NumberSource::Oem => td_string!(l, catalog.by_oem),
        NumberSource::Aftermarket => td_string!(l, catalog.by_aftermarket),
        NumberSource::Equivalent => td_string!(l, catalog.by_equivalent),
        NumberSource::Superseded => td_string!(l, catalog.by_superseded),
    }
}

/// Before a search: what the box understands, with examples to try.
#[component]
fn StartState(examples: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=CARD data-testid="catalog-start">
            <h2 class="mb-2 text-lg font-semibold">{t!(i18n, catalog.start_title)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, catalog.start_text)}</p>
            {if examples.is_empty() {
                view! { <p class="text-sm text-slate-600 dark:text-slate-300" data-testid="catalog-empty">{t!(i18n, catalog.start_empty)}</p> }.into_any()
            } else {
                view! {
                    <p class="mb-2 text-sm font-medium">{t!(i18n, catalog.start_try)}</p>
                    <ul class="flex flex-wrap gap-2">
                        {examples.into_iter().map(|e| {
                            let to = format!("/catalog?q={}", enc(&e));
                            view! { <li><a href=to class=BUTTON_SECONDARY data-testid="example">{e}</a></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
