//! Charts, drawn by Apache ECharts in the browser through `charming` (the options are built in Rust; ECharts itself
//! is a script fetched when a chart first comes near the screen, so no other page pays for it, nor a phone whose
//! screen holds only the figures above the charts: its 664 KB cost over a second of a mid-range phone's main
//! thread). Each chart is a box with an accessible name whose figures are also in a table beside it (screen readers,
//! no JavaScript, and the numbers exactly); tooltips on hover and touch, a click on a bar or point calls back (drill-down).

use charming::Chart;
use leptos::prelude::*;

/// Where the ECharts script is served (its "common" build: line, bar and pie with their components; copied from npm's
/// `echarts` by `scripts/build`).
pub const ECHARTS_SRC: &str = "/pkg/echarts-common-5.6.0.min.js";

/// A chart of `option` (redrawn in place whenever it changes), named `label` for assistive technology.
#[component]
pub fn ChartBox(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] option: Signal<Option<Chart>>,
    /// Called with the index of the bar or point clicked.
    #[prop(optional)]
    on_click: Option<Callback<usize>>,
    #[prop(default = "h-72")] height: &'static str,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    draw::attach(id, node, option, on_click);
    #[cfg(not(feature = "hydrate"))]
    let _ = (option, on_click);
    view! {
        <div id=id node_ref=node class=format!("{height} w-full") role="img" aria-label=move || label.get() data-testid=id></div>
    }
}

#[cfg(feature = "hydrate")]
mod draw {
    use charming::theme::Theme;
    use charming::{Chart, Echarts, WasmRenderer};
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;

    use super::ECHARTS_SRC;
    use crate::ui::script;

    struct Drawn {
        chart: Echarts,
        dark: bool,
        _click: Option<Closure<dyn FnMut(JsValue)>>,
    }

    fn dark() -> bool {
        document().document_element().is_some_and(|e| e.class_list().contains("dark"))
    }

    /// Loads the ECharts script once (the first chart asks; the others wait for it).
    async fn ready() -> bool {
        script::load("echarts-js", ECHARTS_SRC, "echarts").await.is_some()
    }

    fn call(target: &JsValue, method: &str, args: &[JsValue]) {
        let _ = script::call(target, method, args);
    }

    /// Whether the chart's box is, or has been, within 200 px of the screen: what it takes to fetch ECharts and draw.
    fn near_screen(node: NodeRef<leptos::html::Div>) -> Signal<bool> {
        use leptos_use::{UseIntersectionObserverOptions, use_intersection_observer_with_options};
        let near = RwSignal::new(false);
        let observer = use_intersection_observer_with_options(
            node,
            move |entries, _| {
                if entries.iter().any(|e| e.is_intersecting()) {
                    near.set(true);
                }
            },
            UseIntersectionObserverOptions::default().root_margin("200px 0px"),
        );
        // Once near, it stays drawn: the observer has done its work.
        Effect::new(move |_| {
            if near.get() {
                (observer.stop)();
            }
        });
        near.into()
    }

    pub fn attach(
        id: &'static str,
        node: NodeRef<leptos::html::Div>,
        option: Signal<Option<Chart>>,
        on_click: Option<Callback<usize>>,
    ) {
        let drawn = StoredValue::new_local(None::<Drawn>);
        let near = near_screen(node);
        Effect::new(move |_| {
            let Some(chart) = option.get() else { return };
            if !near.get() {
                return;
            }
            leptos::task::spawn_local(async move {
                if !ready().await {
                    return;
                }
                let dark = dark();
                // The page may have been left while the script loaded: nothing to draw into any more.
                let Some(stale) = drawn.try_with_value(|d| d.as_ref().is_some_and(|d| d.dark != dark)) else { return };
                // A theme switched since: drawn again in the new one.
                if stale {
                    drawn.try_update_value(|d| {
                        if let Some(old) = d.take() {
                            call(&old.chart, "dispose", &[]);
                        }
                    });
                }
                if drawn.try_with_value(|d| d.is_some()) == Some(true) {
                    drawn.try_with_value(|d| {
                        if let Some(d) = d {
                            WasmRenderer::update(&d.chart, &chart);
                        }
                    });
                    return;
                }
                if document().get_element_by_id(id).is_none() {
                    return;
                }
                let theme = if dark { Theme::Dark } else { Theme::Default };
                let Ok(instance) = WasmRenderer::new_opt(None, None).theme(theme).render(id, &chart) else { return };
                let click = on_click.map(|cb| {
                    let closure = Closure::<dyn FnMut(JsValue)>::new(move |params: JsValue| {
                        let index = js_sys::Reflect::get(&params, &JsValue::from_str("dataIndex"))
                            .ok()
                            .and_then(|v| v.as_f64());
                        if let Some(i) = index {
                            cb.run(i as usize);
                        }
                    });
                    call(&instance, "on", &[JsValue::from_str("click"), closure.as_ref().clone()]);
                    closure
                });
                drawn.try_update_value(|d| *d = Some(Drawn { chart: instance, dark, _click: click }));
            });
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| {
            drawn.try_with_value(|d| {
                if let Some(d) = d {
                    d.chart.resize(JsValue::UNDEFINED);
                }
            });
        });
        let resize = StoredValue::new_local(Some(resize));
        on_cleanup(move || {
            resize.try_update_value(|r| {
                if let Some(r) = r.take() {
                    r.remove();
                }
            });
            drawn.try_update_value(|d| {
                if let Some(d) = d.take() {
                    call(&d.chart, "dispose", &[]);
                }
            });
        });
    }
}
