//! The floor's words in the reader's language: tasks' states and actions, and the refusals of a transition.

use nexus::mes::rules::tasks::{TaskAction, TaskState};
use nexus::workflow::machine::{Rule, TransitionProblem};

use crate::error::AppError;
use crate::i18n::*;

/// A state's name: "Abierta", "En revisión".
pub fn state(l: Locale, s: TaskState) -> &'static str {
    match s {
        TaskState::Open => td_string!(l, mes.state_open),
        TaskState::Accepted => td_string!(l, mes.state_accepted),
        TaskState::InProgress => td_string!(l, mes.state_in_progress),
        TaskState::Review => td_string!(l, mes.state_review),
        TaskState::Done => td_string!(l, mes.state_done),
        TaskState::Cancelled => td_string!(l, mes.state_cancelled),
    }
}

/// An action as a button says it: "Aceptar", "Enviar a revisión".
pub fn action(l: Locale, a: TaskAction) -> &'static str {
    match a {
        TaskAction::Accept => td_string!(l, mes.do_accept),
        TaskAction::Start => td_string!(l, mes.do_start),
        TaskAction::SendToReview => td_string!(l, mes.do_send_to_review),
        TaskAction::Approve => td_string!(l, mes.do_approve),
        TaskAction::Reject => td_string!(l, mes.do_reject),
        TaskAction::Cancel => td_string!(l, mes.do_cancel),
    }
}

/// An action as done, for a timeline or a notice: "aceptó", "envió a revisión".
pub fn action_done(l: Locale, a: TaskAction) -> &'static str {
    match a {
        TaskAction::Accept => td_string!(l, mes.did_accept),
        TaskAction::Start => td_string!(l, mes.did_start),
        TaskAction::SendToReview => td_string!(l, mes.did_send_to_review),
        TaskAction::Approve => td_string!(l, mes.did_approve),
        TaskAction::Reject => td_string!(l, mes.did_reject),
        TaskAction::Cancel => td_string!(l, mes.did_cancel),
    }
}

fn rule(l: Locale, r: Rule) -> &'static str {
    match r {
        Rule::AssigneeOnly => td_string!(l, mes.rule_assignee_only),
        Rule::AssigneeOrRole => td_string!(l, mes.rule_assignee_or_role),
        Rule::FourEyes => td_string!(l, mes.rule_four_eyes),
        Rule::ReviewerOnly => td_string!(l, mes.rule_reviewer_only),
        Rule::CreatorOrManager => td_string!(l, mes.rule_creator_or_manager),
        other => crate::fabrication::texts::rule(l, other),
    }
}

/// A refused transition in words: the state the task is in and who made it so, or the rule that says it is not
/// the reader's to take; `None` for any other error (the page's banner says it).
pub fn refusal(l: Locale, e: &AppError) -> Option<String> {
    let state_of =
        |s: &str| nexus::mes::rules::tasks::TaskState::parse(s).map_or(s.to_owned(), |s| state(l, s).to_owned());
    Some(match e.reason::<TransitionProblem>()? {
        TransitionProblem::NotFrom { state: s, by, .. } | TransitionProblem::Overtaken { state: s, by, .. } => match by
        {
            Some(p) => td_string!(l, mes.taken_by, state = state_of(&s), name = p.name).to_string(),
            None => td_string!(l, mes.taken, state = state_of(&s)).to_string(),
        },
        TransitionProblem::NotAllowed { rule: r, .. } => rule(l, r).to_owned(),
    })
}
