//! Lists (contract, organizing.md): every query is scoped to its owner;
//! another user's list does not exist. Every write takes the owner's lock
//! ([`super::owner::lock_owner`]) in a transaction, so the quota, the unique names
//! and the positions hold under concurrent writes. The parts: `changes` (the
//! request shapes), `order` (positions and moves).
mod changes;
mod order;

pub use changes::{ListInput, ListMove, ListPatch};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveModelTrait, ActiveValue, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub use super::_entities::lists::{self, ActiveModel, Column, Entity, Model};
use super::owner::{lock_owner, name_taken};
use super::{
    _entities::{notifications, tasks},
    users::now,
};
use crate::{
    db::Db,
    domain::{etag::TagList, organizing::ListName, position::Position},
    errors::ApiError,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// One page of `GET /lists`.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub limit: u64,
    /// Only archived (`true`) or only active (`false`) lists.
    pub archived: Option<bool>,
    /// The `(position, id)` of the last list of the previous page.
    pub after: Option<(String, Uuid)>,
}

impl Model {
    /// The list `pid` of `owner_id`.
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

    /// The inbox of `owner_id`, made with the account.
    ///
    /// # Errors
    /// Database errors; [`ApiError::NotFound`] for an unknown owner.
    pub async fn inbox_of(db: &Db, owner_id: i32) -> Result<Self, ApiError> {
        Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Inbox.eq(true))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// The inbox of a new account (in the transaction that registers it).
    ///
    /// # Errors
    /// Database errors.
    pub async fn create_inbox(db: &Db, owner_id: i32) -> Result<Self, ApiError> {
        let at = now();
        let name = ListName::parse(ListName::INBOX).map_err(ApiError::internal)?;
        Ok(ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            user_id: ActiveValue::Set(owner_id),
            name_key: ActiveValue::Set(name.key()),
            name: ActiveValue::Set(name.as_str().to_string()),
            color: ActiveValue::Set(None),
            inbox: ActiveValue::Set(true),
            archived: ActiveValue::Set(false),
            position: ActiveValue::Set(Position::first().into_inner()),
            version: ActiveValue::Set(1),
            created_at: ActiveValue::Set(at),
            updated_at: ActiveValue::Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?)
    }

    /// A new list of `owner_id`, last in order; at most `limit` lists.
    ///
    /// # Errors
    /// [`ApiError::QuotaExceeded`]; [`ApiError::NameTaken`] when the owner
    /// has a list of that name ignoring case; database errors.
    pub async fn create_for_owner(
        db: &Db,
        owner_id: i32,
        input: ListInput,
        limit: u32,
    ) -> Result<Self, ApiError> {
        let txn = db.begin().await?;
        lock_owner(&txn, owner_id).await?;
        let owned = Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .count(&txn)
            .await?;
        if owned >= u64::from(limit) {
            return Err(ApiError::QuotaExceeded {
                resource: "lists",
                limit,
            });
        }
        name_is_free(&txn, owner_id, &input.name, None).await?;
        let position = order::last(&txn, owner_id).await?;
        let at = now();
        let list = ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            user_id: ActiveValue::Set(owner_id),
            name_key: ActiveValue::Set(input.name.key()),
            name: ActiveValue::Set(input.name.as_str().to_string()),
            color: ActiveValue::Set(input.color.map(|c| c.as_str().to_string())),
            inbox: ActiveValue::Set(false),
            archived: ActiveValue::Set(input.archived),
            position: ActiveValue::Set(position.into_inner()),
            version: ActiveValue::Set(1),
            created_at: ActiveValue::Set(at),
            updated_at: ActiveValue::Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(name_taken("list"))?;
        txn.commit().await?;
        Ok(list)
    }

    /// Applies `patch` to the list `pid` of `owner_id`.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`] on a stale
    /// `if_match`; [`ApiError::NameTaken`]; [`ApiError::InboxList`] when
    /// archiving the inbox; database errors.
    pub async fn update_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        patch: &ListPatch,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        let (txn, current) = order::locked(db, owner_id, pid, if_match).await?;
        if current.inbox && patch.archived == Some(true) {
            return Err(ApiError::InboxList("the inbox cannot be archived"));
        }
        let mut list = ActiveModel {
            id: ActiveValue::Unchanged(current.id),
            version: ActiveValue::Set(current.version + 1),
            updated_at: ActiveValue::Set(now()),
            ..Default::default()
        };
        if let Some(name) = &patch.name {
            name_is_free(&txn, owner_id, name, Some(current.id)).await?;
            list.name = ActiveValue::Set(name.as_str().to_string());
            list.name_key = ActiveValue::Set(name.key());
        }
        let mut color = current.color.clone();
        patch.color.apply_to(&mut color, |c| c.as_str().to_string());
        list.color = ActiveValue::Set(color);
        if let Some(archived) = patch.archived {
            list.archived = ActiveValue::Set(archived);
        }
        let list = list.update(&txn).await.map_err(name_taken("list"))?;
        txn.commit().await?;
        Ok(list)
    }

    /// Deletes the list `pid` of `owner_id` with its tasks and their
    /// notifications, in one transaction.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::PreconditionFailed`];
    /// [`ApiError::InboxList`] for the inbox; database errors.
    pub async fn delete_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        if_match: Option<&TagList>,
    ) -> Result<(), ApiError> {
        let (txn, current) = order::locked(db, owner_id, pid, if_match).await?;
        if current.inbox {
            return Err(ApiError::InboxList("the inbox cannot be deleted"));
        }
        let of_list = Query::select()
            .column(tasks::Column::Pid)
            .from(tasks::Entity)
            .and_where(Expr::col(tasks::Column::ListPid).eq(current.pid))
            .to_owned();
        notifications::Entity::delete_many()
            .filter(notifications::Column::UserId.eq(owner_id))
            .filter(notifications::Column::TaskPid.in_subquery(of_list))
            .exec(&txn)
            .await?;
        tasks::Entity::delete_many()
            .filter(tasks::Column::UserId.eq(owner_id))
            .filter(tasks::Column::ListPid.eq(current.pid))
            .exec(&txn)
            .await?;
        Entity::delete_by_id(current.id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// One page of the owner's lists in position order, and whether more
    /// follow.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_for_owner(
        db: &Db,
        owner_id: i32,
        query: &ListQuery,
    ) -> Result<(Vec<Self>, bool), ApiError> {
        let mut select = Entity::find().filter(Column::UserId.eq(owner_id));
        if let Some(archived) = query.archived {
            select = select.filter(Column::Archived.eq(archived));
        }
        if let Some((position, pid)) = &query.after {
            let key = Expr::tuple([Expr::col(Column::Position), Expr::col(Column::Pid)]);
            select =
                select.filter(key.gt(Expr::tuple([Expr::val(position.clone()), Expr::val(*pid)])));
        }
        let mut rows = select
            .order_by_asc(Column::Position)
            .order_by_asc(Column::Pid)
            .limit(query.limit + 1)
            .all(db)
            .await?;
        let more = rows.len() as u64 > query.limit;
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }
}

/// `list` when it is one of `owner_id`'s lists; a 422 naming `list_id`
/// otherwise (another user's list does not exist for the caller).
///
/// # Errors
/// That 422; database errors.
pub async fn own_list(db: &Db, owner_id: i32, list: Uuid) -> Result<Uuid, ApiError> {
    match Model::find_for_owner(db, owner_id, list).await {
        Ok(found) => Ok(found.pid),
        Err(ApiError::NotFound) => Err(ApiError::field("list_id", "must be one of your lists")),
        Err(other) => Err(other),
    }
}

/// 409 when another list of `owner_id` (not `except`) has `name`, ignoring case.
async fn name_is_free(
    db: &Db,
    owner_id: i32,
    name: &ListName,
    except: Option<i32>,
) -> Result<(), ApiError> {
    let mut taken = Entity::find()
        .filter(Column::UserId.eq(owner_id))
        .filter(Column::NameKey.eq(name.key()));
    if let Some(id) = except {
        taken = taken.filter(Column::Id.ne(id));
    }
    if taken.count(db).await? > 0 {
        return Err(ApiError::NameTaken("list"));
    }
    Ok(())
}
