//! The workflow's pure part: a machine is a table of transitions `(from, action, to)` over an area's typed states
//! and actions (each a [`TextEnum`]); who may take each is the area's own table (it knows its parties). A refusal of
//! a transition is one [`TransitionProblem`] for every area: not from the current state, or overtaken by someone
//! (both 409, naming the state it is in and who put it there), or not the caller's to take (403, with the rule).
//! The events a subject's transitions leave rebuild its state ([`replay`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{Refusal, TextEnum, text_enum};
use crate::ids::UserId;

/// The kinds of things that move through a workflow (stored with their events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    MesTask,
    FabricationPart,
}
text_enum!(Subject "workflow subject" { MesTask => "mes_task", FabricationPart => "fabrication_part" });

/// The action an event records when its subject was created (from no state to the first).
pub const CREATED: &str = "created";

/// A workflow: the area's states and actions and the transitions between them.
pub trait Machine {
    type State: TextEnum + PartialEq + std::fmt::Debug;
    type Action: TextEnum + PartialEq + std::fmt::Debug;
    const SUBJECT: Subject;
    /// The state a subject is created in.
    const FIRST: Self::State;
    /// Every transition there is.
    const TRANSITIONS: &'static [(Self::State, Self::Action, Self::State)];

    /// Where `action` takes a subject in `from`, if it may be taken there at all (the first, where an action has
    /// several targets: [`Machine::allows`] says which the area may choose).
    fn next(from: Self::State, action: Self::Action) -> Option<Self::State> {
        Self::TRANSITIONS.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to)
    }

    /// Whether the table has `action` taking a subject from `from` to `to` (an action may have several targets,
    /// chosen by the subject's data: a part approved goes to its type's queue).
    fn allows(from: Self::State, action: Self::Action, to: Self::State) -> bool {
        Self::TRANSITIONS.iter().any(|(f, a, t)| *f == from && *a == action && *t == to)
    }

    /// The actions that may be taken from `state` (what a page offers, before who may take them).
    fn actions_from(state: Self::State) -> Vec<Self::Action> {
        Self::TRANSITIONS.iter().filter(|(f, _, _)| *f == state).map(|(_, a, _)| *a).collect()
    }
}

/// Who did something, as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = WorkflowPerson))]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

/// One step of a subject's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Event {
    /// The subject's version this event made (1: created).
    pub version: i32,
    pub at: DateTime<Utc>,
    /// Who (none: the system, or a person since removed).
    pub by: Option<Person>,
    /// The action's text (`created` for the first).
    pub action: String,
    pub from: Option<String>,
    pub to: String,
    pub comment: Option<String>,
    /// The person the step concerns besides who took it: whom a part was assigned to, whose claim expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Person>,
}

/// Why a transition was not made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TransitionProblem {
    /// The action does not exist from the state the subject is in (409): the state, and who put it there when;
    /// `holder`, whoever holds it now where the subject is held (a claimed part's holder, even when a lead assigned
    /// it).
    NotFrom {
        action: String,
        state: String,
        by: Option<Person>,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<Person>,
    },
    /// Someone changed the subject between the caller's reading and writing it (409): who won, when, and the state
    /// it is in now (and its holder, as above).
    Overtaken {
        action: String,
        state: String,
        by: Option<Person>,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<Person>,
    },
    /// The action exists, but is not the caller's to take (403): which rule says so.
    NotAllowed { action: String, rule: Rule },
}

impl Refusal for TransitionProblem {
    fn status(&self) -> u16 {
        match self {
            TransitionProblem::NotFrom { .. } | TransitionProblem::Overtaken { .. } => 409,
            TransitionProblem::NotAllowed { .. } => 403,
        }
    }
}

/// The rules of who may take an action, as refusals name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Only the assignee takes it.
    AssigneeOnly,
    /// Only the assignee, or a holder of the role it is assigned to while nobody holds it.
    AssigneeOrRole,
    /// A reviewer is not the assignee (four eyes).
    FourEyes,
    /// Only its creator or a manager reviews it.
    ReviewerOnly,
    /// Only its creator or a manager cancels it.
    CreatorOrManager,
    /// Only a lead takes it (approves, rejects, assigns, reverts).
    LeadOnly,
    /// Only whoever holds the claim takes it (extends it, acknowledges a new drawing).
    HolderOnly,
    /// Only whoever holds the claim, or a lead.
    HolderOrLead,
    /// Only whoever asked for it, or a lead.
    RequesterOrLead,
    /// Only whoever asked for it, whoever holds it, or a lead.
    PartyOrLead,
    /// Nobody: the system does it (a claim's lease expiring).
    SystemOnly,
}

/// The state a subject's events leave it in, checking each followed from the one before by a transition of the
/// machine (`None`: the events are not a history the machine could have made).
pub fn replay<M: Machine>(events: &[Event]) -> Option<M::State> {
    let (first, rest) = events.split_first()?;
    if first.from.is_some() || first.to != M::FIRST.as_str() || first.action != CREATED {
        return None;
    }
    let mut state = M::FIRST;
    for (n, e) in rest.iter().enumerate() {
        // Versions follow one another: 1, 2, 3…
        let version_ok = usize::try_from(e.version).ok() == Some(n + 2);
        let action = <M::Action as TextEnum>::parse(&e.action)?;
        let to = <M::State as TextEnum>::parse(&e.to)?;
        if !version_ok || e.from.as_deref() != Some(state.as_str()) || !M::allows(state, action, to) {
            return None;
        }
        state = to;
    }
    Some(state)
}
