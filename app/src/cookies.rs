//! The session cookies, built in one place for the login server function and the server's refresh middleware.
//!
//! Both are HttpOnly (no script can read them) and SameSite=Lax (not sent on cross-site subrequests or POSTs). Served
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
