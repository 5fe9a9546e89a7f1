//! The values the wire carries: pages and REST read the same tasks.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::tasks::{TaskAction, TaskState};
use crate::identity::rules::auth::Role;
use crate::ids::{CommentId, LineId, TaskCategoryId, TaskId};
use crate::workflow::machine::{Event, Person};

/// A category tasks are filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = TaskCategory))]
pub struct Category {
    pub id: TaskCategoryId,
    pub code: String,
    pub name: String,
    pub archived: bool,
}

/// A line a task concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LineName {
    pub id: LineId,
    pub code: String,
    pub name: String,
}

/// A task as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskSummary {
    pub id: TaskId,
    pub title: String,
    pub state: TaskState,
    /// Its version: one more with every transition (what a transition is checked against).
    pub version: i32,
    pub category: Option<Category>,
    pub due_date: Option<NaiveDate>,
    /// Due before today (the plant's) and not finished.
    pub overdue: bool,
    pub blocker: bool,
    pub line: Option<LineName>,
    /// Who holds it (none: a role's task nobody has accepted yet).
    pub assignee: Option<Person>,
    /// The role it was given to, if it was.
    pub assignee_role: Option<Role>,
    pub creator: Person,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changed since the caller last read it (a machine reads nothing: false).
    pub unread: bool,
}

/// A board: the newest tasks of each state it shows, and the states with more than it shows (their list has them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub tasks: Vec<TaskSummary>,
    pub more: Vec<TaskState>,
}

/// A comment on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: CommentId,
    pub by: Person,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A task with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskDetail {
    pub task: TaskSummary,
    pub description: String,
    /// Every transition, oldest first (its creation the first).
    pub timeline: Vec<Event>,
    pub comments: Vec<Comment>,
    /// What the caller may do to it now.
    pub actions: Vec<TaskAction>,
}

/// An open blocker of a line, as its dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Blocker {
    pub id: TaskId,
    pub title: String,
    pub state: TaskState,
    pub line: LineId,
    pub assignee: Option<String>,
    pub assignee_role: Option<Role>,
    pub since: DateTime<Utc>,
}
