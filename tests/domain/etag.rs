//! Entity tags and the precondition lists they are compared with.
use taskforge::domain::etag::{etag, TagList};

#[test]
fn a_version_is_a_strong_tag() {
    assert_eq!(etag(3), "\"3\"");
}

#[test]
fn no_header_line_is_no_list_and_a_star_is_any() {
    assert_eq!(TagList::parse([]), None);
    assert_eq!(TagList::parse(["\"1\", *"]), Some(TagList::Any));
    assert_eq!(TagList::parse([""]), Some(TagList::Tags(Vec::new())));
}

#[test]
fn tags_of_every_line_count_together() {
    let tags = TagList::parse(["\"1\" , W/\"2\"", "\"3\""]).unwrap();
    assert_eq!(
        tags,
        TagList::Tags(vec!["\"1\"".into(), "W/\"2\"".into(), "\"3\"".into()])
    );
    assert!(tags.matches_strong(1) && tags.matches_strong(3));
    assert!(!tags.matches_strong(2), "a weak tag never matches strongly");
    assert!(tags.matches_weak(2));
    assert!(!tags.matches_weak(4));
    assert!(TagList::Any.matches_strong(9) && TagList::Any.matches_weak(9));
}
