//! Placing a moved item among its siblings, respacing a window of them
//! around it when its neighbours leave no room (the module doc of
//! `position` says why a window).
use uuid::Uuid;

use super::Position;

/// Respaced keys longer than this are refused: the window is too tight,
/// and a wider one is read.
pub const RESPACED_MAX_LEN: usize = 24;

/// Where a moved item goes among its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spot {
    First,
    Last,
    After(Uuid),
    Before(Uuid),
}

/// The outcome of a move: the moved item's new key, and the siblings whose
/// keys had to change (empty unless the gap was used up and a window of
/// siblings was respaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub key: Position,
    pub respaced: Vec<(Uuid, Position)>,
}

/// The siblings each side of the insertion point a respace reads, window
/// after window: 4, 16, 64, … (ending before `usize` overflows). A caller
/// stops at the first window [`respace_window`] accepts, or at the one that
/// holds the whole group (both bounds `None`), which it always accepts.
pub fn window_sides() -> impl Iterator<Item = usize> {
    std::iter::successors(Some(4_usize), |side| side.checked_mul(4))
}

/// Respaces a window of siblings around a moved item: `below` and `above`
/// are the siblings just before and just after the insertion point (each in
/// sibling order, without the moved item), `lower` the key just below the
/// window and `upper` the key just above it (`None` when the window reaches
/// that end of the group). The moved item goes between the last of `below`
/// and the first of `above`, and the whole window gets evenly spread keys
/// strictly between `lower` and `upper` ([`Position::spread_between`]), so
/// equal keys inside it (left by a race) come out distinct. Returns the
/// moved item's key and the window's siblings whose key changes; `None`
/// when `lower` is not below `upper` or the keys would be longer than
/// [`RESPACED_MAX_LEN`] (then read a wider window: [`window_sides`]).
#[must_use]
pub fn respace_window(
    below: &[(Uuid, Position)],
    above: &[(Uuid, Position)],
    lower: Option<&Position>,
    upper: Option<&Position>,
) -> Option<Placement> {
    let count = below.len() + 1 + above.len();
    let keys = Position::spread_between(lower, upper, count)?;
    if keys.iter().any(|key| key.as_str().len() > RESPACED_MAX_LEN) {
        return None;
    }
    let mut keys = keys.into_iter();
    let mut respaced = Vec::new();
    let mut renew = |(id, old): &(Uuid, Position), new: Position| {
        if &new != old {
            respaced.push((*id, new));
        }
    };
    for sibling in below {
        renew(sibling, keys.next()?);
    }
    let key = keys.next()?;
    for sibling in above {
        renew(sibling, keys.next()?);
    }
    Some(Placement { key, respaced })
}

/// Places `moved` at `spot` among `siblings` (the whole group in order, with
/// its keys; `moved` itself may be among them). `None` when `spot` names an
/// item that is not another member of the group.
///
/// The moved item takes a key between its new neighbours' when there is one
/// of at most [`Position::MAX_LEN`] digits (no other key changes);
/// otherwise [`respace_window`] respaces the narrowest window of
/// [`window_sides`] siblings each side that has room, up to the whole group.
#[must_use]
pub fn place(siblings: &[(Uuid, Position)], moved: Uuid, spot: Spot) -> Option<Placement> {
    let others: Vec<&(Uuid, Position)> = siblings.iter().filter(|(id, _)| *id != moved).collect();
    let find = |target: Uuid| others.iter().position(|(id, _)| *id == target);
    let index = match spot {
        Spot::First => 0,
        Spot::Last => others.len(),
        Spot::After(target) => find(target)? + 1,
        Spot::Before(target) => find(target)?,
    };
    let lower = index.checked_sub(1).map(|i| &others[i].1);
    let upper = others.get(index).map(|(_, key)| key);
    if let Some(key) = Position::between(lower, upper).filter(|key| !key.is_long()) {
        return Some(Placement {
            key,
            respaced: Vec::new(),
        });
    }
    // No room (equal neighbours) or a key grown too long: respace the
    // narrowest window around `index` that has room. The windows are slices
    // of the group without `moved`, so it is copied once, here.
    let others: Vec<(Uuid, Position)> = others.into_iter().cloned().collect();
    for side in window_sides() {
        let start = index.saturating_sub(side);
        let end = index.saturating_add(side).min(others.len());
        let lower = start.checked_sub(1).map(|i| &others[i].1);
        let upper = others.get(end).map(|(_, key)| key);
        let placement = respace_window(&others[start..index], &others[index..end], lower, upper);
        if placement.is_some() || (start == 0 && end == others.len()) {
            return placement;
        }
    }
    // Not reached: the windows reach the whole group long before their
    // sides overflow, and the whole group always has room.
    None
}
