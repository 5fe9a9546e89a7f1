//! The audit log page: browse with filters and keyset paging, export as CSV.

pub mod log;

crate::ui::area_pages!(
    audit_pages;
    /// `/admin/audit`.
    AuditRoute => log::AuditPage,
);
