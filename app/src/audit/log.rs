//! The audit log page: every write in the caller's tenant (platform admins: every tenant), newest first, filtered by
//! action and actor, keyset-paginated, exportable as CSV. Long cells are truncated with the full text on hover.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use nexus::identity::rules::auth::Permission;
use std::sync::Arc;

use nexus::paging::Page;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON, BUTTON_SECONDARY, CARD_FLUSH, ErrorBanner, INPUT, Loading, LocalTime, PageHeader};
use crate::ui::list::{Column, DataTable, Pager, href};
use crate::ui::session::Protected;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub tenant: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    /// What changed, one field at a time: its name, and its value before and after (as text).
    pub details: Vec<Change>,
}

/// One field an audited action changed or recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An entry's before and after (JSON objects as the services record them) as fields: the after's (in its key
/// order), then those only the before has; a value that is not an object is one field, `value`.
pub fn changes(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<Change> {
    use serde_json::Value;
    fn text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
            Value::Object(map) => map.iter().map(|(k, v)| format!("{k}: {}", text(v))).collect::<Vec<_>>().join(" · "),
            Value::Null => "—".to_owned(),
            other => other.to_string(),
        }
    }
    let fields = |v: Option<&Value>| -> Vec<(String, String)> {
        match v {
            None => Vec::new(),
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
            Some(other) => vec![("value".to_owned(), text(other))],
        }
    };
    let (b, a) = (fields(before), fields(after));
    let mut out: Vec<Change> = a
        .iter()
        .map(|(k, v)| Change {
            key: k.clone(),
            before: b.iter().find(|(bk, _)| bk == k).map(|(_, bv)| bv.clone()),
            after: Some(v.clone()),
        })
        .collect();
    out.extend(b.into_iter().filter(|(k, _)| !a.iter().any(|(ak, _)| ak == k)).map(|(key, v)| Change {
        key,
        before: Some(v),
        after: None,
    }));
    out
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQueryDto {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub after: Option<String>,
}

#[server(prefix = "/api", endpoint = "ui/audit")]
pub async fn list_audit(#[server(default)] q: AuditQueryDto) -> Result<Page<AuditEntryDto>, AppError> {
    let st = crate::state::state()?;
    let caller = crate::state::person()?;
    let query = nexus::audit::AuditQuery { action_prefix: q.action, actor_email: q.actor, after: q.after, limit: None };
    Ok(nexus::audit::list(&st.pool, &caller, &query).await?.map(|r| AuditEntryDto {
        id: r.id,
        at: r.at,
        tenant: r.tenant_name.unwrap_or_else(|| r.tenant_id.to_string()),
        actor: r.actor,
        action: r.action,
        target: r.target_type.map(|t| format!("{t} {}", r.target_id.unwrap_or_default())),
        ip: r.ip,
        details: changes(r.before.as_ref(), r.after.as_ref()),
    }))
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let after = move || query.with(|q| q.get("after"));
    let page = Resource::new(
        move || (action(), actor(), after()),
        |(action, actor, after)| {
            list_audit(AuditQueryDto {
                action: Some(action).filter(|s| !s.is_empty()),
                actor: Some(actor).filter(|s| !s.is_empty()),
                after,
            })
        },
    );
    view! {
        <Protected permission=Permission::AuditRead>
            <Audit page />
        </Protected>
    }
}

#[component]
fn Audit(page: Resource<Result<Page<AuditEntryDto>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action")).unwrap_or_default();
    let actor = move || query.with(|q| q.get("actor")).unwrap_or_default();
    let later = move || query.with(|q| q.get("after")).is_some_and(|a| !a.is_empty());
    let export_href = move || href("/api/v1/audit/export.csv", &[("action", &action()), ("actor", &actor())]);
    view! {
        <Title text=move || td_string!(i18n.get_locale(), audit.title) />
        <PageHeader title=ViewFn::from(move || t!(i18n, audit.title))>
            <a href=export_href class=BUTTON download="audit.csv" rel="external" data-testid="audit-export">{t!(i18n, audit.export)}</a>
        </PageHeader>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, audit.note)}</p>
        <form method="get" action="/admin/audit" class="mb-4 grid gap-2 sm:grid-cols-[1fr_1fr_auto]" role="search">
            <div>
                <label for="audit-action" class="sr-only">{t!(i18n, audit.action_filter)}</label>
                <input id="audit-action" name="action" value=action class=INPUT placeholder=move || td_string!(i18n.get_locale(), audit.action_filter) />
            </div>
            <div>
                <label for="audit-actor" class="sr-only">{t!(i18n, audit.actor_filter)}</label>
                <input id="audit-actor" name="actor" type="search" value=actor class=INPUT placeholder=move || td_string!(i18n.get_locale(), audit.actor_filter) />
            </div>
            <button type="submit" class=BUTTON_SECONDARY>{t!(i18n, common.filter)}</button>
        </form>
        // Focusable: a keyboard user can scroll the wide table sideways (axe: scrollable-region-focusable).
        <section class=CARD_FLUSH tabindex="0" aria-label=move || td_string!(i18n.get_locale(), audit.title)>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <div class="p-4"><ErrorBanner error=Signal::stored(Some(e)) /></div> }.into_any(),
                        Ok(p) => {
                            let list_href = move |after: Option<&str>| {
                                href("/admin/audit", &[("action", &action()), ("actor", &actor()), ("after", after.unwrap_or_default())])
                            };
                            view! {
                                <DataTable
                                    rows=p.items
                                    columns=audit_columns()
                                    caption=move || td_string!(i18n.get_locale(), audit.title)
                                    testid="audit-table"
                                    min_width="sm:min-w-[860px]"
                                    empty=ViewFn::from(move || t!(i18n, audit.empty))
                                />
                                <Pager next=p.next later=later() href=Arc::new(list_href) testid="audit" />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The log's columns: when, which organization, who, what, on what, from where, and the change.
fn audit_columns() -> Vec<Column<AuditEntryDto>> {
    let i18n = use_i18n();
    let mono = "font-mono text-xs";
    vec![
        Column::new(
            move || td_string!(i18n.get_locale(), audit.at),
            |e: &AuditEntryDto| view! { <LocalTime at=e.at /> }.into_any(),
        )
        .class("whitespace-nowrap"),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.tenant),
            "max-w-[10rem]",
            |e: &AuditEntryDto| Some(e.tenant.clone()),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), audit.actor),
            move |e: &AuditEntryDto| match e.actor.clone() {
                Some(a) => view! { <div class="max-w-[14rem] truncate" title=a.clone()>{a.clone()}</div> }.into_any(),
                None => t!(i18n, audit.system).into_any(),
            },
        ),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.action),
            "max-w-[12rem]",
            |e: &AuditEntryDto| Some(e.action.clone()),
        )
        .class(mono),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.target),
            "max-w-[12rem]",
            |e: &AuditEntryDto| e.target.clone(),
        )
        .class(mono),
        Column::text(
            move || td_string!(i18n.get_locale(), audit.ip),
            "max-w-[10rem]",
            |e: &AuditEntryDto| e.ip.clone(),
        ),
        Column::new(
            move || td_string!(i18n.get_locale(), audit.details),
            move |e: &AuditEntryDto| {
                let details = e.details.clone();
                view! {
                    <ul class="max-w-xs space-y-0.5 text-xs" data-testid="audit-details">
                        {details.into_iter().map(|c| {
                            let key = c.key.clone();
                            view! {
                                <li>
                                    <span class="font-medium">{move || field_label(i18n.get_locale(), &key)} ": "</span>
                                    {match (c.before, c.after) {
                                        (Some(b), Some(a)) if b != a => format!("{b} → {a}"),
                                        (_, Some(a)) => a,
                                        (Some(b), None) => format!("{b} → —"),
                                        (None, None) => String::new(),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            },
        ),
    ]
}

/// A recorded field's name in words (those the services record most); any other by its key, spaced.
fn field_label(l: Locale, key: &str) -> String {
    match key {
        "status" => td_string!(l, audit.f_status).to_owned(),
        "role" => td_string!(l, audit.f_role).to_owned(),
        "name" => td_string!(l, audit.f_name).to_owned(),
        "email" => td_string!(l, audit.f_email).to_owned(),
        "reason" => td_string!(l, audit.f_reason).to_owned(),
        "line" | "line_id" => td_string!(l, audit.f_line).to_owned(),
        "time_zone" => td_string!(l, audit.f_time_zone).to_owned(),
        "code" => td_string!(l, audit.f_code).to_owned(),
        "kind" => td_string!(l, audit.f_kind).to_owned(),
        "trusted" => td_string!(l, audit.f_trusted).to_owned(),
        "note" => td_string!(l, audit.f_note).to_owned(),
        "start" => td_string!(l, audit.f_start).to_owned(),
        "end" => td_string!(l, audit.f_end).to_owned(),
        "file" => td_string!(l, audit.f_file).to_owned(),
        "items" => td_string!(l, audit.f_items).to_owned(),
        "sessions_ended" | "revoked_sessions" => td_string!(l, audit.f_sessions_ended).to_owned(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_are_fields_with_their_before_and_after() {
        let got = changes(
            Some(&json!({ "role": "viewer", "note": "x" })),
            Some(&json!({ "role": "manager", "lines": [1, 2] })),
        );
        let flat: Vec<(&str, Option<&str>, Option<&str>)> =
            got.iter().map(|c| (c.key.as_str(), c.before.as_deref(), c.after.as_deref())).collect();
        assert_eq!(
            flat,
            [("lines", None, Some("1, 2")), ("role", Some("viewer"), Some("manager")), ("note", Some("x"), None)]
        );
        assert!(changes(None, None).is_empty());
        assert_eq!(changes(None, Some(&json!("plain")))[0].after.as_deref(), Some("plain"));
        assert_eq!(changes(None, Some(&json!({ "by": { "a": 1 } })))[0].after.as_deref(), Some("a: 1"));
    }
}
