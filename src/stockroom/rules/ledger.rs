//! The ledger's rules: what a posting asks (lines of receive, issue, return and transfer), how it is checked before
//! any row is touched, and the arithmetic of balances the database keeps (`stockroom_apply_movement`), as a pure model
//! the service uses to say, line by line, what a refused posting lacked, and the property tests use to check the
//! invariants (a balance is the sum of its movements and never negative; a reversal restores it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::quantity::{Qty, Unit, check_moved};
use crate::codes::{ErrorCode, FieldError, Refusal, check_text, text_enum};
use crate::ids::{DepartmentId, ItemId, MovementId, UserId};

/// What a movement is, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Receive,
    Issue,
    Return,
    TransferOut,
    TransferIn,
    /// A stocktake's correction.
    Count,
    /// Undoes another movement.
    Reversal,
}
text_enum!(MovementKind "movement kind" {
    Receive => "receive", Issue => "issue", Return => "return", TransferOut => "transfer_out",
    TransferIn => "transfer_in", Count => "count", Reversal => "reversal",
});

/// Where a posting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The stock room's pages.
    Ui,
    /// The counter's scan screen.
    Scan,
    /// `nexus-server stock …`.
    Cli,
    /// Another program over REST.
    #[default]
    Api,
}
text_enum!(Source "movement source" { Ui => "ui", Scan => "scan", Cli => "cli", Api => "api" });

/// What a line of a posting does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Stock arrives (a delivery).
    Receive,
    /// Stock leaves to a person, a department or a reference (a work order).
    Issue,
    /// Issued stock comes back.
    Return,
    /// Stock moves from `department` to `to_department`: two movements, one transaction.
    Transfer,
}

/// One line of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostLine {
    pub action: Action,
    pub item: ItemId,
    /// Where the stock is taken from or put (a transfer's origin).
    pub department: DepartmentId,
    /// In the item's unit, more than zero.
    #[cfg_attr(feature = "ssr", schema(value_type = f64, example = 2))]
    pub quantity: Qty,
    /// A transfer's destination.
    #[serde(default)]
    pub to_department: Option<DepartmentId>,
    /// The person stock is issued to or returned by.
    #[serde(default)]
    pub person: Option<UserId>,
    /// A reference such as a work order (up to 120 characters).
    #[serde(default)]
    pub reference: String,
    /// Why (up to 300 characters).
    #[serde(default)]
    pub reason: String,
}

/// A posting: its lines are recorded all together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostRequest {
    /// Chosen by the client, unique per write (a UUID is usual; 1–100 characters). Sent again with the same lines,
    /// it returns what the first one recorded; with other lines, 409 `idempotency_key_reused`.
    pub idempotency_key: String,
    #[serde(default)]
    pub source: Source,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<PostLine>,
}

/// Most lines in one posting.
pub const MAX_LINES: usize = 500;

/// What a line's item is, as the service found it: its unit and whether it is archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    pub unit: Unit,
    pub archived: bool,
}

/// Checks a posting's shape: a key, 1–[`MAX_LINES`] lines, each quantity valid for its item's unit, a transfer to
/// another department, texts within their lengths. `item` says what each line's item is (`None`: not in this
/// organisation), `department_live` whether a department is there and not archived. Every problem is named by its
/// field (`lines.3.quantity`), all at once.
pub fn check_post(
    req: &PostRequest,
    item: impl Fn(ItemId) -> Option<ItemFacts>,
    department_live: impl Fn(DepartmentId) -> Option<bool>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = |field: String, raw: &str, required: bool, max: usize, errors: &mut Vec<FieldError>| {
        if let Err(e) = check_text(&field, raw, required, max) {
            errors.push(e);
        }
    };
    text("idempotency_key".into(), &req.idempotency_key, true, 100, &mut errors);
    text("note".into(), &req.note, false, 500, &mut errors);
    if req.lines.is_empty() {
        errors.push(FieldError::new("lines", ErrorCode::Required));
    } else if req.lines.len() > MAX_LINES {
        errors.push(FieldError::new("lines", ErrorCode::TooLong));
    }
    for (i, l) in req.lines.iter().enumerate().take(MAX_LINES) {
        let field = |name: &str| format!("lines.{}.{name}", i + 1);
        match item(l.item) {
            None => errors.push(FieldError::new(&field("item"), ErrorCode::NotFound)),
            Some(f) if f.archived && l.action == Action::Receive => {
                errors.push(FieldError::new(&field("item"), ErrorCode::Archived))
            }
            Some(f) => {
                if let Err(code) = check_moved(l.quantity, f.unit) {
                    errors.push(FieldError::new(&field("quantity"), code));
                }
            }
        }
        let live = |d: DepartmentId, name: &str, errors: &mut Vec<FieldError>| match department_live(d) {
            None => errors.push(FieldError::new(&field(name), ErrorCode::NotFound)),
            Some(false) => errors.push(FieldError::new(&field(name), ErrorCode::Archived)),
            Some(true) => {}
        };
        live(l.department, "department", &mut errors);
        match (l.action, l.to_department) {
            (Action::Transfer, None) => errors.push(FieldError::new(&field("to_department"), ErrorCode::Required)),
            (Action::Transfer, Some(to)) if to == l.department => {
                errors.push(FieldError::new(&field("to_department"), ErrorCode::SameDepartment))
            }
            (Action::Transfer, Some(to)) => live(to, "to_department", &mut errors),
            (_, Some(_)) => errors.push(FieldError::new(&field("to_department"), ErrorCode::InvalidInput)),
            (_, None) => {}
        }
        text(field("reference"), &l.reference, false, 120, &mut errors);
        text(field("reason"), &l.reason, false, 300, &mut errors);
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A movement as the ledger records it: the change of one item's balance in one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The posting's line (from 1) it comes from.
    pub line: usize,
    pub kind: MovementKind,
    pub item: ItemId,
    pub department: DepartmentId,
    /// Signed: what the balance changes by.
    pub delta: Qty,
    pub other_department: Option<DepartmentId>,
}

/// The movements a posting's lines make, in line order (a transfer: its leg out, then its leg in).
pub fn changes(lines: &[PostLine]) -> Vec<Change> {
    let mut out = Vec::with_capacity(lines.len() + 1);
    for (i, l) in lines.iter().enumerate() {
        let line = i + 1;
        let mut push = |kind, department, delta, other| {
            out.push(Change { line, kind, item: l.item, department, delta, other_department: other })
        };
        match l.action {
            Action::Receive => push(MovementKind::Receive, l.department, l.quantity, None),
            Action::Return => push(MovementKind::Return, l.department, l.quantity, None),
            Action::Issue => push(MovementKind::Issue, l.department, -l.quantity, None),
            Action::Transfer => {
                let to = l.to_department.unwrap_or(l.department);
                push(MovementKind::TransferOut, l.department, -l.quantity, Some(to));
                push(MovementKind::TransferIn, to, l.quantity, Some(l.department));
            }
        }
    }
    out
}

/// The order the database is asked to apply changes in: by item and department (every posting locks balances in one
/// global order, so two postings never wait on each other in a cycle), each balance's changes in line order.
pub fn apply_order(changes: &mut [Change]) {
    changes.sort_by_key(|c| (c.item, c.department, c.line));
}

/// A line that would take a balance below zero, and what there was for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Shortage {
    /// The posting's line (from 1).
    pub line: usize,
    pub item: ItemId,
    pub department: DepartmentId,
    /// What the line takes.
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub wanted: Qty,
    /// What is left for it (after the posting's earlier lines).
    #[cfg_attr(feature = "ssr", schema(value_type = f64))]
    pub available: Qty,
}

/// Why a posting was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PostProblem {
    /// Lines that take more than there is (409): nothing was recorded. `lines` names each with what is left.
    Insufficient { lines: Vec<Shortage> },
}

impl Refusal for PostProblem {
    fn status(&self) -> u16 {
        match self {
            PostProblem::Insufficient { .. } => 409,
        }
    }
}

/// Balances by item and department.
pub type Balances = BTreeMap<(ItemId, DepartmentId), Qty>;

/// Applies changes (in [`apply_order`]) to `balances` as the database does; the changes that would take a balance
/// below zero are not applied and are returned, each with what was left for it. The database refuses the same
/// postings by its own check: this says which lines and by how much.
pub fn apply(balances: &mut Balances, changes: &[Change]) -> Vec<Shortage> {
    let mut short = Vec::new();
    for c in changes {
        let b = balances.entry((c.item, c.department)).or_default();
        let after = *b + c.delta;
        if after.0 < 0 {
            short.push(Shortage {
                line: c.line,
                item: c.item,
                department: c.department,
                wanted: -c.delta,
                available: *b,
            });
        } else {
            *b = after;
        }
    }
    short.sort_by_key(|s| s.line);
    short
}

/// What undoing a movement records: the opposite change at the same place. A reversal is not reversed again.
pub fn reversal_of(kind: MovementKind, delta: Qty) -> Result<Qty, ErrorCode> {
    if kind == MovementKind::Reversal { Err(ErrorCode::AlreadyReversed) } else { Ok(-delta) }
}

/// A recorded movement as a history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MovementRef {
    pub id: MovementId,
    pub kind: MovementKind,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(action: Action, item: i64, dept: i32, units: i64) -> PostLine {
        PostLine {
            action,
            item: ItemId(item),
            department: DepartmentId(dept),
            quantity: Qty::units(units),
            to_department: None,
            person: None,
            reference: String::new(),
            reason: String::new(),
        }
    }

    fn post(lines: Vec<PostLine>) -> PostRequest {
        PostRequest { idempotency_key: "k-1".into(), source: Source::Api, note: String::new(), lines }
    }

    fn facts(unit: Unit) -> impl Fn(ItemId) -> Option<ItemFacts> {
        move |i: ItemId| (i.0 < 100).then_some(ItemFacts { unit, archived: i.0 == 99 })
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<(String, ErrorCode)> {
        r.err().unwrap_or_default().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_posting_names_every_bad_field_at_once() {
        let depts = |d: DepartmentId| match d.0 {
            1 | 2 => Some(true),
            3 => Some(false),
            _ => None,
        };
        let mut half = line(Action::Issue, 1, 1, 1);
        half.quantity = Qty(500);
        let mut to_self = line(Action::Transfer, 1, 1, 1);
        to_self.to_department = Some(DepartmentId(1));
        let mut to_archived = line(Action::Transfer, 1, 1, 1);
        to_archived.to_department = Some(DepartmentId(3));
        let mut stray_to = line(Action::Issue, 1, 1, 1);
        stray_to.to_department = Some(DepartmentId(2));
        let req = post(vec![
            half,
            line(Action::Receive, 500, 1, 1),
            line(Action::Receive, 99, 9, 1),
            line(Action::Transfer, 1, 1, 1),
            to_self,
            to_archived,
            stray_to,
            line(Action::Issue, 99, 1, 2),
        ]);
        assert_eq!(
            fields(check_post(&req, facts(Unit::Piece), depts)),
            vec![
                ("lines.1.quantity".into(), ErrorCode::WholeUnits),
                ("lines.2.item".into(), ErrorCode::NotFound),
                ("lines.3.item".into(), ErrorCode::Archived),
                ("lines.3.department".into(), ErrorCode::NotFound),
                ("lines.4.to_department".into(), ErrorCode::Required),
                ("lines.5.to_department".into(), ErrorCode::SameDepartment),
                ("lines.6.to_department".into(), ErrorCode::Archived),
                ("lines.7.to_department".into(), ErrorCode::InvalidInput),
            ],
            "an archived item may still be issued (what is left of it), not received"
        );
        let mut empty = post(vec![]);
        empty.idempotency_key = " ".into();
        assert_eq!(
            fields(check_post(&empty, facts(Unit::Kg), |_| Some(true))),
            vec![("idempotency_key".into(), ErrorCode::Required), ("lines".into(), ErrorCode::Required)]
        );
        let many = post((0..=MAX_LINES).map(|_| line(Action::Receive, 1, 1, 1)).collect());
        assert_eq!(
            fields(check_post(&many, facts(Unit::Kg), |_| Some(true))),
            vec![("lines".into(), ErrorCode::TooLong)]
        );
        assert_eq!(check_post(&post(vec![line(Action::Issue, 1, 1, 3)]), facts(Unit::Kg), |_| Some(true)), Ok(()));
    }

    #[test]
    fn a_transfer_is_two_legs_and_changes_apply_in_one_global_order() {
        let mut t = line(Action::Transfer, 7, 2, 4);
        t.to_department = Some(DepartmentId(1));
        let mut c = changes(&[line(Action::Issue, 9, 1, 1), t]);
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[1].kind, c[1].department, c[1].delta),
            (MovementKind::TransferOut, DepartmentId(2), Qty::units(-4))
        );
        assert_eq!(
            (c[2].kind, c[2].department, c[2].delta),
            (MovementKind::TransferIn, DepartmentId(1), Qty::units(4))
        );
        apply_order(&mut c);
        let order: Vec<_> = c.iter().map(|c| (c.item.0, c.department.0)).collect();
        assert_eq!(order, vec![(7, 1), (7, 2), (9, 1)]);
    }

    #[test]
    fn a_shortage_names_its_line_and_what_was_left_after_the_lines_before() {
        let mut b = Balances::new();
        b.insert((ItemId(1), DepartmentId(1)), Qty::units(5));
        let lines = [line(Action::Issue, 1, 1, 3), line(Action::Issue, 1, 1, 3), line(Action::Issue, 2, 1, 1)];
        let mut c = changes(&lines);
        apply_order(&mut c);
        let short = apply(&mut b, &c);
        assert_eq!(
            short,
            vec![
                Shortage {
                    line: 2,
                    item: ItemId(1),
                    department: DepartmentId(1),
                    wanted: Qty::units(3),
                    available: Qty::units(2)
                },
                Shortage {
                    line: 3,
                    item: ItemId(2),
                    department: DepartmentId(1),
                    wanted: Qty::units(1),
                    available: Qty::ZERO
                },
            ]
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Post(Vec<(Action, i64, i32, i64)>),
        Reverse(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let action =
            prop_oneof![Just(Action::Receive), Just(Action::Issue), Just(Action::Return), Just(Action::Transfer)];
        prop_oneof![
            4 => prop::collection::vec((action, 1i64..4, 1i32..3, 1i64..20), 1..5).prop_map(Op::Post),
            1 => (0usize..64).prop_map(Op::Reverse),
        ]
    }

    proptest! {
        /// Any sequence of postings and reversals: every balance is the sum of the movements recorded at it and
        /// never negative; a refused posting records nothing; a reversal brings its balance back by exactly what the
        /// movement changed.
        #[test]
        fn the_ledger_holds_its_invariants(ops in prop::collection::vec(op(), 1..60)) {
            let mut balances = Balances::new();
            let mut ledger: Vec<(Change, bool)> = Vec::new();
            for op in ops {
                match op {
                    Op::Post(ls) => {
                        let lines: Vec<PostLine> = ls.into_iter().map(|(a, i, d, q)| {
                            let mut l = line(a, i, d, q);
                            if a == Action::Transfer { l.to_department = Some(DepartmentId(3 - d)); }
                            l
                        }).collect();
                        let mut c = changes(&lines);
                        apply_order(&mut c);
                        let mut trial = balances.clone();
                        if apply(&mut trial, &c).is_empty() {
                            balances = trial;
                            ledger.extend(c.into_iter().map(|c| (c, false)));
                        } else {
                            // All or nothing: the balances the posting saw are the balances after it.
                            prop_assert!(balances.values().all(|q| q.0 >= 0));
                        }
                    }
                    Op::Reverse(n) => {
                        if ledger.is_empty() { continue; }
                        let i = n % ledger.len();
                        let (orig, reversed) = ledger[i].clone();
                        let Ok(delta) = reversal_of(orig.kind, orig.delta) else { continue };
                        if reversed { continue; }
                        let before = balances.get(&(orig.item, orig.department)).copied().unwrap_or_default();
                        let undo = Change { line: 1, kind: MovementKind::Reversal, item: orig.item, department: orig.department, delta, other_department: None };
                        if apply(&mut balances, std::slice::from_ref(&undo)).is_empty() {
                            prop_assert_eq!(balances[&(orig.item, orig.department)], before - orig.delta);
                            ledger[i].1 = true;
                            ledger.push((undo, false));
                        }
                    }
                }
                for (&(item, dept), &q) in &balances {
                    prop_assert!(q.0 >= 0);
                    let sum: Qty = ledger.iter().filter(|(c, _)| c.item == item && c.department == dept).map(|(c, _)| c.delta).sum();
                    prop_assert_eq!(sum, q);
                }
            }
        }
    }
}
