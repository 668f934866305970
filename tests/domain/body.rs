use serde_json::{json, Value};

use taskforge::domain::body::*;

fn body(value: Value, allowed: &[&str]) -> Body {
    let Value::Object(map) = value else {
        unreachable!()
    };
    Body::new(map, allowed, READ_ONLY_FIELDS)
}

#[test]
fn unknown_fields_are_errors_and_read_only_fields_are_not() {
    let b = body(json!({"a": 1, "zz": 2, "id": "x", "user_id": 3}), &["a"]);
    let fields: Vec<_> = b
        .errors
        .as_slice()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, vec!["user_id", "zz"]);
}

#[test]
fn patch_tells_absent_null_and_value_apart() {
    let mut b = body(json!({"n": null, "v": "x"}), &["n", "v", "a"]);
    assert_eq!(b.patch("a", true, |s| Ok(s.to_string())), Patch::Absent);
    assert_eq!(b.patch("n", true, |s| Ok(s.to_string())), Patch::Null);
    assert_eq!(
        b.patch("v", true, |s| Ok(s.to_string())),
        Patch::Value("x".to_string())
    );
    assert!(b.finish().is_ok());
}

#[test]
fn null_on_a_non_nullable_field_is_an_error() {
    let mut b = body(json!({"t": null}), &["t"]);
    assert_eq!(b.patch("t", false, |s| Ok(s.to_string())), Patch::Absent);
    assert_eq!(b.errors.as_slice()[0].message, "must not be null");
}

#[test]
fn wrong_json_types_are_errors() {
    let mut b = body(
        json!({"s": 5, "i": "5", "f": 1.5, "b": "yes"}),
        &["s", "i", "f", "b"],
    );
    b.patch("s", true, |s| Ok(s.to_string()));
    b.patch_int("i", Ok);
    b.patch_int("f", Ok);
    b.flag("b");
    assert_eq!(b.errors.as_slice().len(), 4);
}

#[test]
fn required_reports_missing_fields() {
    let mut b = body(json!({}), &["t"]);
    assert_eq!(b.required("t", |s| Ok(s.to_string())), None);
    assert_eq!(b.errors.as_slice()[0].message, "is required");
}

#[test]
fn an_integral_float_is_an_integer() {
    let mut b = body(json!({"i": 90.0, "j": 1e300}), &["i", "j"]);
    assert_eq!(b.patch_int("i", Ok), Patch::Value(90));
    assert_eq!(b.patch_int("j", Ok), Patch::Absent);
    assert_eq!(b.errors.as_slice()[0].message, "must be an integer");
}

#[test]
fn a_whole_value_is_the_patch_that_sets_it() {
    assert_eq!(Patch::from(Some(3)), Patch::Value(3));
    assert_eq!(Patch::<i32>::from(None), Patch::Null);
    assert_eq!(Patch::<i32>::default(), Patch::Absent);
}

#[test]
fn applying_a_patch_field_sets_clears_or_leaves() {
    let mut target = Some("old".to_string());
    Patch::<&str>::Absent.apply_to(&mut target, |v| (*v).to_string());
    assert_eq!(target.as_deref(), Some("old"));
    Patch::Value("new").apply_to(&mut target, |v| (*v).to_string());
    assert_eq!(target.as_deref(), Some("new"));
    Patch::<&str>::Null.apply_to(&mut target, |v| (*v).to_string());
    assert_eq!(target, None);
}
