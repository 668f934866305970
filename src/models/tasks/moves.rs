//! `POST /tasks/{id}/move`: a task (with its subtree) to another place and
//! a spot among its new siblings, under the owner's lock.
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    order::{key_at, write_respaced},
    tree::{finish, refused, resolve, touch_subtree},
    Column, Entity, Model, TaskMove,
};
use crate::{
    db::Db,
    domain::etag::TagList,
    errors::ApiError,
    models::{owner::lock_owner, users::now},
};

impl Model {
    /// `POST /tasks/{id}/move`: the task `pid` of `owner_id` goes to the
    /// place `mv` names, at its spot. Only the moved task (and, when it
    /// changes list, its subtree) gets a new version and `updated_at`,
    /// unless its neighbours leave no room: then a window of siblings is
    /// respaced, and those get new keys and versions too.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`]; a 422
    /// naming `list_id`, `parent_id`, `after` or `before`; database errors.
    pub async fn move_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        mv: &TaskMove,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        let txn = db.begin().await?;
        let moved = Self::move_within(&txn, owner_id, pid, mv, if_match).await;
        finish(txn, moved).await
    }

    /// [`Model::move_for_owner`] within the transaction `txn`.
    async fn move_within(
        txn: &Db,
        owner_id: i32,
        pid: Uuid,
        mv: &TaskMove,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        lock_owner(txn, owner_id).await?;
        let current = Self::find_for_owner(txn, owner_id, pid).await?;
        if if_match.is_some_and(|tags| !tags.matches_strong(current.version)) {
            return Err(ApiError::PreconditionFailed);
        }
        let place = resolve(txn, owner_id, &current, mv.list_id, &mv.parent_id).await?;
        let placement = key_at(txn, &place, current.pid, mv.spot()).await?;
        let at = now();
        write_respaced(txn, owner_id, placement.respaced, at).await?;
        // Only the placement is written, so a concurrent edit of the
        // task's content (which takes no lock) is kept, not overwritten;
        // with `If-Match` the move applies to that version only.
        let mut update = Entity::update_many()
            .col_expr(Column::ListPid, Expr::value(place.list))
            .col_expr(Column::ParentPid, Expr::value(place.parent))
            .col_expr(Column::Position, Expr::value(placement.key.into_inner()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::Id.eq(current.id));
        if if_match.is_some() {
            update = update.filter(Column::Version.eq(current.version));
        }
        let moved = update
            .exec_with_returning(txn)
            .await
            .map_err(|err| refused(err, place.parent.is_some()))?
            .into_iter()
            .next()
            .ok_or(ApiError::PreconditionFailed)?;
        if place.list != current.list_pid {
            touch_subtree(txn, owner_id, moved.pid, at).await?;
        }
        Ok(moved)
    }
}
