//! The parts catalog's pages: the search (`/catalog`), a part (`/catalog/parts/:id`) and the admins' overview of the
//! catalog data (`/admin/catalog`).

pub mod admin;
pub mod part;
pub mod search;

crate::ui::area_pages!(
    catalog_pages;
    /// `/catalog`.
    CatalogRoute => search::CatalogPage,
    /// `/catalog/parts/:id`.
    PartRoute => part::PartPage,
    /// `/admin/catalog`.
    CatalogAdminRoute => admin::CatalogAdminPage,
);
