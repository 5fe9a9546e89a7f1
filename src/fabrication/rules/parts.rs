//! Parts: their workflow, who may take each of its actions, how a part's row is rebuilt from its events, and what a
//! part is written with.
//!
//! States (seed 004's categories and more): review → approved into the CNC or hand queue by the part's type →
//! claimed → completed. A rejection in review (with its reason) sends a request back to its requester, who may send
//! it again; unclaiming, and a claim's lease expiring, put a claimed part back in its queue; reverting (with its
//! reason) takes a completed part back to its queue; deleting keeps the part and its history out of every list. Some
//! actions leave the state as it is and are still events of the timeline: extending a claim, acknowledging a new
//! drawing, editing the part, uploading and approving a drawing.
//!
//! Who (the one table, [`may`]): a lead approves, never a part they asked for themselves (four eyes, whatever the
//! page shows); a lead rejects, assigns a part to someone, reverts; anyone who works claims a part in a queue; the
//! holder extends and acknowledges; the holder or a lead unclaims and completes (a lead taking a claim away says
//! why); the requester or a lead edits and deletes a request (a lead any part); nobody but the system expires a claim.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, FieldError, Refusal, check_text, text_enum};
use crate::ids::{SubsystemId, UserId};
use crate::workflow::machine::{CREATED, Event, Machine, Rule, Subject};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    Review,
    Rejected,
    Cnc,
    Hand,
    Claimed,
    Completed,
    Deleted,
}
text_enum!(PartState "part state" {
    Review => "review", Rejected => "rejected", Cnc => "cnc", Hand => "hand", Claimed => "claimed",
    Completed => "completed", Deleted => "deleted",
});

impl PartState {
    /// The states the board and the statistics show, in the workflow's order (deleted parts are out of sight).
    pub const SHOWN: [PartState; 6] = [
        PartState::Review,
        PartState::Rejected,
        PartState::Cnc,
        PartState::Hand,
        PartState::Claimed,
        PartState::Completed,
    ];

    /// A request not yet approved: its requester may still change or withdraw it.
    pub const fn requested(self) -> bool {
        matches!(self, PartState::Review | PartState::Rejected)
    }
}

/// What a part is made on: the queue it waits in once approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    #[default]
    Cnc,
    Hand,
}
text_enum!(PartKind "part type" { Cnc => "cnc", Hand => "hand" });

impl PartKind {
    /// The queue a part of this type waits in.
    pub const fn queue(self) -> PartState {
        match self {
            PartKind::Cnc => PartState::Cnc,
            PartKind::Hand => PartState::Hand,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, PartialOrd, Ord)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}
text_enum!(Priority "part priority" { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartAction {
    Approve,
    Reject,
    Resubmit,
    Claim,
    Assign,
    Extend,
    Acknowledge,
    Unclaim,
    Complete,
    Revert,
    Expire,
    Edit,
    AddDrawing,
    ApproveDrawing,
    Delete,
}
text_enum!(PartAction "part action" {
    Approve => "approve", Reject => "reject", Resubmit => "resubmit", Claim => "claim", Assign => "assign",
    Extend => "extend", Acknowledge => "acknowledge", Unclaim => "unclaim", Complete => "complete",
    Revert => "revert", Expire => "expire", Edit => "edit", AddDrawing => "add_drawing",
    ApproveDrawing => "approve_drawing", Delete => "delete",
});

impl PartAction {
    /// The actions a person takes by a button of their own (what the board and a part's page offer); editing and
    /// drawings have their forms, and expiring is the system's.
    pub const BUTTONS: [PartAction; 10] = [
        PartAction::Approve,
        PartAction::Reject,
        PartAction::Resubmit,
        PartAction::Claim,
        PartAction::Extend,
        PartAction::Acknowledge,
        PartAction::Complete,
        PartAction::Unclaim,
        PartAction::Revert,
        PartAction::Delete,
    ];
}

/// The parts' workflow.
pub struct Part;

/// The states a part can be edited and given drawings in: all but deleted.
macro_rules! in_every_live_state {
    ($action:ident) => {
        [
            (Review, $action, Review),
            (Rejected, $action, Rejected),
            (Cnc, $action, Cnc),
            (Hand, $action, Hand),
            (Claimed, $action, Claimed),
            (Completed, $action, Completed),
        ]
    };
}

const TABLE: [(PartState, PartAction, PartState); 39] = {
    use PartAction::*;
    use PartState::*;
    let edit = in_every_live_state!(Edit);
    let drawing = in_every_live_state!(AddDrawing);
    let approve_drawing = in_every_live_state!(ApproveDrawing);
    let flow = [
        (Review, Approve, Cnc),
        (Review, Approve, Hand),
        (Review, Reject, Rejected),
        (Rejected, Resubmit, Review),
        (Cnc, Claim, Claimed),
        (Hand, Claim, Claimed),
        (Cnc, Assign, Claimed),
        (Hand, Assign, Claimed),
        (Claimed, Extend, Claimed),
        (Claimed, Acknowledge, Claimed),
        (Claimed, Unclaim, Cnc),
        (Claimed, Unclaim, Hand),
        (Claimed, Expire, Cnc),
        (Claimed, Expire, Hand),
        (Claimed, Complete, Completed),
        (Completed, Revert, Cnc),
        (Completed, Revert, Hand),
        (Review, Delete, Deleted),
        (Rejected, Delete, Deleted),
        (Cnc, Delete, Deleted),
        (Hand, Delete, Deleted),
    ];
    let mut all = [(Review, Approve, Cnc); 39];
    let mut i = 0;
    while i < flow.len() {
        all[i] = flow[i];
        i += 1;
    }
    let mut j = 0;
    while j < 6 {
        all[flow.len() + j] = edit[j];
        all[flow.len() + 6 + j] = drawing[j];
        all[flow.len() + 12 + j] = approve_drawing[j];
        j += 1;
    }
    all
};

impl Machine for Part {
    type State = PartState;
    type Action = PartAction;
    const SUBJECT: Subject = Subject::FabricationPart;
    const FIRST: PartState = PartState::Review;
    const TRANSITIONS: &'static [(PartState, PartAction, PartState)] = &TABLE;
}

/// Where `action` takes a part of type `kind` in `from`: the one target the table has, or, where the action has
/// one per queue (approve, unclaim, expire, revert), the part's type's queue.
pub fn target(from: PartState, action: PartAction, kind: PartKind) -> Option<PartState> {
    let mut targets = Part::TRANSITIONS.iter().filter(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
    let first = targets.next()?;
    match targets.next() {
        None => Some(first),
        Some(_) => Part::allows(from, action, kind.queue()).then(|| kind.queue()),
    }
}

/// Who a part is for and who holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties {
    /// Who asked for it.
    pub requester: UserId,
    /// Who holds its claim (claimed) or made it (completed).
    pub holder: Option<UserId>,
    /// Who uploaded the drawing revision an approval of a drawing concerns.
    pub uploader: Option<UserId>,
}

/// Who acts: a person, and whether they lead the shop (the `fab.lead` permission).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub lead: bool,
}

/// Whether `actor` may take `action` on a part in `state` with `parties` (every action also needs the
/// `fab.work` permission, checked before).
pub fn may(action: PartAction, state: PartState, parties: &Parties, actor: &Actor) -> Result<(), Rule> {
    let holder = parties.holder == Some(actor.user);
    let requester = parties.requester == actor.user;
    let ok = |yes: bool, rule: Rule| if yes { Ok(()) } else { Err(rule) };
    match action {
        PartAction::Approve if requester => Err(Rule::FourEyes),
        PartAction::ApproveDrawing if parties.uploader == Some(actor.user) => Err(Rule::FourEyes),
        PartAction::Approve | PartAction::ApproveDrawing | PartAction::Reject | PartAction::Assign => {
            ok(actor.lead, Rule::LeadOnly)
        }
        PartAction::Revert => ok(actor.lead, Rule::LeadOnly),
        PartAction::Resubmit => ok(requester || actor.lead, Rule::RequesterOrLead),
        PartAction::Claim => Ok(()),
        PartAction::Extend | PartAction::Acknowledge => ok(holder, Rule::HolderOnly),
        PartAction::Unclaim | PartAction::Complete => ok(holder || actor.lead, Rule::HolderOrLead),
        PartAction::Expire => Err(Rule::SystemOnly),
        PartAction::Edit | PartAction::Delete => {
            ok(actor.lead || (requester && state.requested()), Rule::RequesterOrLead)
        }
        PartAction::AddDrawing => ok(actor.lead || requester || holder, Rule::PartyOrLead),
    }
}

/// Whether taking `action` needs a reason: a rejection and a revert say what is wrong, and a lead taking someone
/// else's claim away says why.
pub fn needs_reason(action: PartAction, parties: &Parties, actor: &Actor) -> bool {
    match action {
        PartAction::Reject | PartAction::Revert => true,
        PartAction::Unclaim => parties.holder != Some(actor.user),
        _ => false,
    }
}

/// Who holds a part after `action`: the claimer, the person a lead assigned it to, the maker of a completed part
/// (kept), or nobody once it is back in a queue or a request.
pub fn holder_after(
    action: PartAction,
    before: Option<UserId>,
    actor: Option<UserId>,
    party: Option<UserId>,
) -> Option<UserId> {
    match action {
        PartAction::Claim => actor,
        PartAction::Assign => party,
        PartAction::Extend
        | PartAction::Acknowledge
        | PartAction::Complete
        | PartAction::Edit
        | PartAction::AddDrawing
        | PartAction::ApproveDrawing => before,
        PartAction::Approve
        | PartAction::Reject
        | PartAction::Resubmit
        | PartAction::Unclaim
        | PartAction::Expire
        | PartAction::Revert
        | PartAction::Delete => None,
    }
}

/// What a part's events say it is: its state, version and holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub state: PartState,
    pub version: i32,
    pub holder: Option<UserId>,
}

/// A part as its events rebuild it, checking that each step is one the workflow has (`None`: the events are not a
/// history the workflow could have made).
pub fn rebuild(events: &[Event]) -> Option<Rebuilt> {
    let state = crate::workflow::machine::replay::<Part>(events)?;
    let first = events.first()?;
    if first.action != CREATED {
        return None;
    }
    let mut holder = None;
    for e in &events[1..] {
        let action = PartAction::parse(&e.action)?;
        holder = holder_after(action, holder, e.by.as_ref().map(|p| p.id), e.party.as_ref().map(|p| p.id));
    }
    Some(Rebuilt { state, version: events.last()?.version, holder })
}

/// Why an action the workflow has was still refused: a new drawing the holder has not acknowledged (409).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PartProblem {
    /// The part's drawing changed since its holder last saw it: they acknowledge revision `revision` first.
    DrawingNotAcknowledged { revision: i32, seen: Option<i32> },
    /// The drawing revision is not newer than the part's current one (approving an older one changes nothing).
    DrawingSuperseded { revision: i32, current: i32 },
}

impl Refusal for PartProblem {
    fn status(&self) -> u16 {
        409
    }
}

/// A part as written (created or edited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PartInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200))]
    pub name: String,
    /// `cnc` or `hand`: the queue it waits in once approved (fixed once approved).
    #[serde(rename = "type")]
    pub kind: PartKind,
    #[serde(default)]
    pub subsystem: Option<SubsystemId>,
    /// How many to make (1–100,000).
    #[serde(default = "one")]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100000))]
    pub quantity: i32,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 120))]
    pub material: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 4000))]
    pub notes: String,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// The CAD model's address (an `http(s)://` link: Onshape, a shared folder).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 500))]
    pub cad_url: Option<String>,
}

const fn one() -> i32 {
    1
}

pub const NAME_MAX: usize = 200;
pub const MATERIAL_MAX: usize = 120;
pub const NOTES_MAX: usize = 4000;
pub const REASON_MAX: usize = 2000;
pub const QUANTITY_MAX: i32 = 100_000;

impl PartInput {
    /// The input trimmed and checked field by field (every problem at once).
    pub fn check(&self) -> Result<PartInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = check_text("name", &self.name, true, NAME_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        let material =
            check_text("material", &self.material, false, MATERIAL_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
        let notes = crate::mes::rules::tasks::check_multiline("notes", &self.notes, NOTES_MAX)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if !(1..=QUANTITY_MAX).contains(&self.quantity) {
            errors.push(FieldError::new("quantity", ErrorCode::InvalidInput));
        }
        if self.subsystem.is_some_and(|s| s.0 < 1) {
            errors.push(FieldError::new("subsystem", ErrorCode::InvalidInput));
        }
        let cad_url = match self.cad_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(raw) => match crate::notify::rules::check_web_address("cad_url", raw) {
                Ok(u) => Some(u.to_string()),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PartInput { name, material, notes, cad_url, ..self.clone() })
    }
}

/// A transition's reason: required where the action needs one, otherwise optional; `None` when empty.
pub fn check_reason(needed: bool, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let text = crate::mes::rules::tasks::check_multiline("comment", raw.unwrap_or_default(), REASON_MAX)?;
    if text.is_empty() {
        return if needed { Err(FieldError::new("comment", ErrorCode::Required)) } else { Ok(None) };
    }
    Ok(Some(text))
}

/// A subsystem's name: 1 to 80 characters on one line.
pub fn check_subsystem(raw: &str) -> Result<String, FieldError> {
    check_text("name", raw, true, 80)
}

/// How long a claim lasts, in minutes: 15 minutes to a week.
pub const LEASE_MINUTES: std::ops::RangeInclusive<i32> = 15..=10_080;
/// A claim's lease where the organisation has not set one: 4 hours.
pub const LEASE_DEFAULT: i32 = 240;

/// A lease as set: within [`LEASE_MINUTES`].
pub fn check_lease(minutes: i32) -> Result<i32, FieldError> {
    if LEASE_MINUTES.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(FieldError::new("lease_minutes", ErrorCode::InvalidInput))
    }
}

/// A drawing's note: at most 500 characters on one line; `None` when empty.
pub fn check_note(raw: &str) -> Result<Option<String>, FieldError> {
    let note = check_text("note", raw, false, 500)?;
    Ok((!note.is_empty()).then_some(note))
}

/// Whether a file's type is a drawing's: a print (PDF) or a picture of one.
pub fn is_drawing(media_type: &str) -> bool {
    matches!(media_type, "application/pdf" | "image/png" | "image/jpeg" | "image/webp")
}

#[cfg(test)]
mod tests;
