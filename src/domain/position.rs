//! Manual order (contract, organizing.md, "Manual order"): a position is an
//! opaque string, and siblings sort by it in byte order. A move gives the
//! moved item a key strictly between its new neighbours' keys, so no other
//! item's key changes.
//!
//! A key is a base-62 fraction: digits `0-9A-Za-z` (ascending in ASCII, so
//! byte order is numeric order) after an implied `0.`, never ending in `0`
//! (so there is always room before it). Between two keys is their midpoint
//! (the algorithm of David Greenspan's "Implementing Fractional Indexing":
//! the common prefix, then the middle digit, or one digit more), so moves
//! into one gap grow a key by one digit per ~6.
//!
//! Appends (after the last key) and moves to the top (before the first)
//! take the next key of a level scheme, so a run of them grows keys
//! logarithmically: a key is `z^k · rest` (k leading `z`, rest not starting
//! with `z`), and the key after it is `z^k` then rest's first `k + 1`
//! digits plus one (a carry into a leading `z` moves it to level `k + 1`).
//! Level `k` holds about `61 · 62^k` keys of at most `2k + 1` digits:
//! 100,000 appends stay at 5 digits. Keys before the first mirror it with
//! leading `0` digits and minus one. [`Position::after_salted`] adds three
//! digits of a random salt to an append, so two appends racing on the same
//! last key get different keys; the next append drops the salt again (and
//! when a race did leave equal keys, the next move among them respaces).
//!
//! A key longer than [`Position::MAX_LEN`], or equal neighbours (left by a
//! race), call for respacing ([`respace_window`], used by [`place`]): the
//! moved item and a few siblings each side of it get evenly spread keys
//! between the keys just outside that window ([`Position::spread_between`]),
//! widened only when they leave no room. Why a window and not the group:
//! every key that changes is a row rewritten and a new `ETag` for its item,
//! and a group can hold 100,000 siblings; the window keeps a respace local,
//! so only a handful of siblings change. (The `fractional_index` crate was
//! tried first: its `new_between` underflows on keys with a zero byte,
//! which its own `new_before` makes after ~128 moves to the front.)
mod digits;
mod placing;

use digits::{after, before, digit_value, midpoint, number, number_digits, strip_zeros};
use digits::{DIGITS, MIDDLE, TOP, WIDE_BASE};
pub use placing::{place, respace_window, window_sides, Placement, Spot, RESPACED_MAX_LEN};

/// Digits a spread may use after the bounds' common prefix: 62^21 < 2^128,
/// so every number of that many digits fits a `u128`.
const MAX_SPREAD_WIDTH: usize = 21;
/// Spread keys are this many steps apart, so 15 more fit between neighbours.
const SPREAD_ROOM: u128 = 16;

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
            !raw.is_empty() && raw.bytes().all(|b| digit_value(b).is_some()) && !raw.ends_with('0');
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err("is not a position key".into())
        }
    }

    /// The key of the first item of an empty group: the middle.
    #[must_use]
    pub fn first() -> Self {
        Self::from_digits(&[MIDDLE])
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
            (None, None) => vec![MIDDLE],
        };
        Some(Self::from_digits(&digits))
    }

    /// `between(last, None)`, padded with zeros to the `2k + 1` digits of
    /// its level (`k` leading `z`), followed by three digits of `salt` (the
    /// last never `0`: 234,484 suffixes), so appends racing on the same
    /// `last` with their own random salts get different keys, all after
    /// `last`. The append after one of them is the append after
    /// `between(last, None)`: it keeps only the level's digits, which the
    /// padding makes exactly the unsalted ones.
    #[must_use]
    pub fn after_salted(last: Option<&Self>, salt: u128) -> Self {
        let mut digits = last.map_or_else(|| vec![MIDDLE], |a| after(&a.digits()));
        // Why pad: unpadded, the salt's first digits would count as the
        // level's when the key ends in zeros, and a run of salted appends
        // would climb the levels faster than plain ones.
        let level = digits.iter().take_while(|d| **d == TOP).count();
        digits.resize(digits.len().max(2 * level + 1), 0);
        digits.extend([
            (salt / 61 / 62 % 62) as u8,
            (salt / 61 % 62) as u8,
            (salt % 61) as u8 + 1,
        ]);
        Self::from_digits(&digits)
    }

    /// `count` keys in increasing order, strictly between `lower` and
    /// `upper` (`None`: the open end), evenly spaced with room for at least
    /// 15 more between neighbours and next to the bounds: the bounds'
    /// common prefix, then the fewest digits that allow it (at most 21).
    /// `None` when `lower` is not before `upper`, or when 21 digits after
    /// the common prefix leave no room.
    #[must_use]
    pub fn spread_between(
        lower: Option<&Self>,
        upper: Option<&Self>,
        count: usize,
    ) -> Option<Vec<Self>> {
        if let (Some(a), Some(b)) = (lower, upper) {
            if a >= b {
                return None;
            }
        }
        let low = lower.map(Self::digits).unwrap_or_default();
        let high = upper.map(Self::digits);
        // Digits both bounds share (`lower` read with trailing zeros, as a
        // fraction), which every key between them starts with too.
        let common = high.as_ref().map_or(0, |high| {
            let same = |(i, d): &(usize, &u8)| low.get(*i).copied().unwrap_or(0) == **d;
            high.iter().enumerate().take_while(same).count()
        });
        let prefix = high.as_ref().map_or(&[][..], |high| &high[..common]);
        // `usize` to `u128` never loses anything.
        let slots = (count as u128 + 1) * SPREAD_ROOM;
        for width in 1..=MAX_SPREAD_WIDTH {
            // The keys of `width` digits after the prefix are the numbers
            // strictly between `floor` (lower, cut) and `ceiling` (upper,
            // rounded up: cut, plus one when digits were cut off).
            let floor = number(low.get(common..).unwrap_or_default(), width);
            let ceiling = match &high {
                Some(high) => {
                    let rest = high.get(common..).unwrap_or_default();
                    number(rest, width) + u128::from(rest.len() > width)
                }
                None => WIDE_BASE.pow(u32::try_from(width).ok()?),
            };
            let room = ceiling.saturating_sub(floor);
            if room < slots {
                continue;
            }
            let step = room / (count as u128 + 1);
            let keys = (1..=count as u128).map(|i| {
                let mut digits = prefix.to_vec();
                digits.extend(number_digits(floor + i * step, width));
                Self::from_digits(strip_zeros(&digits))
            });
            return Some(keys.collect());
        }
        None
    }

    /// `count` keys in increasing order, evenly spaced with room for at
    /// least 15 more between neighbours (at most four digits for 100,000),
    /// for respacing a whole group of siblings or placing existing items:
    /// [`Self::spread_between`] with both ends open.
    #[must_use]
    pub fn spread(count: usize) -> Vec<Self> {
        // Always `Some`: open bounds have 62^21 > 16 · 2^64 numbers of 21
        // digits, room for any `count` a `usize` holds.
        Self::spread_between(None, None, count).unwrap_or_default()
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

    /// The key's digit values (all of its bytes: `parse` and the
    /// constructors only ever hold digits).
    fn digits(&self) -> Vec<u8> {
        self.0.bytes().filter_map(digit_value).collect()
    }

    /// The key of digit values, each below 62.
    fn from_digits(digits: &[u8]) -> Self {
        Self(
            digits
                .iter()
                .map(|d| char::from(DIGITS[usize::from(*d)]))
                .collect(),
        )
    }
}
