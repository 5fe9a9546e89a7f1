//! The browser entry point: hydrates the page the server rendered.
//!
//! Leptos' `hydrate_from_async` builds the app (components, resources, router) and walks the server's DOM in one go:
//! one main-thread task of ~250 ms on a mid-range phone, long enough to delay a tap. This does the same two steps with
//! a yield to the browser between them, so each is its own, shorter task. Hydration stays asynchronous: some routes are
//! lazy (their code is a separate WASM chunk), and a page that starts on one fetches its chunk during the walk.

use std::sync::Arc;

use leptos::IntoView;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::view::{PositionState, RenderHtml};
use leptos::wasm_bindgen::JsCast;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Leptos' tasks (resources, effects, this future) run on wasm-bindgen-futures. Err only means "already set".
    let _ = any_spawner::Executor::init_wasm_bindgen();
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body().expect("the page has a body");
        // What `leptos::mount::hydrate_from_async` does, with the yield. The root owner lives as long as the page.
        let owner = Owner::new_root(Some(Arc::new(hydration_context::HydrateSharedContext::new())));
        let parent = body.clone();
        let mounted = owner
            .with(move || {
                ScopedFuture::new(async move {
                    let view = nexus_app::App().into_view();
                    nexus_app::ui::hydration::yield_to_browser().await;
                    view.hydrate_async(&Cursor::new(parent.unchecked_into()), &PositionState::default()).await
                })
            })
            .await;
        // The parts of the page hydrated in tasks of their own (`ui::hydration::later`).
        nexus_app::ui::hydration::parts_hydrated().await;
        if let Some(sc) = Owner::current_shared_context() {
            sc.hydration_complete();
        }
        // Work that must not change what the walk saw, each in a task of its own.
        let app = owner.clone();
        leptos::prelude::set_timeout(
            move || app.with(nexus_app::ui::time::learn_browser_zone),
            std::time::Duration::ZERO,
        );
        std::mem::forget((owner, mounted));
        // Lets end-to-end tests (and curious humans) know the page is interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
