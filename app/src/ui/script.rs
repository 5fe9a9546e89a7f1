//! Third-party scripts a few pages need (ECharts for the dashboards' charts, Swagger UI for the API reference),
//! served from our own `/pkg` (copied from npm by `scripts/build`, under their version's name) and fetched only when
//! such a page first needs them: no other page pays for them, and nothing comes from a CDN (the CSP allows
//! scripts from us only).

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    /// The global a script defines (`window[name]`), once it has run.
    pub fn global(name: &str) -> Option<JsValue> {
        js_sys::Reflect::get(&window(), &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
    }

    /// Waits `ms` milliseconds.
    pub async fn sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    /// Adds `<link rel="stylesheet" id=… href=…>` to the head, once.
    pub fn stylesheet(id: &str, href: &str) {
        let doc = document();
        if doc.get_element_by_id(id).is_some() {
            return;
        }
        if let Ok(link) = doc.create_element("link") {
            link.set_id(id);
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", href);
            if let Some(head) = doc.head() {
                let _ = head.append_child(&link);
            }
        }
    }

    /// Loads the script at `src` once (the first caller adds it; later callers wait for the same one) and returns
    /// the global it defines, or None when it has not come within 15 s (offline, blocked).
    pub async fn load(id: &str, src: &str, defines: &str) -> Option<JsValue> {
        if let Some(g) = global(defines) {
            return Some(g);
        }
        let doc = document();
        if doc.get_element_by_id(id).is_none()
            && let Ok(el) = doc.create_element("script")
            && let Ok(script) = el.dyn_into::<web_sys::HtmlScriptElement>()
        {
            script.set_id(id);
            script.set_src(src);
            if let Some(head) = doc.head() {
                let _ = head.append_child(&script);
            }
        }
        for _ in 0..300 {
            sleep(50).await;
            if let Some(g) = global(defines) {
                return Some(g);
            }
        }
        None
    }

    /// Calls `target[method](...args)`, returning what it returns (None when there is no such method or it threw).
    pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
        let f = js_sys::Reflect::get(target, &JsValue::from_str(method)).ok()?.dyn_into::<js_sys::Function>().ok()?;
        let array: js_sys::Array = args.iter().collect();
        f.apply(target, &array).ok()
    }
}
