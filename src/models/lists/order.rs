//! The manual order of lists: a new list goes last, a move takes a key
//! between its new neighbours' (`domain::position`); every list write holds
//! the owner's lock (`models::owner`).
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ActiveValue, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{ActiveModel, Column, Entity, Model};
use crate::{
    db::Db,
    domain::{
        etag::TagList,
        position::{place, Position, Spot},
    },
    errors::ApiError,
    models::{owner::lock_owner, users::now},
};

/// A transaction holding the owner's lock, and the list `pid` of
/// `owner_id` read in it, at the version `if_match` names (when given).
///
/// # Errors
/// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`]; database errors.
pub(super) async fn locked(
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

/// The position after the owner's last list.
///
/// # Errors
/// Database errors.
pub(super) async fn last(db: &Db, owner_id: i32) -> Result<Position, ApiError> {
    let last: Option<String> = Entity::find()
        .select_only()
        .column(Column::Position)
        .filter(Column::UserId.eq(owner_id))
        .order_by_desc(Column::Position)
        .into_tuple()
        .one(db)
        .await?;
    let last = last.map(|raw| Position::parse(&raw)).transpose();
    let last = last.map_err(ApiError::internal)?;
    Position::between(last.as_ref(), None).ok_or_else(|| ApiError::internal("no position after"))
}

impl Model {
    /// Moves the list `pid` of `owner_id` to `spot` among the owner's lists.
    /// Only the moved list gets a new position, version and `updated_at`,
    /// unless its gap is used up: then the lists are respaced, and those
    /// whose key changes get a new version too.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`]; a 422
    /// naming `after` or `before` when it is not another list of the owner.
    pub async fn move_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        spot: Spot,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        let (txn, current) = locked(db, owner_id, pid, if_match).await?;
        let siblings: Vec<(Uuid, String)> = Entity::find()
            .select_only()
            .columns([Column::Pid, Column::Position])
            .filter(Column::UserId.eq(owner_id))
            .order_by_asc(Column::Position)
            .order_by_asc(Column::Pid)
            .into_tuple()
            .all(&txn)
            .await?;
        let siblings = siblings
            .into_iter()
            .map(|(id, raw)| Position::parse(&raw).map(|key| (id, key)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::internal)?;
        let placement = place(&siblings, pid, spot).ok_or_else(|| match spot {
            Spot::Before(_) => ApiError::field("before", "must be the id of another list"),
            _ => ApiError::field("after", "must be the id of another list"),
        })?;
        let at = now();
        for (sibling, key) in placement.respaced {
            Entity::update_many()
                .col_expr(Column::Position, Expr::value(key.into_inner()))
                .col_expr(Column::Version, Expr::col(Column::Version).add(1))
                .col_expr(Column::UpdatedAt, Expr::value(at))
                .filter(Column::UserId.eq(owner_id))
                .filter(Column::Pid.eq(sibling))
                .exec(&txn)
                .await?;
        }
        let moved = ActiveModel {
            id: ActiveValue::Unchanged(current.id),
            position: ActiveValue::Set(placement.key.into_inner()),
            version: ActiveValue::Set(current.version + 1),
            updated_at: ActiveValue::Set(at),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        Ok(moved)
    }
}
