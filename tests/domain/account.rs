//! Account value rules: Email, Password, PersonName, Timezone, ReminderLead.
use taskforge::domain::account::{Email, Password, PersonName, ReminderLead, Timezone};

/// An address of exactly `len` characters (193 or more): a 64-character
/// local part and a domain of three labels, the last one filling up.
fn email_of_length(len: usize) -> String {
    let address = format!(
        "{}@{}.{}.{}",
        "a".repeat(64),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(len - 193)
    );
    assert_eq!(address.chars().count(), len);
    address
}

#[test]
fn email_accepts_a_plain_address_as_typed() {
    let email = Email::parse("Ann.Lee+work@Example.COM").unwrap();

    assert_eq!(email.as_str(), "Ann.Lee+work@Example.COM");
}

#[test]
fn email_is_trimmed() {
    assert_eq!(
        Email::parse("  ann@example.com\t\n").unwrap().as_str(),
        "ann@example.com"
    );
}

#[test]
fn email_normalized_form_is_lower_case() {
    assert_eq!(
        Email::parse("Ann@Example.COM").unwrap().normalized(),
        "ann@example.com"
    );
}

#[test]
fn email_must_not_be_blank() {
    assert_eq!(Email::parse("").unwrap_err(), "must not be blank");
    assert_eq!(Email::parse("  \t ").unwrap_err(), "must not be blank");
}

#[test]
fn email_rejects_malformed_addresses() {
    for raw in [
        "ann",
        "ann@",
        "@example.com",
        "ann@@example.com",
        "ann example@example.com",
        "ann@exa mple.com",
        "ann@-example.com",
        "änn@example.com",
    ] {
        assert_eq!(
            Email::parse(raw).unwrap_err(),
            "must be a valid email address",
            "{raw:?} was accepted"
        );
    }
}

#[test]
fn email_allows_254_characters_and_not_255() {
    assert!(Email::parse(&email_of_length(254)).is_ok());
    assert!(Email::parse(&email_of_length(255)).is_err());
}

#[test]
fn email_local_part_is_at_most_64_characters() {
    assert!(Email::parse(&format!("{}@example.com", "a".repeat(64))).is_ok());
    assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
}

#[test]
fn password_allows_8_to_128_characters() {
    // Eight characters not on the common-password list ("aaaaaaaa" is).
    assert!(Password::parse("kq7vzx2m").is_ok());
    assert!(Password::parse(&"a".repeat(128)).is_ok());
}

#[test]
fn password_of_7_characters_is_too_short() {
    assert_eq!(
        Password::parse(&"a".repeat(7)).unwrap_err(),
        "must be at least 8 characters"
    );
    assert!(Password::parse("").is_err());
}

#[test]
fn password_of_129_characters_is_too_long() {
    assert_eq!(
        Password::parse(&"a".repeat(129)).unwrap_err(),
        "must be at most 128 characters"
    );
}

#[test]
fn password_counts_characters_not_bytes() {
    // 8 characters but 16 bytes; 7 characters but 28 bytes.
    assert!(Password::parse(&"é".repeat(8)).is_ok());
    assert!(Password::parse(&"🦀".repeat(7)).is_err());
    assert!(Password::parse(&"é".repeat(128)).is_ok());
    assert!(Password::parse(&"é".repeat(129)).is_err());
}

#[test]
fn password_is_kept_exactly_as_typed() {
    let password = Password::parse("  spaced out  ").unwrap();

    assert_eq!(password.expose(), "  spaced out  ");
}

#[test]
fn password_debug_output_hides_the_password() {
    let password = Password::parse("hunter2hunter2").unwrap();

    let shown = format!("{password:?}");

    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn name_is_trimmed() {
    assert_eq!(
        PersonName::parse("  Ann Lee \n").unwrap().into_inner(),
        "Ann Lee"
    );
}

#[test]
fn name_must_not_be_blank() {
    assert_eq!(PersonName::parse("").unwrap_err(), "must not be blank");
    assert_eq!(
        PersonName::parse(" \t\n ").unwrap_err(),
        "must not be blank"
    );
}

#[test]
fn name_allows_1_to_100_characters() {
    assert!(PersonName::parse("A").is_ok());
    assert!(PersonName::parse(&"a".repeat(100)).is_ok());
    assert_eq!(
        PersonName::parse(&"a".repeat(101)).unwrap_err(),
        "must be at most 100 characters"
    );
}

#[test]
fn name_counts_characters_not_bytes_after_trimming() {
    assert!(PersonName::parse(&"ü".repeat(100)).is_ok());
    assert!(PersonName::parse(&"ü".repeat(101)).is_err());
    assert!(PersonName::parse(&format!("   {}   ", "a".repeat(100))).is_ok());
}

#[test]
fn timezone_accepts_iana_names() {
    for name in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"] {
        assert_eq!(Timezone::parse(name).unwrap().name(), name);
    }
}

#[test]
fn timezone_rejects_unknown_names() {
    for raw in ["", "Mars/Olympus_Mons", "Europe/Berlinn", "+02:00", "CEST"] {
        assert_eq!(
            Timezone::parse(raw).unwrap_err(),
            "must be an IANA timezone name such as Europe/Berlin",
            "{raw:?} was accepted"
        );
    }
}

#[test]
fn stored_timezone_falls_back_to_utc_when_unknown() {
    assert_eq!(Timezone::from_stored("Nowhere/Special").name(), "UTC");
    assert_eq!(Timezone::from_stored("Asia/Tokyo").name(), "Asia/Tokyo");
}

#[test]
fn reminder_lead_allows_0_to_10080_minutes() {
    assert_eq!(ReminderLead::parse(0).unwrap().minutes(), 0);
    assert_eq!(ReminderLead::parse(10_080).unwrap().minutes(), 10_080);
}

#[test]
fn reminder_lead_rejects_values_outside_the_range() {
    for minutes in [-1, 10_081, i64::MIN, i64::MAX] {
        assert_eq!(
            ReminderLead::parse(minutes).unwrap_err(),
            "must be between 0 and 10080",
            "{minutes} was accepted"
        );
    }
}

#[test]
fn password_hashing_keeps_half_the_cores_free_by_default() {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let permits = taskforge::security::default_hash_concurrency();
    assert!(permits >= 1);
    assert!(
        permits * 2 <= cores.max(2),
        "{permits} permits on {cores} cores"
    );
}

/// A hash whose request is cancelled keeps its permit until it ends, so
/// abandoned logins can never run more hashes at once than the permits allow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_hash_keeps_its_permit_until_it_ends() {
    use std::time::Duration;

    let passwords = taskforge::security::Passwords::new(1).unwrap();
    assert_eq!(passwords.free_permits(), 1);
    // Give the hash time to start on the blocking pool, then give up on it.
    let cancelled =
        tokio::time::timeout(Duration::from_millis(5), passwords.verify("pw", None)).await;
    assert!(
        cancelled.is_err(),
        "a full Argon2 verification takes longer"
    );
    assert_eq!(
        passwords.free_permits(),
        0,
        "the abandoned hash still runs and still holds the permit"
    );
    // Once it has ended, the permit is free again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while passwords.free_permits() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the permit never came back"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // And the next verification runs normally.
    assert!(!passwords.verify("pw", None).await.unwrap());
}
