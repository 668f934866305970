//! Placing moved items: a key between the new neighbours, or a window of
//! siblings respaced around them.
use taskforge::domain::position::{
    place, respace_window, window_sides, Placement, Position, Spot, RESPACED_MAX_LEN,
};
use uuid::Uuid;

fn key(raw: &str) -> Position {
    Position::parse(raw).unwrap()
}

/// `keys` with fresh ids.
fn with_ids(keys: impl IntoIterator<Item = Position>) -> Vec<(Uuid, Position)> {
    keys.into_iter().map(|key| (Uuid::new_v4(), key)).collect()
}

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

/// The keys of a window in sibling order once `placement` is applied: the
/// siblings below, the moved item, the siblings above.
fn window_keys(
    below: &[(Uuid, Position)],
    above: &[(Uuid, Position)],
    placement: &Placement,
) -> Vec<Position> {
    let renewed = |(id, key): &(Uuid, Position)| {
        let new = placement.respaced.iter().find(|(r, _)| r == id);
        new.map_or_else(|| key.clone(), |(_, k)| k.clone())
    };
    let mut keys: Vec<Position> = below.iter().map(renewed).collect();
    keys.push(placement.key.clone());
    keys.extend(above.iter().map(renewed));
    keys
}

/// Whether each key is before the next as a string.
fn increasing(keys: &[Position]) -> bool {
    keys.windows(2).all(|w| w[0].as_str() < w[1].as_str())
}

#[test]
fn a_window_with_equal_keys_comes_out_distinct_inside_its_bounds() {
    let (lower, upper) = (key("U"), key("X"));
    let below = with_ids([key("V"), key("V")]);
    let above = with_ids([key("V"), key("W")]);
    let placement = respace_window(&below, &above, Some(&lower), Some(&upper)).unwrap();
    let keys = window_keys(&below, &above, &placement);
    assert!(increasing(&keys), "{keys:?}");
    assert!(lower < keys[0] && keys[4] < upper, "{keys:?}");
    assert!(keys.iter().all(|k| k.as_str().len() <= RESPACED_MAX_LEN));
}

#[test]
fn a_window_at_either_end_of_the_group_uses_the_open_end() {
    let group = with_ids(Position::spread(10));
    // At the start: the moved item goes first, before four siblings.
    let (above, upper) = (&group[..4], &group[4].1);
    let placement = respace_window(&[], above, None, Some(upper)).unwrap();
    let keys = window_keys(&[], above, &placement);
    assert!(increasing(&keys) && keys[4] < *upper, "{keys:?}");
    // At the end: the moved item goes last, after four siblings.
    let (below, lower) = (&group[6..], &group[5].1);
    let placement = respace_window(below, &[], Some(lower), None).unwrap();
    let keys = window_keys(below, &[], &placement);
    assert!(increasing(&keys) && *lower < keys[0], "{keys:?}");
    // The whole group, both ends open.
    let (below, above) = group.split_at(5);
    let placement = respace_window(below, above, None, None).unwrap();
    assert!(increasing(&window_keys(below, above, &placement)));
}

#[test]
fn a_window_without_room_for_short_keys_is_refused() {
    let prefix = "abcdefghijklmnopqrstuvwxyz";
    let (lower, upper) = (key(&format!("{prefix}V")), key(&format!("{prefix}W")));
    let below = with_ids([key(&format!("{prefix}V1"))]);
    assert_eq!(
        respace_window(&below, &[], Some(&lower), Some(&upper)),
        None
    );
    let v = key("V");
    assert_eq!(respace_window(&[], &[], Some(&v), Some(&v)), None);
}

#[test]
fn a_window_reports_only_the_keys_that_change() {
    let (lower, upper) = (key("U"), key("X"));
    let spread = Position::spread_between(Some(&lower), Some(&upper), 3).unwrap();
    let (below, above) = (with_ids([spread[0].clone()]), with_ids([spread[2].clone()]));
    let placement = respace_window(&below, &above, Some(&lower), Some(&upper)).unwrap();
    assert_eq!(placement.key, spread[1]);
    assert!(placement.respaced.is_empty());
}

#[test]
fn windows_grow_fourfold_until_they_would_overflow() {
    let sides: Vec<usize> = window_sides().collect();
    assert_eq!(sides[..4], [4, 16, 64, 256]);
    assert!(sides.last().unwrap().checked_mul(4).is_none());
}

/// Two thousand moves right after the same item of a group of two
/// thousand: the order stays right, and the respaces that the growing key
/// calls for stay local (a few siblings each, not the group).
#[test]
fn thousands_of_moves_into_one_gap_of_a_large_group_respace_a_few_siblings() {
    let mut g = group(2_000);
    let anchor = g[700].0;
    let first_window = 2 * window_sides().next().unwrap();
    let (mut respaces, mut keys_changed) = (0, 0);
    for round in 0..2_000 {
        let (moved, _) = g.pop().unwrap();
        let placement = place(&g, moved, Spot::After(anchor)).unwrap();
        respaces += usize::from(!placement.respaced.is_empty());
        keys_changed += placement.respaced.len();
        assert!(placement.respaced.len() <= first_window, "round {round}");
        for (id, key) in placement.respaced {
            g.iter_mut().find(|(i, _)| *i == id).unwrap().1 = key;
        }
        let at = g.iter().position(|(id, _)| *id == anchor).unwrap() + 1;
        g.insert(at, (moved, placement.key));
        assert!(
            g.windows(2).all(|w| w[0].1.as_str() < w[1].1.as_str()),
            "round {round}"
        );
        assert!(g.iter().all(|(_, k)| !k.is_long()), "round {round}");
    }
    assert!(respaces > 0, "the gap never ran out");
    // Well under one key per move on average (a whole-group respace would
    // be 2,000 at once).
    assert!(
        keys_changed < 2_000,
        "{keys_changed} keys respaced in {respaces} respaces"
    );
}

#[test]
fn racing_appends_with_equal_keys_are_told_apart_in_a_small_window() {
    let mut g = group(1_000);
    let same = Position::between(Some(&g[999].1), None).unwrap();
    let racers = with_ids([same.clone(), same.clone(), same]);
    g.extend(racers.iter().cloned());
    let moved = g[10].0;
    let placement = place(&g, moved, Spot::After(racers[0].0)).unwrap();
    // The first window (four siblings each side) has room.
    assert!(placement.respaced.len() <= 8, "{placement:?}");
    let order = order_after(&g, moved, Spot::After(racers[0].0));
    let tail: Vec<Uuid> = racers.iter().map(|(id, _)| *id).collect();
    assert_eq!(order[order.len() - 4..], [tail[0], moved, tail[1], tail[2]]);
}

#[test]
fn a_group_of_equal_keys_is_respaced_whole() {
    let g = with_ids(vec![Position::first(); 50]);
    let moved = Uuid::new_v4();
    let placement = place(&g, moved, Spot::After(g[25].0)).unwrap();
    assert_eq!(placement.respaced.len(), 50, "every key changes");
    let mut keys: Vec<&Position> = placement.respaced.iter().map(|(_, k)| k).collect();
    keys.push(&placement.key);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 51);
}

/// Random items moved to random spots, most of them right after the same
/// item (so that gap runs out and windows are respaced): the keys always
/// sort in the order the spots ask for.
#[test]
fn random_moves_keep_the_order_the_spots_ask_for() {
    let mut next = super::rng(0x1234_5678_9abc_def1);
    let mut g = group(200);
    let anchor = g[100].0;
    let mut respaces = 0;
    for round in 0..3_000 {
        let from = super::below(&mut next, g.len());
        let moved = g[from].0;
        let target = g[super::below(&mut next, g.len())].0;
        let spot = match next() % 8 {
            0 => Spot::First,
            1 => Spot::Last,
            2 => Spot::After(target),
            3 => Spot::Before(target),
            _ => Spot::After(anchor),
        };
        let Some(placement) = place(&g, moved, spot) else {
            assert!(moved == target || moved == anchor, "round {round}");
            continue;
        };
        respaces += usize::from(!placement.respaced.is_empty());
        g.remove(from);
        for (id, key) in placement.respaced {
            g.iter_mut().find(|(i, _)| *i == id).unwrap().1 = key;
        }
        let index_of = |id: Uuid| g.iter().position(|(i, _)| *i == id).unwrap();
        let at = match spot {
            Spot::First => 0,
            Spot::Last => g.len(),
            Spot::After(target) => index_of(target) + 1,
            Spot::Before(target) => index_of(target),
        };
        g.insert(at, (moved, placement.key));
        assert!(
            g.windows(2).all(|w| w[0].1.as_str() < w[1].1.as_str()),
            "round {round}"
        );
    }
    assert!(respaces > 0, "no gap ran out");
}
