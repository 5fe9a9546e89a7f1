//! `/developers/api`: the REST API's reference, for the developers who connect a workshop's, bodega's or plant's
//! systems. How to start (the base address, keys, errors and limits) in the user's language, then every operation
//! of `/api/v1/openapi.json` drawn by Swagger UI (npm's `swagger-ui-dist`, served from our own `/pkg`: nothing
//! from a CDN), where a developer reads each one and tries it with their key. Open to anyone: the document is public,
//! and a developer writing an integration may not have an account here.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD, PageHeader};

/// Swagger UI's bundle and its stylesheet, under its version's name (copied from npm by `scripts/build`, which
/// checks this file names the installed version).
pub const SWAGGER_JS: &str = "/pkg/swagger-ui-5.35.0.js";
pub const SWAGGER_CSS: &str = "/pkg/swagger-ui-5.35.0.css";
/// The OpenAPI document the reference draws.
pub const OPENAPI_URL: &str = "/api/v1/openapi.json";

/// Where the interactive reference stands in the browser (the server renders it loading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Drawn {
    Loading,
    Ready,
    Failed,
}

#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let i18n = use_i18n();
    let drawn = RwSignal::new(Drawn::Loading);
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    swagger::mount(node, drawn);
    let code = "rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.8125rem] dark:bg-slate-800";
    let term = "font-semibold text-slate-900 dark:text-white";
    let link = "font-medium text-[#1a5bb5] underline dark:text-[#8fbfff]";
    view! {
        <Title text=move || td_string!(i18n.get_locale(), apiref.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, apiref.title))>
            <div class="flex flex-wrap gap-2">
                <a href=OPENAPI_URL download="nexus-openapi.json" class=BUTTON_SECONDARY data-testid="openapi-download">
                    {t!(i18n, apiref.download)}
                </a>
                <a href="/account/api-keys" class=BUTTON_SECONDARY data-testid="to-api-keys">{t!(i18n, keys.title)}</a>
            </div>
        </PageHeader>
        <p class="mb-6 max-w-3xl text-slate-600 dark:text-slate-300">{t!(i18n, apiref.intro)}</p>
        <section class=format!("{CARD} mb-6") aria-labelledby="apiref-start-h" data-testid="api-start">
            <h2 id="apiref-start-h" class="mb-4 text-lg font-semibold">{t!(i18n, apiref.start_title)}</h2>
            <dl class="grid gap-x-6 gap-y-4 text-sm text-slate-700 sm:grid-cols-[10rem_1fr] dark:text-slate-200">
                <dt class=term>{t!(i18n, apiref.base_label)}</dt>
                <dd><code class=code>"/api/v1"</code> " " {t!(i18n, apiref.base_text)}</dd>
                <dt class=term>{t!(i18n, apiref.auth_label)}</dt>
                <dd>
                    <code class=code>"Authorization: Bearer nxk_…"</code> " " {t!(i18n, apiref.auth_text)} " "
                    <a href="/account/api-keys" class=link>{t!(i18n, apiref.auth_link)}</a>
                </dd>
                <dt class=term>{t!(i18n, apiref.errors_label)}</dt>
                <dd>{t!(i18n, apiref.errors_text)}</dd>
                <dt class=term>{t!(i18n, apiref.try_label)}</dt>
                <dd>{t!(i18n, apiref.try_text)}</dd>
            </dl>
        </section>
        <section aria-labelledby="apiref-ops-h" class="mb-8">
            <h2 id="apiref-ops-h" class="mb-1 text-lg font-semibold">{t!(i18n, apiref.ops_title)}</h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, apiref.english)}</p>
            {move || match drawn.get() {
                Drawn::Ready => None,
                Drawn::Loading => Some(view! {
                    <p role="status" class="text-sm text-slate-600 dark:text-slate-300" data-testid="api-reference-loading">
                        {t!(i18n, apiref.loading)}
                    </p>
                }.into_any()),
                Drawn::Failed => Some(view! {
                    <p role="alert" class="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100" data-testid="api-reference-failed">
                        {t!(i18n, apiref.failed)} " "
                        <a href=OPENAPI_URL download="nexus-openapi.json" class=link>{t!(i18n, apiref.download)}</a>
                    </p>
                }.into_any()),
            }}
            // Swagger UI draws into this box (React owns what is inside; Leptos renders it empty).
            <div
                node_ref=node
                id="swagger-ui"
                class="overflow-hidden rounded-xl border border-slate-200 bg-white empty:hidden dark:border-slate-700 dark:bg-[#1c2022]"
                data-testid="api-reference"
            ></div>
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod swagger {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    use super::{Drawn, OPENAPI_URL, SWAGGER_CSS, SWAGGER_JS};
    use crate::i18n::*;
    use crate::ui::script;

    fn set(target: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
        let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), &value.into());
    }

    /// What keeps the names given to Swagger UI's unnamed controls: the observer and its callback.
    type Naming = (web_sys::MutationObserver, Closure<dyn FnMut(JsValue, JsValue)>);

    /// Fetches Swagger UI (once per visit) and draws the document into `node` when the box is on the page.
    pub fn mount(node: NodeRef<leptos::html::Div>, drawn: RwSignal<Drawn>) {
        let i18n = use_i18n();
        let started = StoredValue::new(false);
        let naming = StoredValue::new_local(None::<Naming>);
        Effect::new(move |_| {
            let Some(el) = node.get() else { return };
            if started.get_value() {
                return;
            }
            started.set_value(true);
            let locale = i18n.get_locale_untracked();
            let names = Names {
                body: td_string!(locale, apiref.body_label).to_owned(),
                close: td_string!(locale, apiref.close).to_owned(),
                filter: td_string!(locale, apiref.filter).to_owned(),
            };
            leptos::task::spawn_local(async move {
                script::stylesheet("swagger-ui-css", SWAGGER_CSS);
                let Some(bundle) = script::load("swagger-ui-js", SWAGGER_JS, "SwaggerUIBundle").await else {
                    drawn.try_set(Drawn::Failed);
                    return;
                };
                let apis = js_sys::Reflect::get(&bundle, &JsValue::from_str("presets"))
                    .and_then(|p| js_sys::Reflect::get(&p, &JsValue::from_str("apis")));
                let (Ok(apis), Ok(draw)) = (apis, bundle.dyn_into::<js_sys::Function>()) else {
                    drawn.try_set(Drawn::Failed);
                    return;
                };
                let root: web_sys::Element = el.clone().into();
                naming.try_update_value(|n| *n = name_controls(&root, names));
                let config = js_sys::Object::new();
                set(&config, "url", OPENAPI_URL);
                set(&config, "domNode", JsValue::from(el));
                set(&config, "presets", js_sys::Array::of1(&apis));
                // The operations only (no top bar to load another document), grouped by area, with a filter by area.
                // No deep links: Swagger UI puts each one inside its operation's button, a link within a button
                // (axe: nested-interactive).
                set(&config, "layout", "BaseLayout");
                set(&config, "deepLinking", false);
                set(&config, "filter", true);
                set(&config, "docExpansion", "list");
                set(&config, "defaultModelsExpandDepth", 0);
                set(&config, "displayRequestDuration", true);
                // No call to swagger.io's validator; a pasted key lives in the page only, never in localStorage.
                set(&config, "validatorUrl", JsValue::NULL);
                set(&config, "persistAuthorization", false);
                let done = Closure::once_into_js(move || {
                    drawn.try_set(Drawn::Ready);
                });
                set(&config, "onComplete", done);
                if draw.call1(&JsValue::NULL, &config).is_err() {
                    drawn.try_set(Drawn::Failed);
                    return;
                }
                // Swagger UI says nothing when the document cannot be fetched (it never completes): after 30 s the
                // page offers the document's download instead of a loading line for ever.
                script::sleep(30_000).await;
                if drawn.try_get_untracked() == Some(Drawn::Loading) {
                    drawn.try_set(Drawn::Failed);
                }
            });
        });
        on_cleanup(move || {
            naming.try_update_value(|n| {
                if let Some((observer, _)) = n.take() {
                    observer.disconnect();
                }
            });
        });
    }

    /// The accessible names Swagger UI leaves out, in the page's language.
    struct Names {
        body: String,
        close: String,
        filter: String,
    }

    /// Names what Swagger UI draws without an accessible name, as it draws it: a parameter's field after its
    /// parameter, the request body's editor, the filter, the dialog's close button (axe: label, button-name); and
    /// lets the keyboard reach its code boxes, which scroll (axe: scrollable-region-focusable).
    fn name_controls(root: &web_sys::Element, names: Names) -> Option<Naming> {
        let name_all = {
            let root = root.clone();
            move || {
                for el in all(
                    &root,
                    "input:not([aria-label]):not([type=hidden]), textarea:not([aria-label]), select:not([aria-label])",
                ) {
                    if el.closest("label").ok().flatten().is_some()
                        || el.has_attribute("aria-labelledby")
                        || labelled_by_for(&el)
                    {
                        continue;
                    }
                    let name = if el.class_list().contains("operation-filter-input") {
                        names.filter.clone()
                    } else if let Some(param) = el
                        .closest("tr[data-param-name]")
                        .ok()
                        .flatten()
                        .and_then(|tr| tr.get_attribute("data-param-name"))
                    {
                        param
                    } else if el.tag_name().eq_ignore_ascii_case("textarea") {
                        names.body.clone()
                    } else {
                        el.get_attribute("placeholder").filter(|p| !p.is_empty()).unwrap_or_else(|| names.body.clone())
                    };
                    let _ = el.set_attribute("aria-label", &name);
                }
                for el in all(&root, "button.close-modal:not([aria-label])") {
                    let _ = el.set_attribute("aria-label", &names.close);
                }
                // An example or a response too wide for its box scrolls: the keyboard must reach it too.
                for el in all(&root, ".highlight-code pre:not([tabindex])") {
                    let _ = el.set_attribute("tabindex", "0");
                }
            }
        };
        name_all();
        let callback = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_: JsValue, _: JsValue| name_all());
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        observer.observe_with_options(root, &options).ok()?;
        Some((observer, callback))
    }

    fn all(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
        let Ok(list) = root.query_selector_all(selector) else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok()).collect()
    }

    /// Whether a `<label for=…>` names the element.
    fn labelled_by_for(el: &web_sys::Element) -> bool {
        let id = el.id();
        !id.is_empty()
            && document().query_selector(&format!("label[for=\"{}\"]", id.replace('"', ""))).ok().flatten().is_some()
    }
}
