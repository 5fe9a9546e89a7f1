//! Which area owns each table, and where an area's SQL may name another's: what
//! `tidy::areas_name_only_their_own_tables` checks against.

/// The area a table belongs to: its name's prefix, or the identity and audit tables named here, or the job runner's
/// record of its rounds (`jobs.rs`, with its statements in `db`).
pub(super) fn table_owner(table: &str) -> Option<&'static str> {
    const IDENTITY: [&str; 7] =
        ["tenants", "users", "sessions", "refresh_tokens", "api_keys", "invitations", "rate_limits"];
    ["catalog", "inventory", "production", "stockroom", "notify", "mes", "workflow", "files", "fabrication"]
        .into_iter()
        .find(|area| table.strip_prefix(area).is_some_and(|rest| rest.starts_with('_')))
        .or_else(|| IDENTITY.contains(&table).then_some("identity"))
        .or_else(|| (table == "audit_log").then_some("audit"))
        .or_else(|| (table == "job_rounds").then_some("jobs"))
}

/// Where an area's SQL may name another area's tables (area, table or `prefix_*`), each for a stated reason; else
/// through the other area's service or SQL function. An entry nothing uses any more fails, so the list stays exact.
pub(super) const MAY_NAME: [(&str, &str); 15] = [
    // Inventory matches upload rows to catalog numbers set-based and shows each item's catalog brand and name; the
    // demo bodega is found by its tenant's name and kind; an upload's history names who uploaded: a person or a key.
    ("inventory", "catalog_*"),
    ("inventory", "tenants"),
    ("inventory", "users"),
    ("inventory", "api_keys"),
    // The demo plant is found by its tenant's name; operators' lines name their users.
    ("production", "tenants"),
    ("production", "users"),
    // A stop's classification names who gave it: a person or an API key (a line's terminal).
    ("production", "api_keys"),
    // Stock is issued to people; alerts go to the people who move stock and name who acknowledged them; the demo
    // store room is found by its plant's name and kind.
    ("stockroom", "users"),
    ("stockroom", "tenants"),
    // Notices are mailed to their readers' addresses, in their names; a timeline names who took each step; tasks
    // are for people and concern a line; orders name the plant's products, stages its lines, facts its shifts; parts
    // are asked for, held and made by people (their names searched and sorted).
    ("notify", "users"),
    ("workflow", "users"),
    ("mes", "users"),
    ("mes", "production_*"),
    // An order's materials: the stock room's items, movements and balances, read (stock moves through its service).
    ("mes", "stockroom_*"),
    ("fabrication", "users"),
];
/// The audit log names its entries' tenants (cross-cutting, not an area, but held to the same rule).
pub(super) const AUDIT_MAY_NAME: [&str; 1] = ["tenants"];

pub(super) fn may_name(area: &str, table: &str) -> bool {
    let allowed = |pattern: &str| pattern.strip_suffix('*').map_or(pattern == table, |p| table.starts_with(p));
    MAY_NAME.iter().any(|(a, pattern)| *a == area && allowed(pattern))
        || (area == "audit" && AUDIT_MAY_NAME.iter().any(|p| allowed(p)))
}
