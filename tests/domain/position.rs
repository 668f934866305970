use taskforge::domain::position::Position;

fn key(raw: &str) -> Position {
    Position::parse(raw).unwrap()
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

/// Thousands of moves into the same gap (always right after the first
/// item) keep sorting correctly; the key grows, and respacing brings it back.
#[test]
fn repeated_moves_into_one_gap_stay_ordered_until_respaced() {
    let first = Position::first();
    let mut upper = Position::between(Some(&first), None).unwrap();
    let mut moves = 0;
    while !upper.is_long() {
        let moved = Position::between(Some(&first), Some(&upper)).unwrap();
        assert!(
            first < moved && moved < upper,
            "{first:?} {moved:?} {upper:?}"
        );
        assert!(first.as_str() < moved.as_str() && moved.as_str() < upper.as_str());
        upper = moved;
        moves += 1;
        assert!(moves < 1_000, "keys grow too fast to be respaced");
    }
    assert!(moves > 100, "respaced after only {moves} moves");
    let spread = Position::spread(3);
    assert!(spread.iter().all(|p| !p.is_long()));
}

#[test]
fn moving_to_the_front_or_the_end_a_thousand_times_stays_short() {
    let mut front = Position::first();
    let mut end = Position::first();
    // About 30 moves per extra digit: 1,500 stay under the respacing length.
    for _ in 0..1_500 {
        let new_front = Position::between(None, Some(&front)).unwrap();
        let new_end = Position::between(Some(&end), None).unwrap();
        assert!(new_front.as_str() < front.as_str());
        assert!(new_end.as_str() > end.as_str());
        (front, end) = (new_front, new_end);
    }
    assert!(
        front.as_str().len() <= Position::MAX_LEN,
        "{}",
        front.as_str()
    );
    assert!(end.as_str().len() <= Position::MAX_LEN, "{}", end.as_str());
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

mod placing {
    use taskforge::domain::position::{place, Position, Spot};
    use uuid::Uuid;

    fn group(n: usize) -> Vec<(Uuid, Position)> {
        let ids: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
        ids.into_iter().zip(Position::spread(n)).collect()
    }

    /// The group's ids in key order after applying a placement.
    fn order_after(group: &[(Uuid, Position)], moved: Uuid, spot: Spot) -> Vec<Uuid> {
        let placement = place(group, moved, spot).unwrap();
        let mut keyed: Vec<(Position, Uuid)> = group
            .iter()
            .filter(|(id, _)| *id != moved)
            .map(|(id, key)| {
                let new = placement.respaced.iter().find(|(r, _)| r == id);
                (new.map_or_else(|| key.clone(), |(_, k)| k.clone()), *id)
            })
            .collect();
        keyed.push((placement.key, moved));
        keyed.sort();
        keyed.into_iter().map(|(_, id)| id).collect()
    }

    #[test]
    fn each_spot_puts_the_item_there_and_changes_no_other_key() {
        let g = group(4);
        let ids: Vec<Uuid> = g.iter().map(|(id, _)| *id).collect();
        let moved = ids[3];
        assert_eq!(
            order_after(&g, moved, Spot::First),
            [ids[3], ids[0], ids[1], ids[2]]
        );
        assert_eq!(
            order_after(&g, moved, Spot::After(ids[0])),
            [ids[0], ids[3], ids[1], ids[2]]
        );
        assert_eq!(
            order_after(&g, moved, Spot::Before(ids[2])),
            [ids[0], ids[1], ids[3], ids[2]]
        );
        assert_eq!(
            order_after(&g, ids[0], Spot::Last),
            [ids[1], ids[2], ids[3], ids[0]]
        );
        for spot in [
            Spot::First,
            Spot::Last,
            Spot::After(ids[1]),
            Spot::Before(ids[1]),
        ] {
            assert!(
                place(&g, moved, spot).unwrap().respaced.is_empty(),
                "{spot:?}"
            );
        }
    }

    #[test]
    fn a_spot_outside_the_group_or_the_item_itself_is_refused() {
        let g = group(3);
        let moved = g[0].0;
        assert_eq!(place(&g, moved, Spot::After(Uuid::new_v4())), None);
        assert_eq!(place(&g, moved, Spot::Before(moved)), None);
        assert_eq!(place(&g, moved, Spot::After(moved)), None);
    }

    #[test]
    fn an_item_from_another_group_lands_in_an_empty_one() {
        let placement = place(&[], Uuid::new_v4(), Spot::Last).unwrap();
        assert_eq!(placement.key, Position::first());
        assert!(placement.respaced.is_empty());
    }

    /// Two thousand moves to the same spot: the order stays right, keys stay
    /// bounded, and a respacing now and then changes other keys.
    #[test]
    fn thousands_of_moves_to_one_spot_keep_order_and_bounded_keys() {
        let mut g = group(5);
        let anchor = g[0].0;
        let mut respacings = 0;
        for round in 0..2_000 {
            // Always the last item, moved right after the first.
            let moved = g.last().unwrap().0;
            let placement = place(&g, moved, Spot::After(anchor)).unwrap();
            if !placement.respaced.is_empty() {
                respacings += 1;
            }
            for (id, key) in &placement.respaced {
                g.iter_mut().find(|(i, _)| i == id).unwrap().1 = key.clone();
            }
            g.iter_mut().find(|(i, _)| *i == moved).unwrap().1 = placement.key;
            g.sort_by(|a, b| a.1.cmp(&b.1));
            assert_eq!(g[0].0, anchor, "round {round}");
            assert_eq!(g[1].0, moved, "round {round}");
            assert!(g.iter().all(|(_, k)| k.as_str().len() <= Position::MAX_LEN));
        }
        assert!(respacings > 0 && respacings < 100, "{respacings}");
    }

    #[test]
    fn equal_keys_left_by_a_race_are_respaced() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let key = Position::first();
        let g: Vec<(Uuid, Position)> = ids.iter().map(|id| (*id, key.clone())).collect();
        let moved = Uuid::new_v4();
        let placement = place(&g, moved, Spot::After(ids[0])).unwrap();
        assert!(!placement.respaced.is_empty());
        let mut keys: Vec<&Position> = placement.respaced.iter().map(|(_, k)| k).collect();
        keys.push(&placement.key);
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 4, "every key distinct after respacing");
    }
}

/// Random inserts between random neighbours: every key valid, distinct,
/// and the string order always the order of insertion into the sequence.
#[test]
fn random_inserts_keep_a_valid_strictly_increasing_sequence() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut keys = vec![Position::first()];
    for _ in 0..3_000 {
        let at = next(keys.len() + 1);
        let lower = at.checked_sub(1).map(|i| &keys[i]);
        let upper = keys.get(at);
        let key = Position::between(lower, upper).unwrap();
        assert_eq!(&Position::parse(key.as_str()).unwrap(), &key);
        keys.insert(at, key);
    }
    assert!(keys.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
}
