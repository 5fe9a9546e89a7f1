//! The cookies the server sets: the session pair (built in one place for the login server function and the refresh
//! middleware) and the catalog's remembered vehicle.
//!
//! The session cookies are HttpOnly (no script can read them) and SameSite=Lax (not sent on cross-site subrequests or POSTs). Served
//! over TLS they are Secure and named with the `__Host-` prefix, which the browser only accepts from a secure origin,
//! with path `/` and no domain: a sibling subdomain cannot plant or shadow them.

use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite, time::OffsetDateTime};

const ACCESS_COOKIE: &str = "nexus_at";
const REFRESH_COOKIE: &str = "nexus_rt";
const HOST_ACCESS_COOKIE: &str = "__Host-nexus_at";
const HOST_REFRESH_COOKIE: &str = "__Host-nexus_rt";

pub fn access_cookie_name(secure: bool) -> &'static str {
    if secure { HOST_ACCESS_COOKIE } else { ACCESS_COOKIE }
}

pub fn refresh_cookie_name(secure: bool) -> &'static str {
    if secure { HOST_REFRESH_COOKIE } else { REFRESH_COOKIE }
}
pub const THEME_COOKIE: &str = "nexus_theme";

const DEVICE_COOKIE: &str = "nexus_device";
const HOST_DEVICE_COOKIE: &str = "__Host-nexus_device";

/// The device cookie's name: it tells sign-in that this browser signed in to an account before, so the account's
/// owner passes while strangers guessing its password wait (`nexus::identity::rules::throttle`).
pub fn device_cookie_name(secure: bool) -> &'static str {
    if secure { HOST_DEVICE_COOKIE } else { DEVICE_COOKIE }
}

/// The device cookie set at sign-in: a year, HttpOnly, sent on same-site requests only.
pub fn device_cookie(value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::build((device_cookie_name(secure), value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build();
    c.set_max_age(cookie::time::Duration::days(nexus::identity::rules::throttle::DEVICE_COOKIE_DAYS));
    c
}

fn base(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).secure(secure).same_site(SameSite::Lax).build()
}

fn expires(at: DateTime<Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(at.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn session_cookies(tokens: &nexus::identity::service::auth::Tokens, secure: bool) -> [Cookie<'static>; 2] {
    let mut access = base(access_cookie_name(secure), tokens.access_token.clone(), secure);
    access.set_expires(expires(tokens.access_expires_at));
    let mut refresh = base(refresh_cookie_name(secure), tokens.refresh_token.clone(), secure);
    refresh.set_expires(expires(tokens.refresh_expires_at));
    [access, refresh]
}

pub fn cleared_session_cookies(secure: bool) -> [Cookie<'static>; 2] {
    [access_cookie_name(secure), refresh_cookie_name(secure)].map(|name| {
        let mut c = base(name, String::new(), secure);
        c.make_removal();
        c
    })
}

/// Why the browser's session ended, when a request found it ended (timed out, ended by a newer sign-in, the
/// organisation suspended): the sign-in page says so. Five minutes, HttpOnly, cleared by the next sign-in.
pub const ENDED_COOKIE: &str = "nexus_ended";
const ENDED_SECS: i64 = 300;

/// The session cookies cleared, and the reason the session ended kept for the sign-in page.
pub fn ended_session_cookies(code: nexus::codes::ErrorCode, secure: bool) -> [Cookie<'static>; 3] {
    let [access, refresh] = cleared_session_cookies(secure);
    let mut why = base(ENDED_COOKIE, code.as_str().to_owned(), secure);
    why.set_max_age(cookie::time::Duration::seconds(ENDED_SECS));
    [access, refresh, why]
}

pub fn cleared_ended_cookie(secure: bool) -> Cookie<'static> {
    let mut c = base(ENDED_COOKIE, String::new(), secure);
    c.make_removal();
    c
}

/// Why this request's session ended, if a request before it said so (only the codes that end sessions are read).
pub fn session_ended() -> Option<nexus::codes::ErrorCode> {
    use nexus::codes::ErrorCode as E;
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let value = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(ENDED_COOKIE)?.strip_prefix('=').map(str::to_owned))?;
    [E::SessionExpired, E::SessionEnded, E::AccountDeactivated, E::OrganisationSuspended, E::RefreshReused]
        .into_iter()
        .find(|c| c.as_str() == value)
}

/// The vehicle chosen in the catalog's cascade, remembered for the browser session (no expiry: it ends with the
/// session). Hex of its JSON, so any make or model name survives the cookie syntax.
pub const VEHICLE_COOKIE: &str = "nexus_vehicle";

pub fn remember_vehicle(v: &nexus::catalog::rules::search::VehicleFilter) {
    let value = if v.is_empty() {
        String::new()
    } else {
        serde_json::to_vec(v).unwrap_or_default().iter().map(|b| format!("{b:02x}")).collect()
    };
    let mut c = Cookie::build((VEHICLE_COOKIE, value)).path("/").http_only(true).same_site(SameSite::Lax).build();
    if v.is_empty() {
        c.make_removal();
    }
    crate::state::set_cookie(&c);
}

/// The remembered vehicle, if the request carries a readable one (anything else is ignored).
pub fn remembered_vehicle() -> Option<nexus::catalog::rules::search::VehicleFilter> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let hex = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(VEHICLE_COOKIE)?.strip_prefix('=').map(str::to_owned))?;
    if hex.len() > 2048 || hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect();
    let v: nexus::catalog::rules::search::VehicleFilter = serde_json::from_slice(&bytes?).ok()?;
    v.checked().ok()
}
