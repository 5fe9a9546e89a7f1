//! The browser entry point: hydrates the page the server rendered. Some routes are lazy (their code is a separate
//! WASM chunk), so hydration is asynchronous: a page that starts on a lazy route fetches its chunk first.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // hydrate_from_async starts Leptos' executor on wasm-bindgen-futures, which drives this future too.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body().expect("the page has a body");
        let mounted = leptos::mount::hydrate_from_async(body.clone(), nexus_app::App).await;
        // The app lives as long as the page.
        mounted.forget();
        // Lets end-to-end tests (and curious humans) know the page is interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
