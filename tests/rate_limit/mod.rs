//! The limiter without HTTP: client addresses, keys, counting, pruning, settings.
use std::{
    net::{IpAddr, SocketAddr},
    path::Path,
    time::Duration,
};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderMap, HeaderValue},
};
use loco_rs::environment::Environment;
use serde_json::json;
use serial_test::serial;
use taskforge::{
    errors::ApiError,
    rate_limit::{client_ip, limit_key, RateLimits},
    settings::{Quota, RateLimitSettings, Settings},
};
use uuid::Uuid;

mod shared;

const SECRET: &str = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQ=";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// `client_ip` of a request from `peer` with these `X-Forwarded-For` lines.
fn client(peer: Option<&str>, forwarded: &[&str], trusted_proxies: usize) -> IpAddr {
    let mut headers = HeaderMap::new();
    for line in forwarded {
        headers.append("x-forwarded-for", HeaderValue::from_str(line).unwrap());
    }
    let mut extensions = Extensions::new();
    if let Some(peer) = peer {
        extensions.insert(ConnectInfo(SocketAddr::new(ip(peer), 40000)));
    }
    client_ip(&headers, &extensions, trusted_proxies)
}

fn limits(ip: u32, ip_email: u32, email: u32, user: u32) -> RateLimits {
    RateLimits::new(
        &RateLimitSettings {
            enabled: true,
            trusted_proxies: 0,
            auth_per_ip: Quota::new(ip, 3600),
            auth_per_ip_email: Quota::new(ip_email, 3600),
            auth_per_email: Quota::new(email, 3600),
            refresh_per_ip: Quota::new(ip, 3600),
            per_user: Quota::new(user, 3600),
            redis_url: String::new(),
        },
        b"test key",
    )
    .unwrap()
}

fn retry_after(result: Result<impl std::fmt::Debug, ApiError>) -> u64 {
    match result {
        Err(ApiError::RateLimited {
            retry_after_secs, ..
        }) => retry_after_secs,
        other => panic!("expected a 429, got {other:?}"),
    }
}

#[test]
fn without_trusted_proxies_the_socket_peer_is_the_client_and_the_header_is_ignored() {
    assert_eq!(
        client(Some("192.0.2.7"), &["203.0.113.1"], 0),
        ip("192.0.2.7")
    );
}

#[test]
fn behind_n_proxies_the_nth_forwarded_entry_from_the_right_is_the_client() {
    let forged_then_real = ["198.51.100.66, 203.0.113.1", "10.0.0.2"];
    assert_eq!(
        client(Some("10.0.0.3"), &forged_then_real, 1),
        ip("10.0.0.2")
    );
    assert_eq!(
        client(Some("10.0.0.3"), &forged_then_real, 2),
        ip("203.0.113.1")
    );
    assert_eq!(
        client(Some("10.0.0.3"), &["203.0.113.1:5000"], 1),
        ip("203.0.113.1")
    );
}

#[test]
fn a_short_header_gives_its_leftmost_entry_and_a_missing_or_bad_one_the_peer() {
    assert_eq!(
        client(Some("10.0.0.3"), &["203.0.113.1"], 3),
        ip("203.0.113.1")
    );
    assert_eq!(client(Some("10.0.0.3"), &[], 1), ip("10.0.0.3"));
    assert_eq!(client(Some("10.0.0.3"), &["not an ip"], 1), ip("10.0.0.3"));
    assert_eq!(client(None, &[], 0), ip("0.0.0.0"));
}

#[test]
fn ipv6_clients_are_keyed_by_their_64_prefix_and_mapped_ipv4_as_ipv4() {
    assert_eq!(
        limit_key(ip("2001:db8:1:2:aaaa::1")),
        limit_key(ip("2001:db8:1:2:bbbb::9"))
    );
    assert_ne!(
        limit_key(ip("2001:db8:1:2::1")),
        limit_key(ip("2001:db8:1:3::1"))
    );
    assert_eq!(limit_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    assert_eq!(client(Some("2001:db8::1"), &[], 0), ip("2001:db8::"));
}

#[tokio::test]
async fn an_email_is_one_key_whatever_its_case_and_surrounding_space() {
    let limits = limits(100, 2, 100, 100);
    let client = ip("192.0.2.7");
    limits.auth(client, Some("Ann@Example.com")).await.unwrap();
    limits
        .auth(client, Some(" ann@example.COM "))
        .await
        .unwrap();

    assert!(retry_after(limits.auth(client, Some("ann@example.com")).await) >= 1);
    assert!(limits.auth(client, Some("bob@example.com")).await.is_ok());
}

#[tokio::test]
async fn remaining_counts_down_and_reports_the_tightest_limit() {
    let limits = limits(10, 3, 5, 2);
    let client = ip("192.0.2.7");

    let first = limits.auth(client, Some("ann@example.com")).await.unwrap();
    let second = limits.auth(client, Some("ann@example.com")).await.unwrap();

    assert_eq!((first.limit, first.remaining), (3, 2));
    assert_eq!((second.limit, second.remaining), (3, 1));
    assert_eq!(second.window_secs, 3600);
    assert!(second.reset_secs >= 1 && second.reset_secs <= 2 * 1200);
    assert_eq!(limits.auth(client, None).await.unwrap().remaining, 7);
    assert_eq!(limits.user(Uuid::nil()).unwrap().remaining, 1);
}

#[tokio::test]
async fn a_refusal_per_client_and_email_spends_nothing_of_the_email_limit() {
    let limits = limits(100, 1, 2, 100);
    let email = Some("victim@example.com");
    limits.auth(ip("192.0.2.7"), email).await.unwrap();
    for _ in 0..5 {
        assert!(limits.auth(ip("192.0.2.7"), email).await.is_err());
    }

    assert!(limits.auth(ip("198.51.100.1"), email).await.is_ok());
}

#[tokio::test]
async fn pruning_forgets_keys_whose_bucket_is_full_again() {
    let settings = RateLimitSettings {
        per_user: Quota::new(1000, 1),
        ..RateLimitSettings::default()
    };
    let limits = RateLimits::new(&settings, b"test key").unwrap();
    limits.user(Uuid::new_v4()).unwrap();
    limits.user(Uuid::new_v4()).unwrap();
    limits.auth(ip("192.0.2.7"), None).await.unwrap();
    assert_eq!(limits.keys(), 3);

    std::thread::sleep(Duration::from_millis(20));
    limits.prune();

    assert_eq!(limits.keys(), 1, "the auth key (2 s per request) stays");
}

#[test]
fn rate_limit_settings_take_on_and_off_and_refuse_unknown_keys_and_zero() {
    let parse = |value: serde_json::Value| {
        Settings::from_config(Some(&json!({ "rate_limit": value }))).map(|s| s.rate_limit)
    };
    assert!(!parse(json!({"enabled": "off"})).unwrap().enabled);
    assert!(!parse(json!({"enabled": false})).unwrap().enabled);
    assert!(parse(json!({"enabled": "ON"})).unwrap().enabled);
    assert!(parse(json!({"enabled": "sometimes"})).is_err());
    assert!(parse(json!({"per_ip": {"requests": 1, "per_seconds": 1}})).is_err());

    let zero = parse(json!({"per_user": {"requests": 0, "per_seconds": 60}})).unwrap();
    assert!(RateLimits::new(&zero, b"test key").is_err());
}

#[test]
#[serial]
fn rate_limit_off_in_the_environment_switches_limits_off_in_production() {
    let saved: Vec<_> = ["JWT_SECRET", "RATE_LIMIT"]
        .iter()
        .map(|k| (*k, std::env::var(k).ok()))
        .collect();
    let enabled = |value: Option<&str>| {
        std::env::set_var("JWT_SECRET", SECRET);
        match value {
            Some(v) => std::env::set_var("RATE_LIMIT", v),
            None => std::env::remove_var("RATE_LIMIT"),
        }
        let config = Environment::Production
            .load_from_folder(Path::new("config"))
            .unwrap();
        Settings::from_config(config.settings.as_ref())
            .unwrap()
            .rate_limit
    };

    let off = enabled(Some("off"));
    let default = enabled(None);
    for (key, value) in saved {
        match value {
            Some(v) => std::env::set_var(key, v),
            None => std::env::remove_var(key),
        }
    }

    assert!(!off.enabled);
    assert!(default.enabled);
    assert_eq!(default.auth_per_ip, Quota::new(30, 60));
    assert_eq!(default.per_user, Quota::new(600, 60));
}
