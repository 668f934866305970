//! The shipped configuration files: production needs only JWT_SECRET.
use std::path::Path;

use loco_rs::environment::Environment;
use serial_test::serial;
use taskforge::settings::{check_jwt_secret, Settings};

const PRODUCTION_VARS: &[&str] = &[
    "JWT_SECRET",
    "SMTP_HOST",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "DATABASE_URL",
    "PORT",
    "REDIS_URL",
    "REMINDER_SCHEDULE",
    "DB_MAX_CONNECTIONS",
    "PURGE_SCHEDULE",
    "QUOTA_TASKS",
    "NOTIFICATION_RETENTION_DAYS",
    "SHUTDOWN_TIMEOUT",
];

/// Runs `f` with exactly `vars` set among the production variables.
fn with_env<T>(vars: &[(&str, &str)], f: impl FnOnce() -> T) -> T {
    let saved: Vec<_> = PRODUCTION_VARS
        .iter()
        .map(|k| (*k, std::env::var(k).ok()))
        .collect();
    for key in PRODUCTION_VARS {
        std::env::remove_var(key);
    }
    for (key, value) in vars {
        std::env::set_var(key, value);
    }
    let result = f();
    for (key, value) in saved {
        match value {
            Some(v) => std::env::set_var(key, v),
            None => std::env::remove_var(key),
        }
    }
    result
}

fn production() -> loco_rs::Result<loco_rs::config::Config> {
    Environment::Production.load_from_folder(Path::new("config"))
}

const SECRET: &str = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";

#[test]
#[serial]
fn production_refuses_to_load_without_jwt_secret() {
    let loaded = with_env(&[], production);
    assert!(loaded.is_err());
}

#[test]
#[serial]
fn production_loads_with_only_jwt_secret_and_skips_mail() {
    let config = with_env(&[("JWT_SECRET", SECRET)], production).unwrap();

    assert_eq!(config.server.port, 5150);
    assert!(config.database.uri.starts_with("sqlite://"));
    let smtp = config
        .mailer
        .as_ref()
        .and_then(|m| m.smtp.as_ref())
        .unwrap();
    assert!(!smtp.enable);
    assert!(smtp.auth.is_none());
    assert_eq!(config.get_jwt_config().unwrap().expiration, 900);
    assert!(Settings::from_config(config.settings.as_ref()).is_ok());
}

#[test]
#[serial]
fn production_reads_port_database_and_smtp_from_the_environment() {
    let config = with_env(
        &[
            ("JWT_SECRET", SECRET),
            ("PORT", "8080"),
            ("DATABASE_URL", "postgres://db/taskforge"),
            ("SMTP_HOST", "smtp.example.com"),
            ("SMTP_USER", "mailer"),
            ("SMTP_PASSWORD", "p@ss: \"word\" #1"),
        ],
        production,
    )
    .unwrap();

    assert_eq!(config.server.port, 8080);
    assert_eq!(config.database.uri, "postgres://db/taskforge");
    let smtp = config
        .mailer
        .as_ref()
        .and_then(|m| m.smtp.as_ref())
        .unwrap();
    assert!(smtp.enable);
    assert_eq!(smtp.host, "smtp.example.com");
    let auth = smtp.auth.as_ref().unwrap();
    assert_eq!(auth.user, "mailer");
    assert_eq!(auth.password, "p@ss: \"word\" #1");
}

#[test]
fn jwt_secret_must_be_base64_of_at_least_32_bytes() {
    assert!(check_jwt_secret(SECRET).is_ok());
    assert!(check_jwt_secret("c2hvcnQ=").is_err());
    assert!(check_jwt_secret("not base64 at all!").is_err());
    assert!(check_jwt_secret("").is_err());
}

#[test]
fn unknown_settings_keys_are_refused() {
    let bad = serde_json::json!({"refresh_token_ttl": 5});
    assert!(Settings::from_config(Some(&bad)).is_err());
    assert_eq!(
        Settings::from_config(None)
            .unwrap()
            .refresh_token_ttl_seconds,
        30 * 24 * 3600
    );
}

#[test]
#[serial]
fn the_queue_follows_redis_then_postgres_then_sqlite() {
    let kind = |vars: &[(&str, &str)]| {
        let mut all = vec![("JWT_SECRET", SECRET)];
        all.extend_from_slice(vars);
        let config = with_env(&all, production).unwrap();
        serde_json::to_value(config.queue.unwrap()).unwrap()["kind"].clone()
    };

    assert_eq!(kind(&[]), "Sqlite");
    assert_eq!(
        kind(&[("DATABASE_URL", "postgres://db/taskforge")]),
        "Postgres"
    );
    assert_eq!(
        kind(&[
            ("DATABASE_URL", "postgres://db/taskforge"),
            ("REDIS_URL", "redis://127.0.0.1:6379")
        ]),
        "Redis"
    );
}

#[test]
#[serial]
fn production_schedules_the_reminder_pass_every_minute() {
    let config = with_env(&[("JWT_SECRET", SECRET)], production).unwrap();
    let scheduler = serde_json::to_value(config.scheduler.unwrap()).unwrap();

    assert_eq!(scheduler["jobs"]["send_reminders"]["run"], "send_reminders");
    assert_eq!(
        scheduler["jobs"]["send_reminders"]["schedule"],
        "every 1 minute"
    );
}

#[test]
#[serial]
fn a_cron_schedule_and_an_empty_smtp_host_still_load() {
    let config = with_env(
        &[
            ("JWT_SECRET", SECRET),
            ("REMINDER_SCHEDULE", "*/5 * * * * *"),
            ("SMTP_HOST", ""),
        ],
        production,
    )
    .unwrap();
    let scheduler = serde_json::to_value(config.scheduler.unwrap()).unwrap();
    assert_eq!(
        scheduler["jobs"]["send_reminders"]["schedule"],
        "*/5 * * * * *"
    );
    let smtp = config.mailer.unwrap().smtp.unwrap();
    assert!(!smtp.enable);
    assert_eq!(smtp.host, "localhost");
}

#[test]
#[serial]
fn sqlite_pools_four_connections_and_postgres_ten_unless_told() {
    let sqlite = with_env(&[("JWT_SECRET", SECRET)], production).unwrap();
    assert_eq!(sqlite.database.max_connections, 4);

    let postgres = with_env(
        &[("JWT_SECRET", SECRET), ("DATABASE_URL", "postgres://db/t")],
        production,
    )
    .unwrap();
    assert_eq!(postgres.database.max_connections, 10);

    let told = with_env(
        &[("JWT_SECRET", SECRET), ("DB_MAX_CONNECTIONS", "7")],
        production,
    )
    .unwrap();
    assert_eq!(told.database.max_connections, 7);
}

#[test]
#[serial]
fn the_sqlite_page_cache_is_1_mib_per_connection_unless_told_and_never_0() {
    let cache = |vars: &[(&str, &str)]| {
        let config = with_env(vars, production).unwrap();
        Settings::from_config(config.settings.as_ref()).map(|s| s.sqlite_cache_kib.get())
    };
    assert_eq!(cache(&[("JWT_SECRET", SECRET)]).unwrap(), 1024);
    assert_eq!(
        cache(&[("JWT_SECRET", SECRET), ("SQLITE_CACHE_KIB", "8192")]).unwrap(),
        8192
    );
    let zero = serde_json::json!({"sqlite_cache_kib": 0});
    assert!(Settings::from_config(Some(&zero)).is_err());
}

#[test]
fn an_operators_own_mmap_threshold_wins_over_the_built_in_one() {
    use taskforge::initializers::memory::tuned_by_operator;
    assert!(!tuned_by_operator(false, None));
    assert!(tuned_by_operator(true, None));
    assert!(tuned_by_operator(
        false,
        Some("glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=4194304")
    ));
    assert!(!tuned_by_operator(false, Some("glibc.malloc.arena_max=2")));
}

#[test]
fn mimalloc_keeps_off_huge_pages_and_leaves_large_buffers_to_the_os() {
    use taskforge::initializers::memory::{
        huge_pages_disabled, mimalloc_option, tune_mimalloc, MimallocOption,
    };
    assert!(std::env::var_os("MIMALLOC_ALLOW_THP").is_none());
    assert!(std::env::var_os("MIMALLOC_ARENA_MAX_OBJECT_SIZE").is_none());
    assert!(std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none());
    // mimalloc's own defaults: huge pages allowed, 2 GiB objects in arenas,
    // arenas committed whole where the OS overcommits (2).
    assert_eq!(mimalloc_option(MimallocOption::AllowThp), 1);
    assert_eq!(
        mimalloc_option(MimallocOption::ArenaMaxObjectKib),
        2 * 1024 * 1024
    );
    assert_eq!(mimalloc_option(MimallocOption::ArenaEagerCommit), 2);

    assert!(!huge_pages_disabled());

    tune_mimalloc();

    assert!(huge_pages_disabled());
    assert_eq!(mimalloc_option(MimallocOption::AllowThp), 0);
    assert_eq!(mimalloc_option(MimallocOption::ArenaMaxObjectKib), 1024);
    assert_eq!(mimalloc_option(MimallocOption::ArenaEagerCommit), 0);
}

#[test]
fn the_cursor_key_is_derived_from_the_jwt_secret_not_the_secret_itself() {
    let secret =
        taskforge::settings::check_jwt_secret("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==")
            .unwrap();

    let key = taskforge::settings::cursor_key(&secret);

    assert_eq!(key.len(), 32);
    assert_ne!(key, secret);
    assert!(!secret.windows(16).any(|w| key.windows(16).any(|k| k == w)));
    assert_eq!(
        key,
        taskforge::settings::cursor_key(&secret),
        "deterministic"
    );
    assert_ne!(
        key,
        taskforge::settings::derive_key(&secret, b"another purpose")
    );
}

#[test]
#[serial]
fn production_schedules_the_retention_purge_daily_unless_told() {
    let config = with_env(&[("JWT_SECRET", SECRET)], production).unwrap();
    let scheduler = serde_json::to_value(config.scheduler.unwrap()).unwrap();
    assert_eq!(scheduler["jobs"]["purge"]["run"], "purge");
    assert_eq!(scheduler["jobs"]["purge"]["schedule"], "0 17 3 * * *");

    let config = with_env(
        &[("JWT_SECRET", SECRET), ("PURGE_SCHEDULE", "0 0 * * * *")],
        production,
    )
    .unwrap();
    let scheduler = serde_json::to_value(config.scheduler.unwrap()).unwrap();
    assert_eq!(scheduler["jobs"]["purge"]["schedule"], "0 0 * * * *");
}

#[test]
#[serial]
fn quotas_and_retention_come_from_the_environment_with_the_contracts_defaults() {
    let defaults = with_env(&[("JWT_SECRET", SECRET)], production).unwrap();
    let defaults = Settings::from_config(defaults.settings.as_ref()).unwrap();
    assert_eq!(defaults.quotas.tasks, 100_000);
    assert_eq!(defaults.retention.notification_days, 90);

    let told = with_env(
        &[
            ("JWT_SECRET", SECRET),
            ("QUOTA_TASKS", "250"),
            ("NOTIFICATION_RETENTION_DAYS", "7"),
        ],
        production,
    )
    .unwrap();
    let told = Settings::from_config(told.settings.as_ref()).unwrap();
    assert_eq!(told.quotas.tasks, 250);
    assert_eq!(told.retention.notification_days, 7);
}

#[test]
#[serial]
fn a_stalled_job_is_requeued_by_the_reaper_and_shutdown_is_bounded() {
    for vars in [
        vec![("JWT_SECRET", SECRET)],
        vec![
            ("JWT_SECRET", SECRET),
            ("DATABASE_URL", "postgres://db/taskforge"),
        ],
        vec![
            ("JWT_SECRET", SECRET),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
        ],
    ] {
        let config = with_env(&vars, production).unwrap();
        let queue = serde_json::to_value(config.queue.unwrap()).unwrap();
        assert_eq!(queue["reaper"]["age_minutes"], 10, "{vars:?}");
    }
    let config = with_env(&[("JWT_SECRET", SECRET)], production).unwrap();
    let settings = Settings::from_config(config.settings.as_ref()).unwrap();
    assert_eq!(settings.timeouts.shutdown_seconds, 30);
    let config = with_env(
        &[("JWT_SECRET", SECRET), ("SHUTDOWN_TIMEOUT", "5")],
        production,
    )
    .unwrap();
    let settings = Settings::from_config(config.settings.as_ref()).unwrap();
    assert_eq!(settings.timeouts.shutdown_seconds, 5);
}
