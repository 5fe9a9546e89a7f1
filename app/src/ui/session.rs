//! The signed-in user as the UI sees it, loaded once per page on the server and serialized into the page, so hydration
//! starts from the same state (no flash of the logged-out layout).

use leptos::prelude::*;
use nexus::identity::rules::auth::{Permission, Role, permits};
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::UserId;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::identity::invitations::AcceptInvitation;
use crate::identity::login::{Login, Logout};

/// What the UI knows of the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    /// Failed sign-ins of the account before this session began (the home page warns of them).
    pub failed_before: i64,
    /// How the organisation writes numbers and money (its country's marks, its currency), for Spanish pages.
    pub numbers: nexus::numbers::NumberStyle,
}

impl Me {
    pub fn can(&self, p: Permission) -> bool {
        permits(self.tenant_kind, self.role, p)
    }
}

#[server(prefix = "/api", endpoint = "ui/me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let Some(caller) = crate::state::signed_in() else {
        return Ok(None);
    };
    let st = crate::state::state()?;
    let row = nexus::identity::service::auth::me(&st.pool, &caller).await?;
    Ok(Some(Me {
        user_id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        role: caller.role,
        tenant_name: row.tenant_name,
        tenant_kind: row.tenant_kind,
        failed_before: row.failed_before,
        numbers: nexus::numbers::NumberStyle::of_country(&row.country),
    }))
}

/// Shared auth state: the current user and the actions that change it.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Me>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    /// Accepting an invitation signs the new account in, as a login does.
    pub accept_invitation: ServerAction<AcceptInvitation>,
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[component]
pub fn SessionProvider(children: Children) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let accept_invitation = ServerAction::<AcceptInvitation>::new();
    let me = Resource::new_blocking(
        move || (login.version().get(), logout.version().get(), accept_invitation.version().get()),
        |_| get_me(),
    );
    provide_context(Session { me, login, logout, accept_invitation });
    children()
}

/// Renders its children only for a signed-in user holding `permission` (when given); sends everyone else to the login
/// page or shows "no access". The check here is for the user's benefit: every server function checks again.
#[component]
pub fn Protected(#[prop(optional)] permission: Option<Permission>, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=crate::ui::components::Loading>
            {move || Suspend::new(async move {
                match session.me.await {
                    Ok(Some(me)) if permission.is_none_or(|p| me.can(p)) => {
                        provide_context(me);
                        children.with_value(|c| c()).into_any()
                    }
                    Ok(Some(_)) => view! { <crate::ui::layout::Forbidden /> }.into_any(),
                    _ => to_sign_in().into_any(),
                }
            })}
        </Suspense>
    }
}

/// Signed out: to the sign-in page, which returns here afterwards. A page request gets a real 303 with its Location
/// (not a 200 with an empty page, which a plain client saw); in the browser, the router navigates.
fn to_sign_in() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{search}", location.pathname.get_untracked())
    };
    let to = crate::identity::login::login_to_return_to(&here);
    #[cfg(feature = "ssr")]
    {
        if let (Some(res), Ok(value)) =
            (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&to))
        {
            res.set_status(http::StatusCode::SEE_OTHER);
            res.insert_header(http::header::LOCATION, value);
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos_router::components::Redirect(leptos_router::components::RedirectProps::builder().path(to).build())
    }
}

/// The user inside a [`Protected`] block.
pub fn use_me() -> Me {
    expect_context::<Me>()
}
