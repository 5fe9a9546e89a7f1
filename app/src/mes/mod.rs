//! The floor's pages: tasks (`/mes/tasks`: mine, my role's, all, as a list or a board by state), a task with its
//! timeline and comments (`/mes/tasks/:id`), a new task (`/mes/tasks/new`). Everything they show and do goes through
//! `nexus::mes::service`, the same calls REST makes.

pub mod task;
pub mod task_form;
pub mod tasks;
pub mod texts;

crate::ui::area_pages!(
    mes_pages;
    /// `/mes/tasks`.
    TasksRoute => tasks::TasksPage,
    /// `/mes/tasks/:id`.
    TaskRoute => task::TaskPage,
    /// `/mes/tasks/new`.
    NewTaskRoute => task_form::NewTaskPage,
);
