//! Arithmetic on a key's digit values (each below 62, most significant
//! first): reading and writing them, and the keys between, after and
//! before others.

/// The digits of a key, in ascending byte order.
pub(super) const DIGITS: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub(super) const BASE: u8 = 62;
/// [`BASE`] for `u128` arithmetic.
pub(super) const WIDE_BASE: u128 = 62;
/// The largest digit, `z`.
pub(super) const TOP: u8 = BASE - 1;
/// The middle digit, `V`: the key of a lone item.
pub(super) const MIDDLE: u8 = BASE / 2;

/// The value of a key's byte, `None` when it is not a digit.
pub(super) fn digit_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'Z' => Some(byte - b'A' + 10),
        b'a'..=b'z' => Some(byte - b'a' + 36),
        _ => None,
    }
}

/// The first `width` digits of `digits` (padded with zeros) as a number.
pub(super) fn number(digits: &[u8], width: usize) -> u128 {
    (0..width).fold(0, |value, i| {
        value * WIDE_BASE + u128::from(digits.get(i).copied().unwrap_or(0))
    })
}

/// `value` as exactly `width` digits, most significant first.
pub(super) fn number_digits(mut value: u128, width: usize) -> Vec<u8> {
    let mut digits = vec![0; width];
    for digit in digits.iter_mut().rev() {
        *digit = (value % WIDE_BASE) as u8;
        value /= WIDE_BASE;
    }
    digits
}

/// `digits` without its trailing zeros.
pub(super) fn strip_zeros(digits: &[u8]) -> &[u8] {
    let len = digits.iter().rposition(|d| *d != 0).map_or(0, |i| i + 1);
    &digits[..len]
}

/// A fraction strictly between `a` and `b` (`None`: 1), both without
/// trailing zeros and `a < b`; the result has none either.
pub(super) fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
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
    // One past the largest digit when `b` is 1; a `u8` holds 62.
    let db = b.map_or(BASE, |b| b[0]);
    if db - da > 1 {
        return vec![da.midpoint(db)];
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

/// The next key after `a` at its level: `a` is `z^k · rest`; the result is
/// `z^k`, then rest's first `k + 1` digits (padded with zeros) plus one,
/// without trailing zeros. Rest's first digit is below `z`, so the carry
/// stops there at the latest (turning it into a `z`: level `k + 1`).
pub(super) fn after(a: &[u8]) -> Vec<u8> {
    let level = a.iter().take_while(|d| **d == TOP).count();
    let mut out: Vec<u8> = (0..=level)
        .map(|i| a.get(level + i).copied().unwrap_or(0))
        .collect();
    for digit in out.iter_mut().rev() {
        if *digit == TOP {
            *digit = 0;
        } else {
            *digit += 1;
            break;
        }
    }
    let mut key = vec![TOP; level];
    key.extend_from_slice(strip_zeros(&out));
    key
}

/// The next key before `b` at its level, the mirror of [`after`]: `b` is
/// `0^k · rest`; the result is `0^k`, then rest's first `k + 1` digits
/// (padded with zeros) minus one, without trailing zeros. Rest's first
/// digit is not `0` (`b` does not end in `0`), so the borrow stops there at
/// the latest (turning a `1` into a `0`: level `k + 1`). When nothing but
/// zeros is left (`b` starts with `1`), the result is `0z`.
pub(super) fn before(b: &[u8]) -> Vec<u8> {
    let level = b.iter().take_while(|d| **d == 0).count();
    let mut key: Vec<u8> = b[..level].to_vec();
    key.extend((0..=level).map(|i| b.get(level + i).copied().unwrap_or(0)));
    for digit in key.iter_mut().rev() {
        if *digit == 0 {
            *digit = TOP;
        } else {
            *digit -= 1;
            break;
        }
    }
    let len = strip_zeros(&key).len();
    key.truncate(len);
    if key.is_empty() {
        key = vec![0, TOP];
    }
    key
}
