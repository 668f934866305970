//! `Idempotency-Key` on `POST /tasks`: performed once per user and key for 24
//! hours; a retry with the same body gets the first response, another body 409.
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter, SqlErr,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use super::_entities::idempotency_keys::{ActiveModel, Column, Entity, Model};
use super::{
    tasks::{self, TaskInput},
    users::{self, now},
};
use crate::{db::Db, errors::ApiError};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// How long a key is remembered.
#[must_use]
pub fn ttl() -> Duration {
    Duration::hours(24)
}

/// The fingerprint of a request body: SHA-256 of its canonical JSON (keys sorted).
#[must_use]
pub fn request_hash(body: &Map<String, Value>) -> String {
    let canonical = serde_json::to_string(body).unwrap_or_default();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The response of an idempotent create, first time or replayed.
#[derive(Debug, Clone)]
pub struct Created {
    pub status: u16,
    pub body: String,
    pub task_pid: Uuid,
    pub replayed: bool,
}

impl Created {
    /// The answer to a create that carried no key.
    #[must_use]
    pub fn first(task: &tasks::Shown, body: String) -> Self {
        Self {
            status: 201,
            body,
            task_pid: task.task.pid,
            replayed: false,
        }
    }
}

fn replay(previous: Model, hash: &str) -> Result<Created, ApiError> {
    if previous.request_hash != hash {
        return Err(ApiError::IdempotencyConflict);
    }
    Ok(Created {
        status: u16::try_from(previous.response_status).unwrap_or(201),
        body: previous.response_body,
        task_pid: previous.task_pid,
        replayed: true,
    })
}

async fn find_live(db: &Db, user_id: i32, key: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Key.eq(key))
        .filter(Column::CreatedAt.gt(now() - ttl()))
        .one(db)
        .await
}

/// Creates the task once per (owner, key): the task and the remembered
/// response are written in one transaction, and a concurrent request with the
/// same key loses on the unique (owner, key) index and replays the winner.
///
/// # Errors
/// [`ApiError::IdempotencyConflict`] when the key was used with another body;
/// [`ApiError::QuotaExceeded`] (nothing remembered: a retry after a delete
/// can succeed); database errors.
pub async fn create_task(
    db: &Db,
    owner: &users::Model,
    key: &str,
    hash: &str,
    input: TaskInput,
    limits: tasks::Limits,
    render: impl Fn(&tasks::Shown) -> String,
) -> Result<Created, ApiError> {
    if let Some(previous) = find_live(db, owner.id, key).await? {
        return replay(previous, hash);
    }
    // The clean-up and the writes in one transaction (on SQLite it holds
    // the write turn, which the request path's writer waits for).
    let txn = db.begin().await?;
    Entity::delete_many()
        .filter(Column::UserId.eq(owner.id))
        .filter(Column::Key.eq(key))
        .filter(Column::CreatedAt.lte(now() - ttl()))
        .exec(&txn)
        .await?;
    let shown = tasks::Model::create_for_owner(&txn, owner, input, limits).await?;
    let body = render(&shown);
    let task = shown.task;
    let remembered = ActiveModel {
        user_id: ActiveValue::Set(owner.id),
        key: ActiveValue::Set(key.to_string()),
        request_hash: ActiveValue::Set(hash.to_string()),
        response_status: ActiveValue::Set(201),
        response_body: ActiveValue::Set(body.clone()),
        task_pid: ActiveValue::Set(task.pid),
        created_at: ActiveValue::Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match remembered {
        Ok(_) => {
            txn.commit().await?;
            Ok(Created {
                status: 201,
                body,
                task_pid: task.pid,
                replayed: false,
            })
        }
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            let winner = find_live(db, owner.id, key)
                .await?
                .ok_or_else(|| ApiError::internal("idempotency key vanished"))?;
            replay(winner, hash)
        }
        Err(err) => Err(err.into()),
    }
}
