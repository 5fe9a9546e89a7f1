//! The page's one live channel (`GET /api/v1/live`, server-sent events), opened once per tab by the layout while
//! someone is signed in and shared by whatever the page shows: the navigation's unread count and a live dashboard's
//! refreshes. One connection per tab whatever the page (browsers give a site six over HTTP/1.1, across all its tabs).
//! The browser reconnects by itself after a network loss; each (re)connection's `ready` refreshes what listens.

use leptos::prelude::*;

/// What the channel has said, as signals (in the browser; on the server they keep their first values).
///
/// Reference-counted signals, alive while anything holds them: arena signals owned by the layout were once found
/// disposed by a page rendering on the server (a lazy route's view, polled after), and the request panicked
/// (an empty response in the a11y sweep).
#[derive(Debug, Clone)]
pub struct Live {
    /// The person's unread notices, once the channel has said it (the page's own count until then).
    pub unread: ArcRwSignal<Option<i64>>,
    /// Bumped on each production change and on each (re)connection.
    pub production: ArcRwSignal<u64>,
    /// Bumped on each change of the shop's parts and on each (re)connection.
    pub fabrication: ArcRwSignal<u64>,
    /// The channel is open.
    pub connected: ArcRwSignal<bool>,
}

/// Puts the channel's signals in context (the layout, once per page).
pub fn provide_live() -> Live {
    let live = Live {
        unread: ArcRwSignal::new(None),
        production: ArcRwSignal::new(0),
        fabrication: ArcRwSignal::new(0),
        connected: ArcRwSignal::new(false),
    };
    provide_context(live.clone());
    live
}

pub fn use_live() -> Option<Live> {
    use_context::<Live>()
}

/// Opens the channel (browser only), closed when the owner is cleaned up (signed out).
pub fn connect(live: Live) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::prelude::*;
        let Ok(source) = web_sys::EventSource::new("/api/v1/live") else { return };
        let data = |e: &web_sys::Event| e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string());
        let l = live.clone();
        let ready = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let live = &l;
            let unread =
                data(&e).and_then(|d| d.trim_start_matches("{\"unread\":").trim_end_matches('}').parse::<i64>().ok());
            live.connected.set(true);
            if unread.is_some() {
                live.unread.set(unread);
            }
            live.production.update(|t| *t += 1);
            live.fabrication.update(|t| *t += 1);
        });
        let l = live.clone();
        let unread = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let live = &l;
            if let Some(n) = data(&e).and_then(|d| d.parse::<i64>().ok()) {
                live.unread.set(Some(n));
            }
        });
        let l = live.clone();
        let production = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| l.production.update(|t| *t += 1));
        let l = live.clone();
        let fabrication = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| l.fabrication.update(|t| *t += 1));
        let lost = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| live.connected.set(false));
        let _ = source.add_event_listener_with_callback("ready", ready.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("unread", unread.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("production", production.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("fabrication", fabrication.as_ref().unchecked_ref());
        source.set_onerror(Some(lost.as_ref().unchecked_ref()));
        let kept = StoredValue::new_local(Some((source, ready, unread, production, fabrication, lost)));
        on_cleanup(move || {
            kept.update_value(|k| {
                if let Some((source, ..)) = k.take() {
                    source.close();
                }
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
}
