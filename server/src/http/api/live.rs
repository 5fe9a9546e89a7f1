//! `GET /api/v1/live`: the one event stream a signed-in page holds (server-sent events), whatever page it shows, so a
//! browser with several tabs keeps one connection per tab (browsers allow six per site over HTTP/1.1, shared by every
//! tab; a stream per widget would exhaust them). It carries:
//! - `ready` on connecting (and reconnecting): `{"unread": N}`; the page takes the count and refreshes what it shows
//!   once, in case it missed something while away;
//! - `unread`: the person's unread count (`N`), whenever their inbox changes (a notice arrives, some are read);
//! - `production`: the plant's units or stops changed (at most one a second), for people who read production;
//! - `fabrication`: the shop's parts changed (at most one a second), for people who read the shop.
//!
//! People only (a machine has no inbox; it listens to `/api/v1/production/live`). Bounded and ended with its session
//! like every stream (`Streams`). Not in the OpenAPI document (a stream).

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use nexus::caller::Caller;
use nexus::identity::rules::auth::{Permission, permits};
use nexus::identity::service::streams::StreamPass;
use nexus::ids::UserId;
use nexus::notify::service as notify;
use nexus_app::error::AppError;
use nexus_app::state::AppState;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use tokio::time::Instant;

use super::ApiCaller;

/// Changes of one plant closer together than this are one event.
const COALESCE: Duration = Duration::from_secs(1);

pub fn router() -> Router<AppState> {
    Router::new().route("/live", get(live))
}

struct Listening {
    st: AppState,
    caller: Caller,
    user: UserId,
    /// Production changes, for people who read production.
    production: Option<broadcast::Receiver<nexus::production::service::live::Change>>,
    /// The shop's changes, for people who read it.
    shop: Option<broadcast::Receiver<nexus::production::service::live::Change>>,
    inbox: broadcast::Receiver<nexus::notify::live::Change>,
    closing: watch::Receiver<bool>,
    pass: StreamPass,
    /// A production change heard, to send at this moment (coalesced).
    due: Option<Instant>,
    last_production: Option<Instant>,
    /// The same for the shop's changes.
    shop_due: Option<Instant>,
    last_shop: Option<Instant>,
    started: bool,
}

enum Heard {
    Production(Result<nexus::production::service::live::Change, RecvError>),
    Shop(Result<nexus::production::service::live::Change, RecvError>),
    ShopDue,
    Inbox(Result<nexus::notify::live::Change, RecvError>),
    Due,
    End,
}

async fn live(
    State(st): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let user = caller.user().map_err(AppError::from)?.clone();
    let production_read = permits(user.tenant_kind, user.role, Permission::ProductionRead);
    let shop_read = permits(user.tenant_kind, user.role, Permission::FabRead);
    let pass = st.streams.open(&caller)?;
    let state = Listening {
        production: production_read.then(|| st.live.subscribe()),
        shop: shop_read.then(|| st.shop.subscribe()),
        inbox: st.inbox.subscribe(),
        closing: st.live.closing(),
        user: user.user_id,
        pass,
        due: None,
        last_production: None,
        shop_due: None,
        last_shop: None,
        started: false,
        caller: caller.clone(),
        st: st.clone(),
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        if !s.started {
            s.started = true;
            let unread = notify::unread(&s.st.pool, &s.caller).await.unwrap_or(0);
            let ready = Event::default().event("ready").data(format!("{{\"unread\":{unread}}}"));
            return Some((Ok(ready), s));
        }
        loop {
            let tenant = s.caller.tenant_id();
            let heard = {
                let due = s.due;
                let production = async {
                    match s.production.as_mut() {
                        Some(rx) => rx.recv().await,
                        None => std::future::pending().await,
                    }
                };
                let until_due = async {
                    match due {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                let shop_due = s.shop_due;
                let shop = async {
                    match s.shop.as_mut() {
                        Some(rx) => rx.recv().await,
                        None => std::future::pending().await,
                    }
                };
                let until_shop = async {
                    match shop_due {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    heard = production => Heard::Production(heard),
                    heard = shop => Heard::Shop(heard),
                    _ = until_shop => Heard::ShopDue,
                    heard = s.inbox.recv() => Heard::Inbox(heard),
                    _ = until_due => Heard::Due,
                    // The server is shutting down: the stream ends (the browser reconnects to the next server).
                    _ = s.closing.wait_for(|c| *c) => Heard::End,
                    // The session was logged out or revoked: nothing more for it.
                    _ = s.pass.ended() => Heard::End,
                }
            };
            match heard {
                Heard::End
                | Heard::Production(Err(RecvError::Closed))
                | Heard::Shop(Err(RecvError::Closed))
                | Heard::Inbox(Err(RecvError::Closed)) => {
                    return None;
                }
                Heard::Shop(Ok(Some(t))) if t != tenant => {}
                Heard::Shop(_) => {
                    if s.shop_due.is_none() {
                        let earliest = s.last_shop.map_or_else(Instant::now, |l| l + COALESCE);
                        s.shop_due = Some(earliest.max(Instant::now()));
                    }
                }
                Heard::ShopDue => {
                    s.shop_due = None;
                    s.last_shop = Some(Instant::now());
                    let changed = Event::default().event("fabrication").data(chrono::Utc::now().to_rfc3339());
                    return Some((Ok(changed), s));
                }
                Heard::Production(Ok(Some(t))) if t != tenant => {}
                Heard::Production(_) => {
                    if s.due.is_none() {
                        let earliest = s.last_production.map_or_else(Instant::now, |l| l + COALESCE);
                        s.due = Some(earliest.max(Instant::now()));
                    }
                }
                Heard::Due => {
                    s.due = None;
                    s.last_production = Some(Instant::now());
                    let changed = Event::default().event("production").data(chrono::Utc::now().to_rfc3339());
                    return Some((Ok(changed), s));
                }
                Heard::Inbox(Ok(Some(u))) if u != s.user => {}
                Heard::Inbox(_) => {
                    // Whatever else came meanwhile is in this one count.
                    while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = s.inbox.try_recv() {}
                    let Ok(unread) = notify::unread(&s.st.pool, &s.caller).await else { continue };
                    return Some((Ok(Event::default().event("unread").data(unread.to_string())), s));
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
