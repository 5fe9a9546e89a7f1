//! The shop's words in the reader's language: parts' states and actions, the rules of who may act, and the
//! refusals of an action (who holds the part, the drawing to acknowledge).

use nexus::fabrication::rules::parts::{PartAction, PartKind, PartProblem, PartState, Priority};
use nexus::workflow::machine::{Rule, TransitionProblem};

use crate::error::AppError;
use crate::i18n::*;

/// A state's name: "En revisión", "Cola CNC".
pub fn state(l: Locale, s: PartState) -> &'static str {
    match s {
        PartState::Review => td_string!(l, fab.state_review),
        PartState::Rejected => td_string!(l, fab.state_rejected),
        PartState::Cnc => td_string!(l, fab.state_cnc),
        PartState::Hand => td_string!(l, fab.state_hand),
        PartState::Claimed => td_string!(l, fab.state_claimed),
        PartState::Completed => td_string!(l, fab.state_completed),
        PartState::Deleted => td_string!(l, fab.state_deleted),
    }
}

/// A type's name: "CNC", "A mano".
pub fn kind(l: Locale, k: PartKind) -> &'static str {
    match k {
        PartKind::Cnc => td_string!(l, fab.kind_cnc),
        PartKind::Hand => td_string!(l, fab.kind_hand),
    }
}

/// A priority's name.
pub fn priority(l: Locale, p: Priority) -> &'static str {
    match p {
        Priority::Low => td_string!(l, fab.priority_low),
        Priority::Normal => td_string!(l, fab.priority_normal),
        Priority::High => td_string!(l, fab.priority_high),
        Priority::Urgent => td_string!(l, fab.priority_urgent),
    }
}

/// An action as a button says it: "Tomar", "Terminar".
pub fn action(l: Locale, a: PartAction) -> &'static str {
    match a {
        PartAction::Approve => td_string!(l, fab.do_approve),
        PartAction::Reject => td_string!(l, fab.do_reject),
        PartAction::Resubmit => td_string!(l, fab.do_resubmit),
        PartAction::Claim => td_string!(l, fab.do_claim),
        PartAction::Assign => td_string!(l, fab.do_assign),
        PartAction::Extend => td_string!(l, fab.do_extend),
        PartAction::Acknowledge => td_string!(l, fab.do_acknowledge),
        PartAction::Unclaim => td_string!(l, fab.do_unclaim),
        PartAction::Complete => td_string!(l, fab.do_complete),
        PartAction::Revert => td_string!(l, fab.do_revert),
        PartAction::Expire => td_string!(l, fab.do_expire),
        PartAction::Edit => td_string!(l, fab.do_edit),
        PartAction::AddDrawing => td_string!(l, fab.do_add_drawing),
        PartAction::ApproveDrawing => td_string!(l, fab.do_approve_drawing),
        PartAction::Delete => td_string!(l, fab.do_delete),
    }
}

/// An action as done, for a timeline or a notice ("tomó", "subió un plano de"); `created` for the first event.
pub fn action_done(l: Locale, a: &str) -> String {
    let Some(a) = PartAction::parse(a) else {
        return if a == nexus::workflow::machine::CREATED {
            td_string!(l, fab.did_created).to_owned()
        } else {
            a.to_owned()
        };
    };
    match a {
        PartAction::Approve => td_string!(l, fab.did_approve),
        PartAction::Reject => td_string!(l, fab.did_reject),
        PartAction::Resubmit => td_string!(l, fab.did_resubmit),
        PartAction::Claim => td_string!(l, fab.did_claim),
        PartAction::Assign => td_string!(l, fab.did_assign),
        PartAction::Extend => td_string!(l, fab.did_extend),
        PartAction::Acknowledge => td_string!(l, fab.did_acknowledge),
        PartAction::Unclaim => td_string!(l, fab.did_unclaim),
        PartAction::Complete => td_string!(l, fab.did_complete),
        PartAction::Revert => td_string!(l, fab.did_revert),
        PartAction::Expire => td_string!(l, fab.did_expire),
        PartAction::Edit => td_string!(l, fab.did_edit),
        PartAction::AddDrawing => td_string!(l, fab.did_add_drawing),
        PartAction::ApproveDrawing => td_string!(l, fab.did_approve_drawing),
        PartAction::Delete => td_string!(l, fab.did_delete),
    }
    .to_owned()
}

/// The rules only the shop's workflow names (the floor's tasks name theirs in `mes::texts`).
pub fn rule(l: Locale, r: Rule) -> &'static str {
    match r {
        Rule::LeadOnly => td_string!(l, fab.rule_lead_only),
        Rule::HolderOnly => td_string!(l, fab.rule_holder_only),
        Rule::HolderOrLead => td_string!(l, fab.rule_holder_or_lead),
        Rule::RequesterOrLead => td_string!(l, fab.rule_requester_or_lead),
        Rule::PartyOrLead => td_string!(l, fab.rule_party_or_lead),
        Rule::SystemOnly => td_string!(l, fab.rule_system_only),
        Rule::FourEyes | Rule::AssigneeOnly | Rule::AssigneeOrRole | Rule::ReviewerOnly | Rule::CreatorOrManager => {
            td_string!(l, fab.rule_four_eyes)
        }
    }
}

/// A refused action in words: who holds the part (a claim lost to someone), who moved it first, the rule that says
/// it is not the reader's, or the drawing to acknowledge; `None` for any other error (the page's banner says it).
pub fn refusal(l: Locale, e: &AppError) -> Option<String> {
    let state_of = |s: &str| PartState::parse(s).map_or(s.to_owned(), |s| state(l, s).to_owned());
    if let Some(p) = e.reason::<PartProblem>() {
        return Some(match p {
            PartProblem::DrawingNotAcknowledged { revision, .. } => {
                td_string!(l, fab.drawing_not_acknowledged, revision = revision).to_string()
            }
            PartProblem::DrawingSuperseded { revision, current } => {
                td_string!(l, fab.drawing_superseded, revision = revision, current = current).to_string()
            }
        });
    }
    Some(match e.reason::<TransitionProblem>()? {
        TransitionProblem::NotFrom { state: s, by, holder, .. }
        | TransitionProblem::Overtaken { state: s, by, holder, .. } => match (holder, by) {
            (Some(h), _) => td_string!(l, fab.taken_by, state = state_of(&s), name = h.name).to_string(),
            (None, Some(p)) => td_string!(l, fab.moved_by, state = state_of(&s), name = p.name).to_string(),
            (None, None) => td_string!(l, fab.moved, state = state_of(&s)).to_string(),
        },
        TransitionProblem::NotAllowed { rule: r, .. } => rule(l, r).to_owned(),
    })
}
