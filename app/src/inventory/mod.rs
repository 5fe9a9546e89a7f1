//! The bodega's inventory pages: its stock as it stands (`/inventory`: searched, sorted, paged; cleared) and the
//! upload of the spreadsheet its own system exports.

pub mod stock;
pub mod texts;
pub mod upload;

crate::ui::area_pages!(
    inventory_pages;
    /// `/inventory`.
    StockRoute => stock::StockPage,
    /// `/inventory/upload`.
    UploadRoute => upload::UploadPage,
);
