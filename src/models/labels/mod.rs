//! Labels (contract, organizing.md): every query is scoped to its owner;
//! another user's label does not exist. A label's name is stored once, here;
//! tasks carry labels by id (`task_labels`). Every write takes the owner's
//! lock ([`super::owner::lock_owner`]) in a transaction, so the quota and
//! the unique names hold under concurrent writes, labels made by task bodies
//! included. The parts: `changes` (the request shapes), `tagging` (the
//! labels of tasks).
mod changes;
mod tagging;

pub use changes::{LabelInput, LabelPatch};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveModelTrait, ActiveValue, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
pub use tagging::{ensure, filter_ids, names_of, replace_on_task};
use uuid::Uuid;

pub use super::_entities::labels::{self, ActiveModel, Column, Entity, Model};
use super::{
    _entities::{task_labels, tasks},
    owner::{lock_owner, name_taken},
    users::now,
};
use crate::{
    db::Db,
    domain::{etag::TagList, organizing::LabelName},
    errors::ApiError,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// One page of `GET /labels`.
#[derive(Debug, Clone)]
pub struct LabelQuery {
    pub limit: u64,
    /// The `(name key, id)` of the last label of the previous page.
    pub after: Option<(String, Uuid)>,
}

impl Model {
    /// The label `pid` of `owner_id`.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when it does not exist or belongs to someone else.
    pub async fn find_for_owner(db: &Db, owner_id: i32, pid: Uuid) -> Result<Self, ApiError> {
        Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// A new label of `owner_id`; at most `limit` labels.
    ///
    /// # Errors
    /// [`ApiError::QuotaExceeded`]; [`ApiError::NameTaken`] when the owner
    /// has a label of that name ignoring case; database errors.
    pub async fn create_for_owner(
        db: &Db,
        owner_id: i32,
        input: LabelInput,
        limit: u32,
    ) -> Result<Self, ApiError> {
        let txn = db.begin().await?;
        lock_owner(&txn, owner_id).await?;
        within_quota(&txn, owner_id, 1, limit).await?;
        name_is_free(&txn, owner_id, &input.name, None).await?;
        let label = insert(
            &txn,
            owner_id,
            &input.name,
            input.color.map(|c| c.as_str().to_string()),
        )
        .await?;
        txn.commit().await?;
        Ok(label)
    }

    /// Applies `patch` to the label `pid` of `owner_id`. A rename is a
    /// change of every task that carries the label: each gets a new version
    /// and `updated_at`, in the same transaction.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`] on a stale
    /// `if_match`; [`ApiError::NameTaken`]; database errors.
    pub async fn update_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        patch: &LabelPatch,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        let (txn, current) = locked(db, owner_id, pid, if_match).await?;
        let at = now();
        let mut label = ActiveModel {
            id: ActiveValue::Unchanged(current.id),
            version: ActiveValue::Set(current.version + 1),
            updated_at: ActiveValue::Set(at),
            ..Default::default()
        };
        if let Some(name) = &patch.name {
            name_is_free(&txn, owner_id, name, Some(current.id)).await?;
            if name.as_str() != current.name {
                touch_carriers(&txn, owner_id, current.id, at, false).await?;
            }
            label.name = ActiveValue::Set(name.as_str().to_string());
            label.name_key = ActiveValue::Set(name.key());
        }
        let mut color = current.color.clone();
        patch.color.apply_to(&mut color, |c| c.as_str().to_string());
        label.color = ActiveValue::Set(color);
        let label = label.update(&txn).await.map_err(name_taken("label"))?;
        txn.commit().await?;
        Ok(label)
    }

    /// Deletes the label `pid` of `owner_id` and takes it off every task
    /// that carried it (each gets a new version and `updated_at`), in one
    /// transaction.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`]; database errors.
    pub async fn delete_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        if_match: Option<&TagList>,
    ) -> Result<(), ApiError> {
        let (txn, current) = locked(db, owner_id, pid, if_match).await?;
        touch_carriers(&txn, owner_id, current.id, now(), true).await?;
        // The label's `task_labels` rows go with it (ON DELETE CASCADE).
        Entity::delete_by_id(current.id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// One page of the owner's labels by name ignoring case, and whether
    /// more follow.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_for_owner(
        db: &Db,
        owner_id: i32,
        query: &LabelQuery,
    ) -> Result<(Vec<Self>, bool), ApiError> {
        // `name_key` compares bytes on both databases (`COLLATE "C"` on
        // PostgreSQL, whose default collation may be linguistic): the order
        // a task shows its labels in, read off `(user_id, name_key)`.
        let mut select = Entity::find().filter(Column::UserId.eq(owner_id));
        if let Some((key, pid)) = &query.after {
            let at = Expr::tuple([Expr::col(Column::NameKey), Expr::col(Column::Pid)]);
            select = select.filter(at.gt(Expr::tuple([Expr::val(key.clone()), Expr::val(*pid)])));
        }
        let mut rows = select
            .order_by_asc(Column::NameKey)
            .order_by_asc(Column::Pid)
            .limit(query.limit + 1)
            .all(db)
            .await?;
        let more = rows.len() as u64 > query.limit;
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }
}

/// A transaction holding the owner's lock, and the label `pid` of
/// `owner_id` read in it, at the version `if_match` names (when given).
async fn locked(
    db: &Db,
    owner_id: i32,
    pid: Uuid,
    if_match: Option<&TagList>,
) -> Result<(Db, Model), ApiError> {
    let txn = db.begin().await?;
    lock_owner(&txn, owner_id).await?;
    let current = Model::find_for_owner(&txn, owner_id, pid).await?;
    if if_match.is_some_and(|tags| !tags.matches_strong(current.version)) {
        return Err(ApiError::PreconditionFailed);
    }
    Ok((txn, current))
}

/// 403 when `owner_id` cannot own `more` labels more.
async fn within_quota(txn: &Db, owner_id: i32, more: u64, limit: u32) -> Result<(), ApiError> {
    let owned = Entity::find()
        .filter(Column::UserId.eq(owner_id))
        .count(txn)
        .await?;
    if owned + more > u64::from(limit) {
        return Err(ApiError::QuotaExceeded {
            resource: "labels",
            limit,
        });
    }
    Ok(())
}

/// A new label row (the caller holds the owner's lock and checked the name).
async fn insert(
    txn: &Db,
    owner_id: i32,
    name: &LabelName,
    color: Option<String>,
) -> Result<Model, ApiError> {
    let at = now();
    ActiveModel {
        pid: ActiveValue::Set(Uuid::new_v4()),
        user_id: ActiveValue::Set(owner_id),
        name_key: ActiveValue::Set(name.key()),
        name: ActiveValue::Set(name.as_str().to_string()),
        color: ActiveValue::Set(color),
        version: ActiveValue::Set(1),
        created_at: ActiveValue::Set(at),
        updated_at: ActiveValue::Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(name_taken("label"))
}

/// Every task of `owner_id` carrying the label `label_id` changes: a new
/// version and `updated_at`, and one label fewer when it is `removed`.
async fn touch_carriers(
    txn: &Db,
    owner_id: i32,
    label_id: i32,
    at: chrono::DateTime<chrono::FixedOffset>,
    removed: bool,
) -> Result<(), ApiError> {
    let carriers = Query::select()
        .column(task_labels::Column::TaskPid)
        .from(task_labels::Entity)
        .and_where(Expr::col(task_labels::Column::LabelId).eq(label_id))
        .to_owned();
    let mut update = tasks::Entity::update_many()
        .col_expr(
            tasks::Column::Version,
            Expr::col(tasks::Column::Version).add(1),
        )
        .col_expr(tasks::Column::UpdatedAt, Expr::value(at));
    if removed {
        update = update.col_expr(
            tasks::Column::LabelCount,
            Expr::col(tasks::Column::LabelCount).sub(1),
        );
    }
    update
        .filter(tasks::Column::UserId.eq(owner_id))
        .filter(tasks::Column::Pid.in_subquery(carriers))
        .exec(txn)
        .await?;
    Ok(())
}

/// 409 when another label of `owner_id` (not `except`) has `name`, ignoring case.
async fn name_is_free(
    db: &Db,
    owner_id: i32,
    name: &LabelName,
    except: Option<i32>,
) -> Result<(), ApiError> {
    let mut taken = Entity::find()
        .filter(Column::UserId.eq(owner_id))
        .filter(Column::NameKey.eq(name.key()));
    if let Some(id) = except {
        taken = taken.filter(Column::Id.ne(id));
    }
    if taken.count(db).await? > 0 {
        return Err(ApiError::NameTaken("label"));
    }
    Ok(())
}
