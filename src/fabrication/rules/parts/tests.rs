//! The parts' workflow: its table (every state × action, each target), who may take each action (every action ×
//! party × state), what needs a reason, and a property test: random action sequences by random people never reach
//! an illegal part, and the events they leave rebuild it.

use chrono::{DateTime, Utc};
use proptest::prelude::*;

use super::*;
use crate::workflow::machine::{Person, replay};

const ALL_ACTIONS: [PartAction; 15] = [
    PartAction::Approve,
    PartAction::Reject,
    PartAction::Resubmit,
    PartAction::Claim,
    PartAction::Assign,
    PartAction::Extend,
    PartAction::Acknowledge,
    PartAction::Unclaim,
    PartAction::Complete,
    PartAction::Revert,
    PartAction::Expire,
    PartAction::Edit,
    PartAction::AddDrawing,
    PartAction::ApproveDrawing,
    PartAction::Delete,
];

#[test]
fn the_table_has_every_transition_and_no_other() {
    use PartAction::*;
    use PartState::*;
    let live = [Edit, AddDrawing, ApproveDrawing];
    let with = |v: &[PartAction]| {
        let mut all = v.to_vec();
        all.extend(live);
        all
    };
    let expected: [(PartState, Vec<PartAction>); 7] = [
        (Review, with(&[Approve, Reject, Delete])),
        (Rejected, with(&[Resubmit, Delete])),
        (Cnc, with(&[Claim, Assign, Delete])),
        (Hand, with(&[Claim, Assign, Delete])),
        (Claimed, with(&[Extend, Acknowledge, Unclaim, Complete, Expire])),
        (Completed, with(&[Revert])),
        (Deleted, vec![]),
    ];
    for (state, actions) in expected {
        for a in ALL_ACTIONS {
            let has = Part::actions_from(state).contains(&a);
            assert_eq!(has, actions.contains(&a), "{state:?} {a:?}");
        }
    }
    // Each action's target, for each type: the queue by type where it has one per queue.
    for kind in [PartKind::Cnc, PartKind::Hand] {
        let q = kind.queue();
        let cases = [
            (Review, Approve, Some(q)),
            (Review, Reject, Some(Rejected)),
            (Rejected, Resubmit, Some(Review)),
            (q, Claim, Some(Claimed)),
            (q, Assign, Some(Claimed)),
            (Claimed, Extend, Some(Claimed)),
            (Claimed, Acknowledge, Some(Claimed)),
            (Claimed, Unclaim, Some(q)),
            (Claimed, Expire, Some(q)),
            (Claimed, Complete, Some(Completed)),
            (Completed, Revert, Some(q)),
            (Completed, Edit, Some(Completed)),
            (Review, Delete, Some(Deleted)),
            (q, Delete, Some(Deleted)),
            (Claimed, Delete, None),
            (Completed, Delete, None),
            (Completed, Claim, None),
            (Review, Claim, None),
            (Deleted, Edit, None),
            (Deleted, Resubmit, None),
        ];
        for (from, action, to) in cases {
            assert_eq!(target(from, action, kind), to, "{kind:?}: {from:?} {action:?}");
        }
    }
    // A part of one type never lands in the other's queue by approval, unclaiming, expiry or revert.
    assert!(!Part::allows(Review, Approve, Deleted));
}

/// The people a table row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Requester,
    Holder,
    Lead,
    /// A lead who asked for the part.
    LeadRequester,
    /// Someone else who makes parts (the drawing's uploader, where it matters).
    Other,
}

fn ids() -> (UserId, UserId, UserId, UserId, UserId) {
    let u = |n: u128| UserId(uuid::Uuid::from_u128(n));
    (u(1), u(2), u(3), u(4), u(5))
}

fn setup(who: Who) -> (Parties, Actor) {
    let (requester, holder, lead, lead_requester, other) = ids();
    let asked_by = if who == Who::LeadRequester { lead_requester } else { requester };
    let parties = Parties { requester: asked_by, holder: Some(holder), uploader: Some(other) };
    let actor = match who {
        Who::Requester => Actor { user: requester, lead: false },
        Who::Holder => Actor { user: holder, lead: false },
        Who::Lead => Actor { user: lead, lead: true },
        Who::LeadRequester => Actor { user: lead_requester, lead: true },
        Who::Other => Actor { user: other, lead: false },
    };
    (parties, actor)
}

#[test]
fn who_may_take_each_action_is_one_table() {
    use PartAction::*;
    use Who::*;
    let ok = Ok(());
    // (action, [requester, holder, lead, lead who asked, other]) in a state the action exists from.
    type Row = (PartAction, PartState, [Result<(), Rule>; 5]);
    let table: [Row; 15] = [
        (
            Approve,
            PartState::Review,
            [Err(Rule::FourEyes), Err(Rule::LeadOnly), ok, Err(Rule::FourEyes), Err(Rule::LeadOnly)],
        ),
        (Reject, PartState::Review, [Err(Rule::LeadOnly), Err(Rule::LeadOnly), ok, ok, Err(Rule::LeadOnly)]),
        (Assign, PartState::Cnc, [Err(Rule::LeadOnly), Err(Rule::LeadOnly), ok, ok, Err(Rule::LeadOnly)]),
        (Revert, PartState::Completed, [Err(Rule::LeadOnly), Err(Rule::LeadOnly), ok, ok, Err(Rule::LeadOnly)]),
        (ApproveDrawing, PartState::Claimed, [Err(Rule::LeadOnly), Err(Rule::LeadOnly), ok, ok, Err(Rule::FourEyes)]),
        (Resubmit, PartState::Rejected, [ok, Err(Rule::RequesterOrLead), ok, ok, Err(Rule::RequesterOrLead)]),
        (Claim, PartState::Hand, [ok, ok, ok, ok, ok]),
        (
            Extend,
            PartState::Claimed,
            [Err(Rule::HolderOnly), ok, Err(Rule::HolderOnly), Err(Rule::HolderOnly), Err(Rule::HolderOnly)],
        ),
        (
            Acknowledge,
            PartState::Claimed,
            [Err(Rule::HolderOnly), ok, Err(Rule::HolderOnly), Err(Rule::HolderOnly), Err(Rule::HolderOnly)],
        ),
        (Unclaim, PartState::Claimed, [Err(Rule::HolderOrLead), ok, ok, ok, Err(Rule::HolderOrLead)]),
        (Complete, PartState::Claimed, [Err(Rule::HolderOrLead), ok, ok, ok, Err(Rule::HolderOrLead)]),
        (Expire, PartState::Claimed, [Err(Rule::SystemOnly); 5]),
        (Edit, PartState::Review, [ok, Err(Rule::RequesterOrLead), ok, ok, Err(Rule::RequesterOrLead)]),
        (Delete, PartState::Rejected, [ok, Err(Rule::RequesterOrLead), ok, ok, Err(Rule::RequesterOrLead)]),
        (AddDrawing, PartState::Claimed, [ok, ok, ok, ok, Err(Rule::PartyOrLead)]),
    ];
    for (action, state, expected) in table {
        assert!(Part::actions_from(state).contains(&action), "{action:?} from {state:?}");
        for (who, want) in [Requester, Holder, Lead, LeadRequester, Other].into_iter().zip(expected) {
            let (parties, actor) = setup(who);
            assert_eq!(may(action, state, &parties, &actor), want, "{action:?} by {who:?} in {state:?}");
        }
    }
    // A requester edits and withdraws a request, not a part once approved; a lead any part.
    for state in [PartState::Cnc, PartState::Hand, PartState::Claimed, PartState::Completed] {
        let (parties, requester) = setup(Requester);
        assert_eq!(may(Edit, state, &parties, &requester), Err(Rule::RequesterOrLead), "{state:?}");
        let (parties, lead) = setup(Lead);
        assert_eq!(may(Edit, state, &parties, &lead), Ok(()), "{state:?}");
    }
    let (parties, requester) = setup(Requester);
    assert_eq!(may(Delete, PartState::Cnc, &parties, &requester), Err(Rule::RequesterOrLead));
}

#[test]
fn a_reason_is_asked_where_something_is_refused_or_taken_away() {
    let (parties, holder) = setup(Who::Holder);
    let (_, lead) = setup(Who::Lead);
    assert!(needs_reason(PartAction::Reject, &parties, &lead));
    assert!(needs_reason(PartAction::Revert, &parties, &lead));
    assert!(needs_reason(PartAction::Unclaim, &parties, &lead), "a lead taking someone's claim says why");
    assert!(!needs_reason(PartAction::Unclaim, &parties, &holder), "a holder letting go need not");
    assert!(!needs_reason(PartAction::Claim, &parties, &holder));
    assert_eq!(check_reason(true, Some("  ")), Err(FieldError::new("comment", ErrorCode::Required)));
    assert_eq!(check_reason(true, Some(" medida mal \r\n")), Ok(Some("medida mal".into())));
    assert_eq!(check_reason(false, None), Ok(None));
    assert_eq!(check_reason(false, Some(&"x".repeat(2001))).unwrap_err().code, ErrorCode::TooLong);
}

#[test]
fn a_part_is_written_field_by_field() {
    let input = PartInput {
        name: "  Soporte de motor ".into(),
        kind: PartKind::Hand,
        subsystem: None,
        quantity: 4,
        material: "Aluminio 6061".into(),
        notes: "Rebabar\r\nbien".into(),
        priority: Priority::High,
        due_date: None,
        cad_url: Some(" https://cad.onshape.com/documents/abc ".into()),
    };
    let ok = input.check().unwrap();
    assert_eq!((ok.name.as_str(), ok.notes.as_str()), ("Soporte de motor", "Rebabar\nbien"));
    assert_eq!(ok.cad_url.as_deref(), Some("https://cad.onshape.com/documents/abc"));
    let bad = PartInput {
        name: " ".into(),
        quantity: 0,
        material: "x".repeat(121),
        cad_url: Some("javascript:alert(1)".into()),
        subsystem: Some(SubsystemId(0)),
        ..input.clone()
    };
    let fields: Vec<(String, ErrorCode)> = bad.check().unwrap_err().into_iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        fields,
        vec![
            ("name".into(), ErrorCode::Required),
            ("material".into(), ErrorCode::TooLong),
            ("quantity".into(), ErrorCode::InvalidInput),
            ("subsystem".into(), ErrorCode::InvalidInput),
            ("cad_url".into(), ErrorCode::UrlInvalid),
        ]
    );
    let none = PartInput { cad_url: Some("  ".into()), ..input.clone() };
    assert_eq!(none.check().unwrap().cad_url, None, "an empty link is no link");
    assert_eq!(check_lease(14).unwrap_err().field, "lease_minutes");
    assert_eq!(check_lease(10_080), Ok(10_080));
    assert!(is_drawing("application/pdf") && is_drawing("image/png") && !is_drawing("text/plain"));
    assert!(!is_drawing("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
}

/// A part as a pure model: where the workflow has taken it, and the events it left.
struct Model {
    kind: PartKind,
    state: PartState,
    holder: Option<UserId>,
    events: Vec<Event>,
}

fn at() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

impl Model {
    fn new(kind: PartKind, requester: UserId) -> Self {
        let first = Event {
            version: 1,
            at: at(),
            by: Some(Person { id: requester, name: String::new() }),
            action: CREATED.into(),
            from: None,
            to: PartState::Review.as_str().into(),
            comment: None,
            party: None,
        };
        Model { kind, state: PartState::Review, holder: None, events: vec![first] }
    }

    /// Takes `action` as `actor` would be allowed to (the system for expiry), assigning to `party`: whether it did.
    fn take(&mut self, action: PartAction, requester: UserId, actor: Actor, party: UserId) -> bool {
        let Some(to) = target(self.state, action, self.kind) else { return false };
        let parties = Parties { requester, holder: self.holder, uploader: Some(party) };
        let by = if action == PartAction::Expire {
            None
        } else if may(action, self.state, &parties, &actor).is_ok() {
            Some(actor.user)
        } else {
            return false;
        };
        let party = match action {
            PartAction::Assign => Some(party),
            PartAction::Expire => self.holder,
            _ => None,
        };
        self.holder = holder_after(action, self.holder, by, party);
        self.events.push(Event {
            version: self.events.len() as i32 + 1,
            at: at(),
            by: by.map(|id| Person { id, name: String::new() }),
            action: action.as_str().into(),
            from: Some(self.state.as_str().into()),
            to: to.as_str().into(),
            comment: None,
            party: party.map(|id| Person { id, name: String::new() }),
        });
        self.state = to;
        true
    }

    /// What the database's check constraint says of a part: held exactly while claimed or made, in its own queue.
    fn legal(&self) -> bool {
        let held = matches!(self.state, PartState::Claimed | PartState::Completed);
        let queue_ok = !matches!(self.state, PartState::Cnc | PartState::Hand) || self.state == self.kind.queue();
        (self.holder.is_some() == held || self.state == PartState::Deleted && self.holder.is_none()) && queue_ok
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_actions_never_reach_an_illegal_part_and_its_events_rebuild_it(
        hand in any::<bool>(),
        steps in proptest::collection::vec((0usize..15, 0u128..5, 0u128..5, any::<bool>()), 1..120),
    ) {
        let kind = if hand { PartKind::Hand } else { PartKind::Cnc };
        let requester = UserId(uuid::Uuid::from_u128(1));
        let mut m = Model::new(kind, requester);
        for (a, who, party, lead) in steps {
            let actor = Actor { user: UserId(uuid::Uuid::from_u128(who + 1)), lead };
            m.take(ALL_ACTIONS[a], requester, actor, UserId(uuid::Uuid::from_u128(party + 1)));
            prop_assert!(m.legal(), "{:?} held by {:?}", m.state, m.holder);
        }
        prop_assert_eq!(replay::<Part>(&m.events), Some(m.state));
        let rebuilt = rebuild(&m.events).unwrap();
        prop_assert_eq!((rebuilt.state, rebuilt.holder, rebuilt.version), (m.state, m.holder, m.events.len() as i32));
    }
}

#[test]
fn events_the_workflow_could_not_have_made_rebuild_nothing() {
    let requester = UserId(uuid::Uuid::from_u128(1));
    let lead = Actor { user: UserId(uuid::Uuid::from_u128(3)), lead: true };
    let mut m = Model::new(PartKind::Cnc, requester);
    assert!(m.take(PartAction::Approve, requester, lead, requester));
    let mut wrong_queue = m.events.clone();
    wrong_queue[1].to = "hand".into();
    assert!(rebuild(&wrong_queue).is_some(), "approval may go to either queue by the table");
    let mut skipped = m.events.clone();
    skipped[1].version = 3;
    assert_eq!(rebuild(&skipped), None, "versions follow one another");
    let mut claimed_from_review = m.events.clone();
    claimed_from_review[1].action = "claim".into();
    assert_eq!(rebuild(&claimed_from_review), None);
    let mut no_start = m.events.clone();
    no_start.remove(0);
    assert_eq!(rebuild(&no_start), None);
}
