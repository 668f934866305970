use taskforge::domain::organizing::{Color, LabelName, ListName};

#[test]
fn list_names_are_trimmed_and_keyed_ignoring_case() {
    let name = ListName::parse("  Ünterwegs Shopping \n").unwrap();
    assert_eq!(name.as_str(), "Ünterwegs Shopping");
    assert_eq!(name.key(), "ünterwegs shopping");
    assert_eq!(
        name.key(),
        ListName::parse("ÜNTERWEGS shopping").unwrap().key()
    );
}

#[test]
fn list_names_are_1_to_100_characters() {
    assert!(ListName::parse("").is_err());
    assert!(ListName::parse(" \t ").is_err());
    assert!(ListName::parse(&"é".repeat(100)).is_ok());
    assert!(ListName::parse(&"é".repeat(101)).is_err());
    assert!(
        ListName::parse("a, b and c").is_ok(),
        "commas are fine in list names"
    );
}

#[test]
fn label_names_are_1_to_60_characters_without_commas() {
    assert_eq!(LabelName::parse(" errand ").unwrap().as_str(), "errand");
    assert!(LabelName::parse(&"x".repeat(60)).is_ok());
    assert!(LabelName::parse(&"x".repeat(61)).is_err());
    assert!(LabelName::parse("").is_err());
    let comma = LabelName::parse("home,work").unwrap_err();
    assert!(comma.contains("','"), "{comma}");
    assert_eq!(
        LabelName::parse("Home").unwrap().key(),
        LabelName::parse("hOME").unwrap().key()
    );
}

#[test]
fn colours_are_hash_and_six_hex_digits_returned_in_lower_case() {
    assert_eq!(Color::parse("#1E90fF").unwrap().as_str(), "#1e90ff");
    for bad in [
        "",
        "1e90ff",
        "#1e90f",
        "#1e90ffa",
        "#1e90fg",
        "#１e90ff",
        "red",
    ] {
        assert!(Color::parse(bad).is_err(), "{bad:?}");
    }
}
