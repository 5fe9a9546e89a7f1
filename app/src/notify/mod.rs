//! The notification centre's pages: a person's inbox (`/inbox`: their notices newest first, unread ones marked, read
//! one by one or all at once) and their choice per kind of notice. The navigation's unread count lives in the layout
//! (`ui::layout`, kept live by `ui::live`); the organisation's outgoing webhooks and their delivery logs
//! (`/account/webhooks`).

pub mod inbox;
pub mod webhooks;

crate::ui::area_pages!(
    notify_pages;
    /// `/inbox`.
    InboxRoute => inbox::InboxPage,
    /// `/account/webhooks`.
    WebhooksRoute => webhooks::WebhooksPage,
);
