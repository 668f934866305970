use serde_json::json;
use taskforge::domain::cursor::Cursor;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

fn cursor() -> Cursor {
    Cursor {
        scope: "sort=-created_at".into(),
        key: vec![
            json!("2026-11-24T13:45:00.123456+00:00"),
            json!("8d4f7a5e-0000-4000-8000-000000000000"),
        ],
    }
}

#[test]
fn a_cursor_reads_back_for_its_own_scope() {
    let text = cursor().encode(KEY);
    assert_eq!(
        Cursor::decode(&text, "sort=-created_at", KEY),
        Some(cursor())
    );
}

#[test]
fn a_cursor_is_opaque_url_safe_text() {
    let text = cursor().encode(KEY);
    assert!(
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{text}"
    );
    assert!(!text.contains("2026"));
}

#[test]
fn a_cursor_for_another_scope_is_refused() {
    let text = cursor().encode(KEY);
    assert_eq!(Cursor::decode(&text, "sort=title", KEY), None);
}

#[test]
fn a_cursor_signed_with_another_key_is_refused() {
    let text = cursor().encode(b"another key entirely, 32 bytes!!");
    assert_eq!(Cursor::decode(&text, "sort=-created_at", KEY), None);
}

#[test]
fn every_single_character_edit_is_refused() {
    let text = cursor().encode(KEY);
    for i in 0..text.len() {
        let mut bytes = text.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(bytes).unwrap();
        if edited != text {
            assert_eq!(
                Cursor::decode(&edited, "sort=-created_at", KEY),
                None,
                "edit at {i}"
            );
        }
    }
}

#[test]
fn garbage_and_truncation_are_refused() {
    let text = cursor().encode(KEY);
    for bad in ["", "!!!", "AAAA", &text[..text.len() - 1], &text[..10]] {
        assert_eq!(Cursor::decode(bad, "sort=-created_at", KEY), None, "{bad}");
    }
}
