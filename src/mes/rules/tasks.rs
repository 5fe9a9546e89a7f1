//! Tasks: their workflow and who may take each of its actions, and what a task is written with.
//!
//! States open → accepted → in_progress → review → done; a review that rejects sends the task back to in_progress
//! with its reason; any unfinished task may be cancelled. Who (the one table, [`may`]): the assignee accepts, starts
//! and sends to review — for a task given to a role, any holder of the role accepts it while nobody holds it, and
//! becomes its assignee; a reviewer approves or rejects, who is the task's creator or a manager and never its
//! assignee (four eyes, whatever the page shows); the creator or a manager cancels.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, FieldError, check_text, text_enum};
use crate::identity::rules::auth::Role;
use crate::ids::{LineId, TaskCategoryId, UserId};
use crate::workflow::machine::{Machine, Rule, Subject};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Open,
    Accepted,
    InProgress,
    Review,
    Done,
    Cancelled,
}
text_enum!(TaskState "task state" {
    Open => "open", Accepted => "accepted", InProgress => "in_progress", Review => "review", Done => "done",
    Cancelled => "cancelled",
});

impl TaskState {
    /// Done or cancelled: nothing more happens to it.
    pub const fn finished(self) -> bool {
        matches!(self, TaskState::Done | TaskState::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    Accept,
    Start,
    SendToReview,
    Approve,
    Reject,
    Cancel,
}
text_enum!(TaskAction "task action" {
    Accept => "accept", Start => "start", SendToReview => "send_to_review", Approve => "approve", Reject => "reject",
    Cancel => "cancel",
});

impl TaskAction {
    /// Whether the action needs a reason (a rejection says what is wrong).
    pub const fn needs_comment(self) -> bool {
        matches!(self, TaskAction::Reject)
    }
}

/// The tasks' workflow.
pub struct Task;

impl Machine for Task {
    type State = TaskState;
    type Action = TaskAction;
    const SUBJECT: Subject = Subject::MesTask;
    const FIRST: TaskState = TaskState::Open;
    const TRANSITIONS: &'static [(TaskState, TaskAction, TaskState)] = {
        use TaskAction::*;
        use TaskState::*;
        &[
            (Open, Accept, Accepted),
            (Accepted, Start, InProgress),
            (InProgress, SendToReview, Review),
            (Review, Approve, Done),
            (Review, Reject, InProgress),
            (Open, Cancel, Cancelled),
            (Accepted, Cancel, Cancelled),
            (InProgress, Cancel, Cancelled),
            (Review, Cancel, Cancelled),
        ]
    };
}

/// Who a task is for, and who made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties {
    pub creator: UserId,
    pub assignee: Option<UserId>,
    pub role: Option<Role>,
}

/// Who acts: a person, their role, and whether they manage the floor (the `mes.plan` permission).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
    pub manages: bool,
}

/// Whether `actor` may take `action` on a task of `parties`; `Ok(Some(user))`: they may, and become its assignee
/// (a role's task accepted by a holder of the role).
pub fn may(action: TaskAction, parties: &Parties, actor: &Actor) -> Result<Option<UserId>, Rule> {
    let assignee = parties.assignee == Some(actor.user);
    match action {
        TaskAction::Accept => match parties.assignee {
            Some(_) if assignee => Ok(None),
            None if parties.role == Some(actor.role) => Ok(Some(actor.user)),
            _ => Err(Rule::AssigneeOrRole),
        },
        TaskAction::Start | TaskAction::SendToReview => assignee.then_some(None).ok_or(Rule::AssigneeOnly),
        TaskAction::Approve | TaskAction::Reject => {
            if assignee {
                Err(Rule::FourEyes)
            } else if actor.user == parties.creator || actor.manages {
                Ok(None)
            } else {
                Err(Rule::ReviewerOnly)
            }
        }
        TaskAction::Cancel => {
            (actor.user == parties.creator || actor.manages).then_some(None).ok_or(Rule::CreatorOrManager)
        }
    }
}

/// For whom a new task is: a person of the organisation, or a role (whoever of its holders accepts it; seed 002's
/// `assignee_type: role, assignee_role: supply`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssigneeType {
    #[default]
    User,
    Role,
}
text_enum!(AssigneeType "assignee type" { User => "user", Role => "role" });

/// Whom a checked task is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    User(UserId),
    Role(Role),
}

/// The roles a task may be given to: those that work on the floor.
pub const ASSIGNABLE_ROLES: [Role; 4] = [Role::Supply, Role::Operator, Role::Manager, Role::Owner];

/// A new task as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: Option<TaskCategoryId>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub blocker: bool,
    #[serde(default)]
    pub line: Option<LineId>,
    pub assignee_type: AssigneeType,
    /// The person, when `assignee_type` is `user`.
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// The role, when `assignee_type` is `role`: supply, operator, manager or owner.
    #[serde(default)]
    pub assignee_role: Option<Role>,
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
pub const COMMENT_MAX: usize = 2000;

impl TaskInput {
    /// The input trimmed and checked field by field (every problem at once). A blocker concerns a line.
    pub fn check(&self) -> Result<TaskInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = check_text("title", &self.title, true, TITLE_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        let description = check_multiline("description", &self.description, DESCRIPTION_MAX)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if self.blocker && self.line.is_none() {
            errors.push(FieldError::new("line", ErrorCode::Required));
        }
        match (self.assignee_type, self.assignee_id, self.assignee_role) {
            (AssigneeType::User, None, _) => errors.push(FieldError::new("assignee_id", ErrorCode::Required)),
            (AssigneeType::Role, _, None) => errors.push(FieldError::new("assignee_role", ErrorCode::Required)),
            (AssigneeType::Role, _, Some(r)) if !ASSIGNABLE_ROLES.contains(&r) => {
                errors.push(FieldError::new("assignee_role", ErrorCode::InvalidInput))
            }
            _ => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(TaskInput { title, description, ..self.clone() })
    }

    /// Whom the task is for (of an input [`TaskInput::check`] passed).
    pub fn assignee(&self) -> Option<Assignee> {
        match self.assignee_type {
            AssigneeType::User => self.assignee_id.map(Assignee::User),
            AssigneeType::Role => self.assignee_role.map(Assignee::Role),
        }
    }
}

/// A code of the plant's data (a category's, a stage's, a scrap reason's): lower-case letters, digits, `-` and `_`,
/// 1 to 40 of them; what was sent is trimmed and lower-cased first.
pub fn check_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_lowercase();
    let ok = (1..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok { Ok(code) } else { Err(FieldError::new(field, ErrorCode::InvalidInput)) }
}

/// Free text of several lines (a description, a comment): trimmed, at most `max` characters, no control characters
/// but line breaks and tabs.
pub fn check_multiline(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    if raw.chars().count() > max {
        return Err(FieldError::new(field, ErrorCode::TooLong));
    }
    if raw.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(field, ErrorCode::InvalidInput));
    }
    Ok(raw.trim().replace("\r\n", "\n"))
}

/// A transition's comment: required where the action needs a reason, otherwise optional; `None` when empty.
pub fn check_comment(action: TaskAction, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let text = check_multiline("comment", raw.unwrap_or_default(), COMMENT_MAX)?;
    if text.is_empty() {
        return if action.needs_comment() { Err(FieldError::new("comment", ErrorCode::Required)) } else { Ok(None) };
    }
    Ok(Some(text))
}

/// A comment's text: required, several lines allowed.
pub fn check_comment_body(raw: &str) -> Result<String, FieldError> {
    let text = check_multiline("body", raw, COMMENT_MAX)?;
    if text.is_empty() {
        return Err(FieldError::new("body", ErrorCode::Required));
    }
    Ok(text)
}

/// The people a comment mentions: each `@name` (letters, digits, `.`, `_`, `-`), as written, without repeats.
pub fn mentions(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '@' && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
        if starts {
            let name: String =
                chars[i + 1..].iter().take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-')).collect();
            let name = name.trim_end_matches(['.', '-', '_']).to_lowercase();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name.clone());
            }
            i += name.chars().count() + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Given to me.
    #[default]
    Mine,
    /// Given to my role and held by nobody yet, or given to me.
    Role,
    /// Every task of the organisation.
    All,
}
text_enum!(View "task view" { Mine => "mine", Role => "role", All => "all" });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::machine::{CREATED, Event, replay};

    fn uid(n: u8) -> UserId {
        UserId(uuid::Uuid::from_bytes([n; 16]))
    }

    /// The parties of the table below: the creator (1), the assignee (2), a holder of the role (3), a manager (4),
    /// someone else of the floor (5).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Who {
        Creator,
        Assignee,
        RoleHolder,
        Manager,
        Other,
    }

    fn actor(who: Who) -> Actor {
        match who {
            Who::Creator => Actor { user: uid(1), role: Role::Operator, manages: false },
            Who::Assignee => Actor { user: uid(2), role: Role::Supply, manages: false },
            Who::RoleHolder => Actor { user: uid(3), role: Role::Supply, manages: false },
            Who::Manager => Actor { user: uid(4), role: Role::Manager, manages: true },
            Who::Other => Actor { user: uid(5), role: Role::Operator, manages: false },
        }
    }

    /// What an action by `who` does to a task in `state` given to a person (`held`: the assignee 2) or to the supply
    /// role with nobody holding it yet: the state it leads to and whether the actor becomes the assignee, or why not.
    fn expected(state: TaskState, action: TaskAction, who: Who, held: bool) -> Result<(TaskState, bool), &'static str> {
        use TaskAction::*;
        use TaskState::*;
        use Who::*;
        let to = match (state, action) {
            (Open, Accept) => Accepted,
            (Accepted, Start) => InProgress,
            (InProgress, SendToReview) => Review,
            (Review, Approve) => Done,
            (Review, Reject) => InProgress,
            (Open | Accepted | InProgress | Review, Cancel) => Cancelled,
            _ => return Err("not from this state"),
        };
        let allowed = match (action, who) {
            (Accept, Assignee) if held => Ok(false),
            // The assignee of the person's task is a supply holder too: with nobody holding it, they may take it.
            (Accept, Assignee | RoleHolder) if !held => Ok(true),
            (Accept, _) => Err("assignee or role"),
            (Start | SendToReview, Assignee) if held => Ok(false),
            (Start | SendToReview, _) => Err("assignee only"),
            (Approve | Reject, Assignee) if held => Err("four eyes"),
            (Approve | Reject, Creator | Manager) => Ok(false),
            (Approve | Reject, _) => Err("reviewer only"),
            (Cancel, Creator | Manager) => Ok(false),
            (Cancel, _) => Err("creator or manager"),
        };
        allowed.map(|becomes| (to, becomes))
    }

    /// Every state × every action × every party, for a person's task and a role's: the machine and `may` agree with
    /// the table above, written out independently of them.
    #[test]
    fn the_workflow_every_state_action_and_party() {
        let mut cases = 0;
        for held in [true, false] {
            let parties =
                Parties { creator: uid(1), assignee: held.then(|| uid(2)), role: (!held).then_some(Role::Supply) };
            for state in TaskState::ALL {
                for action in TaskAction::ALL {
                    for who in [Who::Creator, Who::Assignee, Who::RoleHolder, Who::Manager, Who::Other] {
                        cases += 1;
                        let got = match Task::next(state, action) {
                            None => Err("not from this state"),
                            Some(to) => match may(action, &parties, &actor(who)) {
                                Ok(becomes) => Ok((to, becomes.is_some())),
                                Err(Rule::AssigneeOrRole) => Err("assignee or role"),
                                Err(Rule::AssigneeOnly) => Err("assignee only"),
                                Err(Rule::FourEyes) => Err("four eyes"),
                                Err(Rule::ReviewerOnly) => Err("reviewer only"),
                                Err(Rule::CreatorOrManager) => Err("creator or manager"),
                                Err(other) => panic!("a task's rules never name {other:?}"),
                            },
                        };
                        assert_eq!(
                            got,
                            expected(state, action, who, held),
                            "{state:?} {action:?} by {who:?}, held {held}"
                        );
                    }
                }
            }
        }
        assert_eq!(cases, 2 * 6 * 6 * 5);
    }

    #[test]
    fn a_creator_who_is_the_assignee_cannot_approve_their_own_work() {
        let parties = Parties { creator: uid(1), assignee: Some(uid(1)), role: None };
        let me = Actor { user: uid(1), role: Role::Manager, manages: true };
        assert_eq!(may(TaskAction::Approve, &parties, &me), Err(Rule::FourEyes));
        assert_eq!(may(TaskAction::Reject, &parties, &me), Err(Rule::FourEyes));
        assert_eq!(may(TaskAction::Cancel, &parties, &me), Ok(None));
    }

    #[test]
    fn finished_states_offer_nothing() {
        for s in TaskState::ALL {
            assert_eq!(Task::actions_from(s).is_empty(), s.finished(), "{s:?}");
        }
    }

    fn event(version: i32, action: &str, from: Option<&str>, to: &str) -> Event {
        Event {
            version,
            at: chrono::DateTime::UNIX_EPOCH,
            by: None,
            action: action.into(),
            from: from.map(Into::into),
            to: to.into(),
            comment: None,
            party: None,
        }
    }

    #[test]
    fn the_events_rebuild_the_state_and_refuse_a_history_the_machine_cannot_make() {
        let history = [
            event(1, CREATED, None, "open"),
            event(2, "accept", Some("open"), "accepted"),
            event(3, "start", Some("accepted"), "in_progress"),
            event(4, "send_to_review", Some("in_progress"), "review"),
            event(5, "reject", Some("review"), "in_progress"),
            event(6, "send_to_review", Some("in_progress"), "review"),
            event(7, "approve", Some("review"), "done"),
        ];
        assert_eq!(replay::<Task>(&history), Some(TaskState::Done));
        assert_eq!(replay::<Task>(&history[..5]), Some(TaskState::InProgress));
        // A skipped step, a version out of order, a state that does not follow: no history of this machine.
        assert_eq!(
            replay::<Task>(&[event(1, CREATED, None, "open"), event(2, "start", Some("open"), "in_progress")]),
            None
        );
        assert_eq!(
            replay::<Task>(&[event(1, CREATED, None, "open"), event(3, "accept", Some("open"), "accepted")]),
            None
        );
        assert_eq!(replay::<Task>(&[event(1, CREATED, None, "open"), event(2, "accept", Some("open"), "done")]), None);
        assert_eq!(replay::<Task>(&[]), None);
    }

    fn input(title: &str) -> TaskInput {
        TaskInput {
            title: title.into(),
            description: String::new(),
            category: None,
            due_date: None,
            blocker: false,
            line: None,
            assignee_type: AssigneeType::Role,
            assignee_id: None,
            assignee_role: Some(Role::Supply),
        }
    }

    #[test]
    fn a_task_is_checked_field_by_field() {
        let ok = input("  Traer herramental  ").check().unwrap();
        assert_eq!(ok.title, "Traer herramental");
        let mut bad = input("");
        bad.blocker = true;
        bad.description = "a\u{0}b".into();
        bad.assignee_role = Some(Role::Viewer);
        let fields: Vec<String> = bad.check().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "description", "line", "assignee_role"]);
        let mut nobody = input("x");
        nobody.assignee_type = AssigneeType::User;
        assert_eq!(nobody.check().unwrap_err()[0].field, "assignee_id");
        // Line breaks belong in a description.
        let mut multi = input("x");
        multi.description = "uno\r\ndos\n".into();
        assert_eq!(multi.check().unwrap().description, "uno\ndos");
    }

    #[test]
    fn a_rejection_says_why_and_other_actions_may_be_silent() {
        assert_eq!(check_comment(TaskAction::Reject, Some("  ")).unwrap_err().code, ErrorCode::Required);
        assert_eq!(check_comment(TaskAction::Reject, Some(" falta la llave ")).unwrap(), Some("falta la llave".into()));
        assert_eq!(check_comment(TaskAction::Accept, None).unwrap(), None);
        assert_eq!(check_comment(TaskAction::Approve, Some(&"x".repeat(2001))).unwrap_err().code, ErrorCode::TooLong);
    }

    #[test]
    fn mentions_are_read_from_a_comment() {
        let check = |body: &str, want: &[&str]| assert_eq!(mentions(body), want, "{body}");
        check("@almacen trae la llave, @Maestro.Kolchin.", &["almacen", "maestro.kolchin"]);
        check("correo juan@planta.demo no es mención", &[]);
        check("@ana @ana @luis-p", &["ana", "luis-p"]);
        check("sin menciones", &[]);
        check("@", &[]);
    }
}
