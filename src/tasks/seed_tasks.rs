//! `cargo loco task seed_tasks user:<email> count:<n>`: many realistic tasks,
//! fast, for demos and benchmarks.
//!
//! Vars: `user` (required; the account is created when missing), `count`
//! (default 1000), `password` (for a new account; default
//! [`DEFAULT_PASSWORD`]), `name` (for a new account), `days` (how far back
//! `created_at` reaches; default 730), `seed` (PRNG seed; default 1),
//! `lists` (spread the tasks over the inbox and `lists - 1` more lists;
//! default 1), `labelled` (how many carry the label `label`, default
//! `seeded`, evenly spread; default 0): see `seed_organizing`.
//!
//! Rows go in as multi-row INSERTs of [`BATCH_ROWS`] rows, [`BATCHES_PER_TX`]
//! of them per transaction: one statement per thousand rows and one commit
//! per twenty thousand is what makes a million rows take seconds, not hours.
//! The content is deterministic for a given `seed`, except the ids.
//!
//! Seeded tasks look like a history the reminder pass has kept up with: a
//! notice whose time has passed is marked sent (at that time), so the first
//! pass after seeding does not mail a flood of stale reminders; notices
//! still in the future are pending as for any task.
use std::time::Instant;

use chrono::{DateTime, Duration, FixedOffset, SubsecRound, Utc};
use loco_rs::{
    app::AppContext,
    hash,
    task::{Task, TaskInfo, Vars},
    Error, Result,
};
use sea_orm::{ActiveValue, ConnectionTrait, DatabaseBackend, EntityTrait, TransactionTrait};
use uuid::Uuid;

use super::{
    seed_data::{text, XorShift},
    seed_organizing::Organizing,
};
use crate::{
    db::Db,
    domain::{
        account::{Email, Password, PersonName, ReminderLead, Timezone},
        listing::search_text,
        task::{DueDate, Priority, Status},
    },
    models::{
        _entities::task_labels,
        tasks::{self, remind_at},
        users,
    },
};

/// Password of an account the task creates when no `password:` is given.
pub const DEFAULT_PASSWORD: &str = "seed-password";
/// Rows per INSERT statement (16 columns: 16,000 bind parameters, under
/// SQLite's 32,766 and PostgreSQL's 65,535).
const BATCH_ROWS: usize = 1_000;
/// INSERT statements per transaction.
const BATCHES_PER_TX: usize = 20;
/// SQLite page cache of the seeding connection, in KiB. The task indexes are
/// mostly keyed by random values (ids, titles, due dates), so once they
/// outgrow the cache every row costs page reads; a large cache keeps a
/// million-row seed fast. It is the seeding process's memory only.
const SQLITE_SEED_CACHE_KIB: u32 = 512 * 1024;

pub struct SeedTasks;

#[async_trait::async_trait]
impl Task for SeedTasks {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "seed_tasks".to_string(),
            detail: format!(
                "Insert count:<n> realistic tasks for user:<email> (created if missing, \
                 password:<pw> default {DEFAULT_PASSWORD:?})"
            ),
        }
    }

    async fn run(&self, ctx: &AppContext, vars: &Vars) -> Result<()> {
        let email = Email::parse(vars.cli_arg("user")?).map_err(|m| bad_var("user", &m))?;
        let count = number_var(vars, "count", 1_000)?;
        let days = number_var(vars, "days", 730)?.max(1);
        let seed = number_var(vars, "seed", 1)?;

        let started = Instant::now();
        let user = find_or_create_user(ctx, vars, &email).await?;
        let mut rng = XorShift::new(seed as u64);
        let now = Utc::now().trunc_subsecs(6);
        let span = Duration::days(days as i64);
        let organizing =
            Organizing::prepare(&Db::from(ctx.db.clone()), user.id, vars, count).await?;
        let plan = Plan {
            owner_id: user.id,
            organizing,
            timezone: user.timezone(),
            lead: user.reminder_lead(),
            oldest: now - span,
            // Each task gets its own slot of the span, so `created_at` grows
            // with the row and is distinct whenever the slot is >= 1 µs.
            slot_micros: (span.num_microseconds().unwrap_or(i64::MAX) / count.max(1) as i64).max(1),
            now,
        };

        let mut inserted = 0usize;
        while inserted < count {
            let txn = ctx.db.begin().await?;
            if txn.get_database_backend() == DatabaseBackend::Sqlite {
                // Fewer, larger checkpoints: each page is written back once per
                // checkpoint, not once per thousand pages of WAL.
                txn.execute_unprepared(&format!(
                    "PRAGMA cache_size = -{SQLITE_SEED_CACHE_KIB}; PRAGMA wal_autocheckpoint = 25000"
                ))
                .await?;
            }
            for _ in 0..BATCHES_PER_TX {
                let rows = BATCH_ROWS.min(count - inserted);
                if rows == 0 {
                    break;
                }
                let batch: Vec<_> = (inserted..inserted + rows)
                    .map(|i| plan.task(i, &mut rng))
                    .collect();
                let labelled = plan.organizing.label_rows(&batch);
                tasks::Entity::insert_many(batch)
                    .exec_without_returning(&txn)
                    .await?;
                if !labelled.is_empty() {
                    task_labels::Entity::insert_many(labelled)
                        .exec_without_returning(&txn)
                        .await?;
                }
                inserted += rows;
            }
            txn.commit().await?;
            if inserted.is_multiple_of(100_000) || inserted == count {
                println!(
                    "  {inserted} / {count} tasks ({:.1} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "seeded {inserted} tasks for {} in {secs:.2} s ({:.0} rows/s)",
            user.email,
            inserted as f64 / secs.max(1e-9)
        );
        Ok(())
    }
}

fn bad_var(name: &str, message: &str) -> Error {
    Error::string(&format!("{name}: {message}"))
}

/// A non-negative integer var (underscores allowed: `count:1_000_000`).
pub(super) fn number_var(vars: &Vars, name: &str, default: usize) -> Result<usize> {
    vars.cli.get(name).map_or(Ok(default), |raw| {
        raw.replace('_', "")
            .parse()
            .map_err(|_| bad_var(name, "must be a non-negative integer"))
    })
}

async fn find_or_create_user(ctx: &AppContext, vars: &Vars, email: &Email) -> Result<users::Model> {
    if let Some(user) = users::Model::find_by_email(&Db::from(ctx.db.clone()), email).await? {
        println!("adding tasks to existing user {}", user.email);
        return Ok(user);
    }
    let password = vars
        .cli
        .get("password")
        .map_or(DEFAULT_PASSWORD, String::as_str);
    let password = Password::parse(password).map_err(|m| bad_var("password", &m))?;
    let name = vars.cli.get("name").map_or("Seed User", String::as_str);
    let name = PersonName::parse(name).map_err(|m| bad_var("name", &m))?;
    let user = users::Model::register(
        &Db::from(ctx.db.clone()),
        users::NewUser {
            name,
            email: email.clone(),
            password_hash: hash::hash_password(password.expose())?,
        },
    )
    .await
    .map_err(|e| Error::string(&e.to_string()))?;
    println!("created user {}", user.email);
    Ok(user)
}

/// What every generated task shares.
struct Plan {
    owner_id: i32,
    /// Which list each task goes to, and which carry the label.
    organizing: Organizing,
    timezone: Timezone,
    lead: ReminderLead,
    oldest: DateTime<Utc>,
    slot_micros: i64,
    now: DateTime<Utc>,
}

impl Plan {
    /// The `i`-th task: status about 50% incomplete, 20% in progress, 30%
    /// complete; priority 20/45/25/10% low/medium/high/urgent; 70% due
    /// (half a date, half an instant); 60% with a description.
    fn task(&self, i: usize, rng: &mut XorShift) -> tasks::ActiveModel {
        let created = self.oldest
            + Duration::microseconds(
                self.slot_micros * i as i64 + rng.below(self.slot_micros as u64) as i64,
            );
        let created = created.min(self.now);
        // Most tasks were touched again some time after creation.
        let updated = if rng.chance(60) {
            (created + Duration::seconds(rng.below(30 * 86_400) as i64)).min(self.now)
        } else {
            created
        };
        let status = match rng.below(100) {
            0..50 => Status::Incomplete,
            50..70 => Status::InProgress,
            _ => Status::Complete,
        };
        let priority = match rng.below(100) {
            0..20 => Priority::Low,
            20..65 => Priority::Medium,
            65..90 => Priority::High,
            _ => Priority::Urgent,
        };
        let due = rng.chance(70).then(|| {
            // From a week before creation to three months after, whole seconds.
            let at = (created - Duration::days(7)
                + Duration::seconds(rng.below(97 * 86_400) as i64))
            .trunc_subsecs(0);
            if rng.chance(50) {
                DueDate::Date(at.date_naive())
            } else {
                DueDate::At(at)
            }
        });
        let due_at = due.map(|d| d.due_at(self.timezone).fixed_offset());
        let remind_at = remind_at(due_at, self.lead);
        let now = fixed(self.now);
        let sent = |at: Option<DateTime<FixedOffset>>| at.filter(|at| *at <= now);
        let (list_pid, position) = self.organizing.place(i);
        let title = text::title(rng);
        let description = rng.chance(60).then(|| text::description(rng));
        tasks::ActiveModel {
            id: ActiveValue::NotSet,
            pid: ActiveValue::Set(Uuid::new_v4()),
            user_id: ActiveValue::Set(self.owner_id),
            list_pid: ActiveValue::Set(list_pid),
            parent_pid: ActiveValue::Set(None),
            position: ActiveValue::Set(position),
            label_count: ActiveValue::Set(i16::from(self.organizing.labelled(i))),
            search_text: ActiveValue::Set(search_text(&title, description.as_deref())),
            title: ActiveValue::Set(title),
            description: ActiveValue::Set(description),
            status: ActiveValue::Set(status.rank()),
            priority: ActiveValue::Set(priority.rank()),
            due_at: ActiveValue::Set(due_at),
            remind_at: ActiveValue::Set(remind_at),
            reminder_sent_at: ActiveValue::Set(sent(remind_at)),
            overdue_sent_at: ActiveValue::Set(sent(due_at)),
            due_on: ActiveValue::Set(due.and_then(DueDate::date)),
            completed_at: ActiveValue::Set((status == Status::Complete).then(|| fixed(updated))),
            version: ActiveValue::Set(1),
            created_at: ActiveValue::Set(fixed(created)),
            updated_at: ActiveValue::Set(fixed(updated)),
            recurrence_rule: ActiveValue::Set(None),
            recurrence_from: ActiveValue::Set(None),
            recurrence_done: ActiveValue::Set(0),
        }
    }
}

fn fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}
