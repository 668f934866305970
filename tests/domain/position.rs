use taskforge::domain::position::Position;

mod placing;

fn key(raw: &str) -> Position {
    Position::parse(raw).unwrap()
}

/// A seeded xorshift64 generator: the same numbers on every run.
fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// A number below `n` from `next`.
fn below(next: &mut impl FnMut() -> u64, n: usize) -> usize {
    usize::try_from(next() % u64::try_from(n).unwrap()).unwrap()
}

/// Whether every key is valid and each is before the next as a string.
fn valid_and_increasing(keys: &[Position]) -> bool {
    keys.iter()
        .all(|k| Position::parse(k.as_str()).as_ref() == Ok(k))
        && keys.windows(2).all(|w| w[0].as_str() < w[1].as_str())
}

#[test]
fn a_key_between_two_sorts_between_them_as_a_string() {
    let first = Position::first();
    let after = Position::between(Some(&first), None).unwrap();
    let before = Position::between(None, Some(&first)).unwrap();
    let middle = Position::between(Some(&first), Some(&after)).unwrap();
    assert!(before.as_str() < first.as_str());
    assert!(first.as_str() < middle.as_str());
    assert!(middle.as_str() < after.as_str());
}

#[test]
fn bounds_out_of_order_or_equal_give_no_key() {
    let a = Position::first();
    let b = Position::between(Some(&a), None).unwrap();
    assert_eq!(Position::between(Some(&b), Some(&a)), None);
    assert_eq!(Position::between(Some(&a), Some(&a)), None);
}

#[test]
fn stored_keys_parse_and_anything_else_does_not() {
    let made = Position::between(Some(&Position::first()), None).unwrap();
    assert_eq!(key(made.as_str()), made);
    for bad in ["", "0", "V0", "a-b", "é", "V "] {
        assert!(Position::parse(bad).is_err(), "{bad:?}");
    }
}

/// Appends add one to the digits after the leading `z`s (as many as there
/// are `z`s, plus one); prepends subtract one after the leading `0`s. The
/// keys a migration wrote get neighbours the same way.
#[test]
fn appends_and_prepends_take_the_next_key_of_their_level() {
    let after = |raw: &str| Position::between(Some(&key(raw)), None).unwrap();
    let before = |raw: &str| Position::between(None, Some(&key(raw))).unwrap();
    let mut last = Position::first();
    for digit in "WXYZabcdefghijklmnopqrstuvwxyz".chars() {
        last = Position::between(Some(&last), None).unwrap();
        assert_eq!(last.as_str(), digit.to_string(), "one digit up, as before");
    }
    for (raw, next) in [
        ("z", "z01"),
        ("z0z", "z1"),
        ("zy", "zy1"),
        ("zyz", "zz"),
        ("zz", "zz001"),
        ("Vzz", "W"),
        ("000123V", "1"),
    ] {
        assert_eq!(after(raw).as_str(), next, "after {raw}");
    }
    for (raw, next) in [
        ("W", "V"),
        ("2", "1"),
        ("1", "0z"),
        ("11", "0z"),
        ("0z", "0yz"),
        ("01", "00z"),
        ("000123V", "000123U"),
    ] {
        assert_eq!(before(raw).as_str(), next, "before {raw}");
    }
}

#[test]
fn a_hundred_thousand_appends_stay_short_and_increasing() {
    let mut last = Position::first();
    for _ in 0..100_000 {
        let next = Position::between(Some(&last), None).unwrap();
        assert!(last.as_str() < next.as_str(), "{last:?} {next:?}");
        assert!(next.as_str().len() <= 8, "{next:?}");
        assert!(!next.as_str().ends_with('0'));
        last = next;
    }
}

#[test]
fn a_hundred_thousand_prepends_stay_short_and_decreasing() {
    let mut first = Position::first();
    for _ in 0..100_000 {
        let next = Position::between(None, Some(&first)).unwrap();
        assert!(next.as_str() < first.as_str(), "{next:?} {first:?}");
        assert!(next.as_str().len() <= 8, "{next:?}");
        assert_eq!(key(next.as_str()), next);
        first = next;
    }
}

#[test]
fn moving_to_the_front_or_the_end_a_thousand_times_stays_short() {
    let mut front = Position::first();
    let mut end = Position::first();
    for _ in 0..1_500 {
        let new_front = Position::between(None, Some(&front)).unwrap();
        let new_end = Position::between(Some(&end), None).unwrap();
        assert!(new_front.as_str() < front.as_str());
        assert!(new_end.as_str() > end.as_str());
        (front, end) = (new_front, new_end);
    }
    // Up to ~3,800 moves past the first digit's end keep three digits.
    assert!(front.as_str().len() <= 3, "{}", front.as_str());
    assert!(end.as_str().len() <= 3, "{}", end.as_str());
}

/// Thousands of moves into the same gap (always right after the first
/// item) keep sorting correctly; the key grows, and respacing brings it back.
#[test]
fn repeated_moves_into_one_gap_stay_ordered_until_respaced() {
    let first = Position::first();
    let mut upper = Position::between(Some(&first), None).unwrap();
    let mut moves = 0;
    while !upper.is_long() {
        let inserted = Position::between(Some(&first), Some(&upper)).unwrap();
        assert!(
            first < inserted && inserted < upper,
            "{first:?} {inserted:?} {upper:?}"
        );
        assert!(first.as_str() < inserted.as_str() && inserted.as_str() < upper.as_str());
        upper = inserted;
        moves += 1;
        assert!(moves < 1_000, "keys grow too fast to be respaced");
    }
    assert!(moves > 100, "respaced after only {moves} moves");
    let spread = Position::spread(3);
    assert!(spread.iter().all(|p| !p.is_long()));
}

#[test]
fn a_spread_is_increasing_short_and_leaves_room_between() {
    for count in [0, 1, 2, 15, 16, 255, 4_096, 100_000] {
        let keys = Position::spread(count);
        assert_eq!(keys.len(), count);
        let Some(first) = keys.first() else { continue };
        let width = keys.iter().map(|k| k.as_str().len()).max().unwrap();
        assert!(width <= 4, "{count}: {width} digits");
        assert!(
            keys.windows(2).all(|w| w[0].as_str() < w[1].as_str()),
            "{count}"
        );
        assert!(!keys.last().unwrap().is_long());
        // Room for later moves into every gap, and before and after all.
        for pair in keys.windows(2).take(50) {
            let between = Position::between(Some(&pair[0]), Some(&pair[1])).unwrap();
            assert!(pair[0] < between && between < pair[1]);
        }
        assert!(Position::between(None, Some(first)).is_some());
        for k in keys.iter().take(3) {
            assert_eq!(&key(k.as_str()), k);
        }
    }
}

/// The fewest digits after the bounds' common prefix that hold `count`
/// keys 16 apart.
fn spread_width(count: usize) -> usize {
    let slots = (u128::try_from(count).unwrap() + 1) * 16;
    (1..=21).find(|w| 62_u128.pow(*w) >= slots).unwrap() as usize
}

#[test]
fn spread_between_is_increasing_inside_the_bounds_valid_and_short() {
    let prefix = "abcdefghijklmnopqrstuvwxyz0123456789";
    let (long_v, long_w) = (format!("{prefix}V"), format!("{prefix}W"));
    let (long_1, long_1001) = (format!("{prefix}1"), format!("{prefix}1001"));
    let bounds: Vec<(Option<Position>, Option<Position>)> = [
        (None, None),
        (Some("V"), None),
        (None, Some("V")),
        (Some("V"), Some("W")),
        (Some("V"), Some("V1")),
        (Some("V"), Some("Vzzzzzzz")),
        (Some("Vzzzzzzz"), Some("W")),
        (Some("000123V"), Some("000124V")),
        (None, Some("000001V")),
        (Some(long_v.as_str()), Some(long_w.as_str())),
        (Some(long_1.as_str()), Some(long_1001.as_str())),
    ]
    .into_iter()
    .map(|(a, b)| (a.map(key), b.map(key)))
    .collect();
    for (lower, upper) in &bounds {
        for count in [0, 1, 2, 15, 16, 1_000, 100_000] {
            let keys = Position::spread_between(lower.as_ref(), upper.as_ref(), count).unwrap();
            assert_eq!(keys.len(), count);
            assert!(valid_and_increasing(&keys), "{lower:?} {upper:?} {count}");
            let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
                continue;
            };
            assert!(lower.as_ref().is_none_or(|lower| lower < first));
            assert!(upper.as_ref().is_none_or(|upper| last < upper));
            let bound_len = |b: &Option<Position>| b.as_ref().map_or(0, |b| b.as_str().len());
            let longest = bound_len(lower).max(bound_len(upper)) + spread_width(count);
            assert!(
                keys.iter().all(|k| k.as_str().len() <= longest),
                "{lower:?} {upper:?} {count}: {last:?}"
            );
            // Room for a move into every gap without a longer key.
            for pair in keys.windows(2).take(50) {
                let inserted = Position::between(Some(&pair[0]), Some(&pair[1])).unwrap();
                assert!(
                    inserted.as_str().len() <= pair[0].as_str().len().max(pair[1].as_str().len())
                );
            }
        }
    }
}

#[test]
fn spread_between_without_room_or_with_bounds_out_of_order_is_none() {
    let (v, w) = (key("V"), key("W"));
    assert_eq!(Position::spread_between(Some(&w), Some(&v), 1), None);
    assert_eq!(Position::spread_between(Some(&v), Some(&v), 0), None);
    // 25 digits apart only in the last place: 21 digits hold no key.
    let tight = key(&format!("V{}", "z".repeat(24)));
    assert_eq!(Position::spread_between(Some(&tight), Some(&w), 1), None);
    assert!(Position::spread_between(Some(&tight), None, 1).is_some());
}

/// Random appends, prepends and inserts between random neighbours: every
/// key valid, distinct, and the string order always the order of insertion
/// into the sequence.
#[test]
fn random_mixes_of_appends_prepends_and_inserts_stay_strictly_increasing() {
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    let mut keys = vec![Position::first()];
    for _ in 0..6_000 {
        let at = match next() % 4 {
            0 => 0,
            1 => keys.len(),
            _ => below(&mut next, keys.len() + 1),
        };
        let lower = at.checked_sub(1).map(|i| &keys[i]);
        let upper = keys.get(at);
        let key = Position::between(lower, upper).unwrap();
        assert!(lower.is_none_or(|lower| lower < &key) && upper.is_none_or(|upper| &key < upper));
        keys.insert(at, key);
    }
    assert!(valid_and_increasing(&keys));
}

/// Random inserts between random neighbours: every key valid, distinct,
/// and the string order always the order of insertion into the sequence.
#[test]
fn random_inserts_keep_a_valid_strictly_increasing_sequence() {
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    let mut keys = vec![Position::first()];
    for _ in 0..3_000 {
        let at = below(&mut next, keys.len() + 1);
        let lower = at.checked_sub(1).map(|i| &keys[i]);
        let upper = keys.get(at);
        let key = Position::between(lower, upper).unwrap();
        assert_eq!(&Position::parse(key.as_str()).unwrap(), &key);
        keys.insert(at, key);
    }
    assert!(keys.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
}

#[test]
fn salted_appends_on_the_same_last_differ_and_come_after_it() {
    let lasts = [
        None,
        Some("V"),
        Some("y"),
        Some("z0z"),
        Some("zz"),
        Some("000123V"),
    ];
    for last in lasts.map(|raw| raw.map(key)) {
        let mut keys: Vec<Position> = (0..2_000_u128)
            .map(|salt| Position::after_salted(last.as_ref(), salt * 7_919))
            .collect();
        let plain = Position::between(last.as_ref(), None).unwrap();
        for salted in &keys {
            assert_eq!(&key(salted.as_str()), salted);
            assert!(last.as_ref().is_none_or(|last| last < salted), "{salted:?}");
            assert!(salted.as_str().starts_with(plain.as_str()), "{salted:?}");
            assert!(salted.as_str().len() <= 8, "{salted:?}");
        }
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 2_000, "after {last:?}");
    }
}

/// The append after a salted key is the append after the unsalted one, so
/// a run of salted appends grows no faster than plain ones.
#[test]
fn the_append_after_a_salted_key_drops_the_salt() {
    let mut next = rng(0x9e37_79b9_7f4a_7c15);
    let mut last = Position::first();
    for _ in 0..100_000 {
        let salt = u128::from(next()) << 64 | u128::from(next());
        let salted = Position::after_salted(Some(&last), salt);
        let plain = Position::between(Some(&last), None).unwrap();
        let after = Position::between(Some(&salted), None).unwrap();
        assert!(last < salted && salted < after, "{last:?} {salted:?}");
        assert_eq!(after, Position::between(Some(&plain), None).unwrap());
        assert!(salted.as_str().len() <= 8, "{salted:?}");
        last = salted;
    }
}
