//! Moments in the user's time zone: the browser's own (an IANA name such as `America/Mexico_City`), remembered in a
//! cookie so the server renders the same text the browser would, and the page never flickers from one zone to another.
//!
//! - The server converts with the tz database (`chrono-tz`, server-side only: the browser bundle does not carry it).
//! - The browser converts with its own clock rules (`Date.getTimezoneOffset` for the instant), which are the rules of
//!   the zone the cookie names, since the browser wrote that cookie.
//! - Without the cookie (a first visit) the server shows UTC and says so; once hydrated, the page learns the browser's
//!   zone, remembers it, and re-renders its times in it.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

pub const TZ_COOKIE: &str = "nexus_tz";

/// The user's time zone, when known. Provided once by [`provide_time_zone`].
#[derive(Clone, Copy)]
pub struct UserTimeZone(RwSignal<Option<String>>);

/// An IANA zone name as browsers report it; anything else in the cookie is ignored.
fn plausible_zone(z: &str) -> bool {
    !z.is_empty()
        && z.len() <= 64
        && z.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'))
}

pub fn provide_time_zone() {
    let zone = RwSignal::new(cookie_value().filter(|z| plausible_zone(z)));
    provide_context(UserTimeZone(zone));
}

/// Where [`learn_browser_zone`] asks for the zone: a dedicated worker of one line (`public/assets/zone-worker.js`).
pub const ZONE_WORKER: &str = "/assets/zone-worker.js";

/// Learns the browser's zone and, when it is not the remembered one, remembers it and re-renders the page's times.
/// The browser entry calls it under the app's owner once hydration is over (the walk over the server's DOM must see
/// the zone it rendered). The question is asked in a worker: the first `Intl.DateTimeFormat` of a page loads the
/// browser's date and zone data, one main-thread task of ~25 ms on this machine's Chromium and ~100 ms with
/// Lighthouse's 4× slowdown (measured: a long task on every page, the hydration's last); in a worker it costs the
/// page nothing. Where a worker cannot start, the page asks itself.
#[cfg(feature = "hydrate")]
pub fn learn_browser_zone() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    let Some(UserTimeZone(zone)) = use_context::<UserTimeZone>() else {
        return;
    };
    let learn = move |browser: Option<String>| {
        if let Some(browser) = browser.filter(|z| plausible_zone(z))
            && zone.get_untracked().as_deref() != Some(browser.as_str())
        {
            remember(&browser);
            zone.set(Some(browser));
        }
    };
    // `new Worker(ZONE_WORKER)` through js-sys (web-sys' Worker would be a feature of a crate every other one builds on).
    let global = js_sys::global();
    let worker = js_sys::Reflect::get(&global, &"Worker".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
        .and_then(|c| js_sys::Reflect::construct(&c, &js_sys::Array::of1(&ZONE_WORKER.into())).ok());
    let Some(worker) = worker else {
        learn(browser_zone());
        return;
    };
    let terminate = |w: &JsValue| {
        if let Some(f) =
            js_sys::Reflect::get(w, &"terminate".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            let _ = f.call0(w);
        }
    };
    // Exactly one of the two fires; each frees itself when called (the other stays, as small as a closure is).
    let answered = worker.clone();
    let on_message = Closure::once_into_js(move |event: JsValue| {
        terminate(&answered);
        learn(js_sys::Reflect::get(&event, &"data".into()).ok().and_then(|d| d.as_string()));
    });
    let failed = worker.clone();
    let on_error = Closure::once_into_js(move |_: JsValue| {
        terminate(&failed);
        learn(browser_zone());
    });
    let _ = js_sys::Reflect::set(&worker, &"onmessage".into(), &on_message);
    let _ = js_sys::Reflect::set(&worker, &"onerror".into(), &on_error);
}

/// `2026-11-22 08:15 (UTC−6)` in the user's zone, its offset said (a list of times read beside a CSV in UTC, or a
/// plant in another zone, must not be guessed at); `2026-11-22 14:15 UTC` while the zone is unknown.
pub fn format_in_zone(at: DateTime<Utc>, zone: Option<&str>) -> String {
    local_text(at, zone)
        .map(|(text, east)| format!("{text} ({})", offset_label(east)))
        .unwrap_or_else(|| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

pub use nexus::numbers::utc_offset as offset_label;

/// A moment, as a `<time>` element carrying the exact instant (UTC) for machines and assistive technology.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let zone = use_context::<UserTimeZone>().map(|z| z.0);
    let text = move || format_in_zone(at, zone.and_then(|z| z.get()).as_deref());
    view! { <time datetime=at.to_rfc3339() title=move || zone.and_then(|z| z.get()).unwrap_or_else(|| "UTC".into())>{text}</time> }
}

/// The local text of an instant and the zone's offset east of UTC then, in seconds.
#[cfg(feature = "ssr")]
fn local_text(at: DateTime<Utc>, zone: Option<&str>) -> Option<(String, i32)> {
    use chrono::Offset;
    let tz: chrono_tz::Tz = zone?.parse().ok()?;
    let local = at.with_timezone(&tz);
    Some((local.format("%Y-%m-%d %H:%M").to_string(), local.offset().fix().local_minus_utc()))
}

#[cfg(not(feature = "ssr"))]
fn local_text(at: DateTime<Utc>, zone: Option<&str>) -> Option<(String, i32)> {
    zone?;
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        // Minutes to add to local time to get UTC, for this instant (so daylight saving is right per date).
        let west_secs = (date.get_timezone_offset() * 60.0) as i32;
        let offset = chrono::FixedOffset::west_opt(west_secs)?;
        Some((at.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string(), -west_secs))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = at;
        None
    }
}

/// The zone the request's browser remembered (its cookie), when it looks like one: a server function's way to it.
#[cfg(feature = "ssr")]
pub fn request_zone() -> Option<String> {
    cookie_value().filter(|z| plausible_zone(z))
}

fn cookie_value() -> Option<String> {
    #[cfg(feature = "ssr")]
    let header = use_context::<http::request::Parts>().map(|p| {
        p.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(";")
    });
    #[cfg(not(feature = "ssr"))]
    let header = {
        use wasm_bindgen::JsCast;
        document().dyn_into::<web_sys::HtmlDocument>().ok().and_then(|d| d.cookie().ok())
    };
    header?.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == TZ_COOKIE).then(|| v.to_owned())
    })
}

#[cfg(feature = "hydrate")]
fn browser_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

#[cfg(feature = "hydrate")]
fn remember(zone: &str) {
    use wasm_bindgen::JsCast;
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        // Not sensitive (the browser tells every site its zone); a year, for every page.
        let _ = doc.set_cookie(&format!("{TZ_COOKIE}={zone}; Path=/; Max-Age=31536000; SameSite=Lax"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_zones_show_utc_and_say_so() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T14:15:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(format_in_zone(at, None), "2026-11-22 14:15 UTC");
        assert!(!plausible_zone("x; Path=/evil"));
        assert!(!plausible_zone(""));
        assert!(plausible_zone("America/Argentina/Buenos_Aires"));
        assert!(plausible_zone("Etc/GMT+5"));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_renders_in_the_remembered_zone_with_its_daylight_saving() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Each time says its offset: found by outside testing, an audit log headed "(UTC)" showed Mexico City times.
        assert_eq!(format_in_zone(at("2026-11-22T14:15:00Z"), Some("America/Mexico_City")), "2026-11-22 08:15 (UTC−6)");
        assert_eq!(format_in_zone(at("2026-11-22T02:30:00Z"), Some("America/Bogota")), "2026-11-21 21:30 (UTC−5)");
        // Santiago: UTC-3 in its summer (November), UTC-4 in its winter (July).
        assert_eq!(format_in_zone(at("2026-11-22T14:15:00Z"), Some("America/Santiago")), "2026-11-22 11:15 (UTC−3)");
        assert_eq!(format_in_zone(at("2026-07-01T14:15:00Z"), Some("America/Santiago")), "2026-07-01 10:15 (UTC−4)");
        assert_eq!(format_in_zone(at("2026-07-01T14:15:00Z"), Some("Asia/Kolkata")), "2026-07-01 19:45 (UTC+5:30)");
        assert_eq!(format_in_zone(at("2026-07-01T14:15:00Z"), Some("Europe/London")), "2026-07-01 15:15 (UTC+1)");
        assert_eq!(format_in_zone(at("2026-12-01T14:15:00Z"), Some("Europe/London")), "2026-12-01 14:15 (UTC)");
        // A name the database does not know falls back to UTC, labelled.
        assert_eq!(format_in_zone(at("2026-11-22T14:15:00Z"), Some("Mars/Olympus")), "2026-11-22 14:15 UTC");
    }
}
