//! The floor's pages: tasks (`/mes/tasks`: mine, my role's, all, as a list or a board by state), a task with its
//! timeline and comments (`/mes/tasks/:id`), a new task (`/mes/tasks/new`); production orders with their route's
//! progress (`/mes/orders`), an order with its facts and the form that records one (`/mes/orders/:id`), a new order
//! (`/mes/orders/new`); the floor's stages, scrap reasons, grace and reopened shifts (`/mes/setup`); the operator's
//! tablet, whose actions wait in the browser while the connection is down (`/mes/terminal`). Everything they
//! show and do goes through `nexus::mes::service`, the same calls REST makes.

pub mod attachments;
pub mod materials;
pub mod order;
pub mod order_form;
pub mod orders;
pub mod setup;
pub mod task;
pub mod task_form;
pub mod tasks;
pub mod terminal;
pub mod texts;

crate::ui::area_pages!(
    mes_pages;
    /// `/mes/tasks`.
    TasksRoute => tasks::TasksPage,
    /// `/mes/tasks/:id`.
    TaskRoute => task::TaskPage,
    /// `/mes/tasks/new`.
    NewTaskRoute => task_form::NewTaskPage,
    /// `/mes/orders`.
    OrdersRoute => orders::OrdersPage,
    /// `/mes/orders/:id`.
    OrderRoute => order::OrderRoutePage,
    /// `/mes/orders/new`.
    NewOrderRoute => order_form::NewOrderPage,
    /// `/mes/setup`.
    FloorSetupRoute => setup::FloorSetupPage,
    /// `/mes/terminal`.
    TerminalRoute => terminal::TerminalPage,
);
