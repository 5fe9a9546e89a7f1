//! The session cookies, built in one place for the login server function and the server's refresh middleware.
//!
//! Both are HttpOnly (no script can read them) and SameSite=Lax (not sent on cross-site subrequests or POSTs).

use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite, time::OffsetDateTime};

pub const ACCESS_COOKIE: &str = "nexus_at";
pub const REFRESH_COOKIE: &str = "nexus_rt";
pub const LANG_COOKIE: &str = "nexus_lang";
pub const THEME_COOKIE: &str = "nexus_theme";

fn base(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).secure(secure).same_site(SameSite::Lax).build()
}

fn expires(at: DateTime<Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(at.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn session_cookies(tokens: &nexus::services::auth::Tokens, secure: bool) -> [Cookie<'static>; 2] {
    let mut access = base(ACCESS_COOKIE, tokens.access_token.clone(), secure);
    access.set_expires(expires(tokens.access_expires_at));
    let mut refresh = base(REFRESH_COOKIE, tokens.refresh_token.clone(), secure);
    refresh.set_expires(expires(tokens.refresh_expires_at));
    [access, refresh]
}

pub fn cleared_session_cookies(secure: bool) -> [Cookie<'static>; 2] {
    [ACCESS_COOKIE, REFRESH_COOKIE].map(|name| {
        let mut c = base(name, String::new(), secure);
        c.make_removal();
        c
    })
}
