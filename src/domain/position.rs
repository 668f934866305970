//! Manual order (contract, organizing.md, "Manual order"): a position is an
//! opaque string, and siblings sort by it in byte order. A move gives the
//! moved item a key strictly between its new neighbours' keys, so no other
//! item's key changes.
//!
//! A key is a base-62 fraction: digits `0-9A-Za-z` (ascending in ASCII, so
//! byte order is numeric order) after an implied `0.`, never ending in `0`
//! (so there is always room before it). Between two keys is their midpoint
//! (the algorithm of David Greenspan's "Implementing Fractional Indexing":
//! the common prefix, then the middle digit, or one digit more); first and
//! last step the first digit that can move by one, so a run of appends or
//! moves to the top grows a key by one digit per ~30 moves, and moves into
//! one gap by one digit per ~6. A key longer than [`Position::MAX_LEN`] tells
//! the caller to respace the siblings ([`Position::spread`]), which changes
//! their keys (and so their ETags). (The `fractional_index` crate was tried
//! first: its `new_between` underflows on keys with a zero byte, which its
//! own `new_before` makes after ~128 moves to the front.)
use uuid::Uuid;

/// The digits of a key, in ascending byte order.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: u32 = 62;

/// A sibling's place in the manual order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position(String);

impl Position {
    /// Keys longer than this are respaced.
    pub const MAX_LEN: usize = 64;

    /// A stored key.
    ///
    /// # Errors
    /// A message when it is not a key this module made.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid =
            !raw.is_empty() && raw.bytes().all(|b| DIGITS.contains(&b)) && !raw.ends_with('0');
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err("is not a position key".into())
        }
    }

    /// The key of the first item of an empty group: the middle.
    #[must_use]
    pub fn first() -> Self {
        Self::from_digits(&[BASE / 2])
    }

    /// A key after `lower` (if any) and before `upper` (if any); `None`
    /// when `lower` is not before `upper`.
    #[must_use]
    pub fn between(lower: Option<&Self>, upper: Option<&Self>) -> Option<Self> {
        let digits = match (lower, upper) {
            (Some(a), Some(b)) if a >= b => return None,
            (Some(a), Some(b)) => midpoint(&a.digits(), Some(&b.digits())),
            (Some(a), None) => after(&a.digits()),
            (None, Some(b)) => before(&b.digits()),
            (None, None) => vec![BASE / 2],
        };
        Some(Self::from_digits(&digits))
    }

    /// `count` keys in increasing order, evenly spaced with room for at
    /// least 15 more between neighbours (at most a few digits each), for
    /// respacing a group of siblings or placing existing items.
    #[must_use]
    pub fn spread(count: usize) -> Vec<Self> {
        let slots = (count as u128 + 1) * 16;
        let mut width = 1u32;
        while u128::from(BASE).pow(width) < slots {
            width += 1;
        }
        let step = u128::from(BASE).pow(width) / (count as u128 + 1);
        (1..=count as u128)
            .map(|i| {
                let mut value = i * step;
                let mut digits = vec![0u32; width as usize];
                for digit in digits.iter_mut().rev() {
                    *digit = (value % u128::from(BASE)) as u32;
                    value /= u128::from(BASE);
                }
                while digits.last() == Some(&0) {
                    digits.pop();
                }
                Self::from_digits(&digits)
            })
            .collect()
    }

    /// Whether the key has grown past [`Self::MAX_LEN`].
    #[must_use]
    pub fn is_long(&self) -> bool {
        self.0.len() > Self::MAX_LEN
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }

    fn digits(&self) -> Vec<u32> {
        self.0
            .bytes()
            .map(|b| DIGITS.iter().position(|d| *d == b).unwrap_or(0) as u32)
            .collect()
    }

    fn from_digits(digits: &[u32]) -> Self {
        Self(digits.iter().map(|d| DIGITS[*d as usize] as char).collect())
    }
}

/// A fraction strictly between `a` and `b` (`None`: 1), both without
/// trailing zeros and `a < b`; the result has none either.
fn midpoint(a: &[u32], b: Option<&[u32]>) -> Vec<u32> {
    if let Some(b) = b {
        let common = b
            .iter()
            .enumerate()
            .take_while(|(i, d)| a.get(*i).copied().unwrap_or(0) == **d)
            .count();
        if common > 0 {
            let mut out = b[..common].to_vec();
            out.extend(midpoint(a.get(common..).unwrap_or(&[]), Some(&b[common..])));
            return out;
        }
    }
    let da = a.first().copied().unwrap_or(0);
    let db = b.map_or(BASE, |b| b[0]);
    if db - da > 1 {
        return vec![(da + db) / 2];
    }
    match b {
        // `b`'s first digit alone: above `a` (whose first digit is one
        // less), below `b` (which has more digits, none trailing zeros).
        Some(b) if b.len() > 1 => vec![b[0]],
        _ => {
            let mut out = vec![da];
            out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
            out
        }
    }
}

/// Just after `a`: its first digit that can grow by one, grown.
fn after(a: &[u32]) -> Vec<u32> {
    match a.iter().position(|d| *d < BASE - 1) {
        Some(i) => {
            let mut out = a[..=i].to_vec();
            out[i] += 1;
            out
        }
        None => midpoint(a, None),
    }
}

/// Just before `b`: its first digit above 1, lowered by one (never to a
/// trailing zero); the midpoint with 0 when there is none.
fn before(b: &[u32]) -> Vec<u32> {
    match b.iter().position(|d| *d > 1) {
        Some(i) => {
            let mut out = b[..=i].to_vec();
            out[i] -= 1;
            out
        }
        None => midpoint(&[], Some(b)),
    }
}

/// Where a moved item goes among its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spot {
    First,
    Last,
    After(Uuid),
    Before(Uuid),
}

/// The outcome of a move: the moved item's new key, and the siblings whose
/// keys had to change (empty unless the gap was used up and the group was
/// respaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub key: Position,
    pub respaced: Vec<(Uuid, Position)>,
}

/// Places `moved` at `spot` among `siblings` (the whole group in order, with
/// its keys; `moved` itself may be among them). `None` when `spot` names an
/// item that is not another member of the group.
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
    // No room (equal neighbours) or a key grown too long: the group in its
    // new order, evenly spaced; only the keys that change are reported.
    let mut keys = Position::spread(others.len() + 1).into_iter();
    let mut respaced = Vec::new();
    let mut key = Position::first();
    for (i, (id, old)) in others.iter().map(|pair| (&pair.0, &pair.1)).enumerate() {
        if i == index {
            key = keys.next()?;
        }
        let new = keys.next()?;
        if &new != old {
            respaced.push((*id, new));
        }
    }
    if index == others.len() {
        key = keys.next()?;
    }
    Some(Placement { key, respaced })
}
