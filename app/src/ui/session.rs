//! The signed-in user as the UI sees it, loaded once per page on the server and serialized into the page, so hydration
//! starts from the same state (no flash of the logged-out layout).

use leptos::prelude::*;
use nexus::identity::rules::auth::{Permission, Role};
use nexus::identity::rules::tenant::TenantKind;
use nexus::ids::UserId;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
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
}

impl Me {
    pub fn can(&self, p: Permission) -> bool {
        self.role.has(p)
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
    }))
}

/// Shared auth state: the current user and the actions that change it.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Me>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[component]
pub fn SessionProvider(children: Children) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let me = Resource::new_blocking(move || (login.version().get(), logout.version().get()), |_| get_me());
    provide_context(Session { me, login, logout });
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
                    _ => view! { <leptos_router::components::Redirect path="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The user inside a [`Protected`] block.
pub fn use_me() -> Me {
    expect_context::<Me>()
}
