//! Where tasks sit: the place of a new task, the place a write or a move
//! names (checked against the caller's lists and tasks), moves, and the
//! subtree that follows a task to another list.
//!
//! The tree's rules hold in the database (migration
//! `m20261207_100000_task_tree`): a subtask lives in its parent's list, and
//! changing a task's list takes its subtree along (a foreign key); depth and
//! cycles are checked by triggers, which answer here as a 422 naming
//! `parent_id`. Every write that changes a place holds the owner's lock.
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, Query},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Order, QueryFilter, Statement,
};
use uuid::Uuid;

use super::{order::Place, Column, Entity, Model};
use crate::{
    db::Db,
    domain::{body::Patch, position::Position},
    errors::ApiError,
    models::_entities::lists,
};

impl Place {
    /// Where `task` sits.
    #[must_use]
    pub fn of(task: &Model) -> Self {
        Self {
            list: task.list_pid,
            parent: task.parent_pid,
        }
    }
}

/// The answer when the database refuses a place: a trigger's depth or
/// cycle check, or a foreign key (the list or the parent deleted meanwhile).
pub(super) fn refused(err: DbErr, parent_named: bool) -> ApiError {
    let text = err.to_string();
    if text.contains("taskforge: parent_id would make a cycle") {
        return ApiError::field(
            "parent_id",
            "must not be the task itself or one of its subtasks",
        );
    }
    if text.contains("taskforge: parent_id nests too deep") {
        return too_deep();
    }
    match err.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) if parent_named => {
            ApiError::field("parent_id", "must be the id of one of your tasks")
        }
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
            ApiError::field("list_id", "must be one of your lists")
        }
        _ => err.into(),
    }
}

fn too_deep() -> ApiError {
    ApiError::field(
        "parent_id",
        "would nest tasks more than 4 levels deep (a top-level task and three levels under it)",
    )
}

/// Ends the transaction `txn` with `result`: commits it on success, rolls
/// it back on an error before answering. Dropping it would roll it back
/// too, but only later (SeaORM queues the rollback for the connection's
/// next use) while the SQLite write turn is released at once: the next
/// transaction would meet the refused one's write lock ("database is
/// locked", a 500), and on PostgreSQL the owner's row stays locked
/// meanwhile. Every write the tree's checks may refuse ends here.
///
/// # Errors
/// `result`'s error; database errors.
pub(super) async fn finish<T>(txn: Db, result: Result<T, ApiError>) -> Result<T, ApiError> {
    match result {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            txn.rollback().await?;
            Err(err)
        }
    }
}

/// `task` when it is one of `owner_id`'s tasks; a 422 naming `parent_id`
/// otherwise (the `parent_id=` of a listing).
///
/// # Errors
/// That 422; database errors.
pub async fn own_task(db: &Db, owner_id: i32, task: Uuid) -> Result<(), ApiError> {
    match Model::find_for_owner(db, owner_id, task).await {
        Ok(_) => Ok(()),
        Err(ApiError::NotFound) => Err(ApiError::field(
            "parent_id",
            "must be `none` or the id of one of your tasks",
        )),
        Err(other) => Err(other),
    }
}

crate::db::partial_model! {
    from = Model;
    /// The list of a new task and the key of its last sibling ('' when it
    /// has none), read by [`place_new`].
    #[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
    pub struct NewPlace {
        pub list_pid: Uuid,
        pub position: String,
    }
}

/// The statement of [`place_new`]: the list (`list_id`, the inbox, or the
/// parent's) as `list_pid`, and the key of the last sibling there as
/// `position` ('' when there is none).
#[must_use]
pub fn place_statement(
    backend: DbBackend,
    owner_id: i32,
    list_id: Option<Uuid>,
    parent_id: Option<Uuid>,
) -> Statement {
    let sibling = Alias::new("sibling");
    let mut last = Query::select();
    // The key of the last sibling, or '' when there is none.
    last.column((sibling.clone(), Column::Position))
        .from_as(Entity, sibling.clone())
        .order_by((sibling.clone(), Column::Position), Order::Desc)
        .limit(1);
    let mut place = Query::select();
    if let Some(parent) = parent_id {
        last.and_where(Expr::col((sibling, Column::ParentPid)).equals((Entity, Column::Pid)));
        place
            .expr_as(Expr::col((Entity, Column::ListPid)), Alias::new("list_pid"))
            .from(Entity)
            .and_where(Expr::col((Entity, Column::UserId)).eq(owner_id))
            .and_where(Expr::col((Entity, Column::Pid)).eq(parent));
    } else {
        last.and_where(
            Expr::col((sibling.clone(), Column::ListPid))
                .equals((lists::Entity, lists::Column::Pid)),
        )
        .and_where(Expr::col((sibling, Column::ParentPid)).is_null());
        let which = match list_id {
            Some(list) => Expr::col((lists::Entity, lists::Column::Pid)).eq(list),
            None => Expr::col((lists::Entity, lists::Column::Inbox)).eq(true),
        };
        place
            .expr_as(
                Expr::col((lists::Entity, lists::Column::Pid)),
                Alias::new("list_pid"),
            )
            .from(lists::Entity)
            .and_where(Expr::col((lists::Entity, lists::Column::UserId)).eq(owner_id))
            .and_where(which);
    }
    let last = Expr::SubQuery(None, Box::new(last.into()));
    place.expr_as(
        Func::coalesce([last, Expr::val("")]),
        Alias::new("position"),
    );
    backend.build(&place)
}

/// The place of a new task (a `list_id` and `parent_id` of the body, each
/// checked) and the key after its last sibling, read in one statement: the
/// list (or the inbox) or the parent, with the key of the last sibling.
///
/// # Errors
/// A 422 naming `list_id` or `parent_id`; database errors.
pub async fn place_new(
    db: &Db,
    owner_id: i32,
    list_id: Option<Uuid>,
    parent_id: Option<Uuid>,
) -> Result<(Place, Option<Position>), ApiError> {
    let statement = place_statement(db.get_database_backend(), owner_id, list_id, parent_id);
    // Bounded by two key look-ups: on SQLite a direct read (`Db::bounded`),
    // as the rest of a create's reads.
    let found = db.bounded::<NewPlace>(statement).await?.into_iter().next();
    let found = found.map(|row| (row.list_pid, Some(row.position).filter(|p| !p.is_empty())));
    let Some((list, last)) = found else {
        return Err(match parent_id {
            Some(_) => ApiError::field("parent_id", "must be the id of one of your tasks"),
            None => ApiError::field("list_id", "must be one of your lists"),
        });
    };
    if parent_id.is_some() && list_id.is_some_and(|named| named != list) {
        return Err(ApiError::field(
            "list_id",
            "must be the list of the parent task",
        ));
    }
    let last = last.map(|raw| Position::parse(&raw)).transpose();
    let place = Place {
        list,
        parent: parent_id,
    };
    Ok((place, last.map_err(ApiError::internal)?))
}

/// The place a write or a move of `current` names: `parent_id` a task of
/// the caller (then its list; a `list_id` that differs is 422) or `null`
/// (top level, in `list_id` or where it is); a `list_id` alone other than
/// its own makes it top-level there; neither leaves it where it is.
///
/// # Errors
/// A 422 naming `list_id` or `parent_id`; database errors.
pub async fn resolve(
    db: &Db,
    owner_id: i32,
    current: &Model,
    list_id: Option<Uuid>,
    parent_id: &Patch<Uuid>,
) -> Result<Place, ApiError> {
    let own_list = |list: Uuid| async move {
        if list == current.list_pid {
            return Ok(list);
        }
        crate::models::lists::own_list(db, owner_id, list).await
    };
    match parent_id {
        Patch::Value(parent) => {
            if *parent == current.pid {
                return Err(ApiError::field("parent_id", "must not be the task itself"));
            }
            let parent = match Model::find_for_owner(db, owner_id, *parent).await {
                Err(ApiError::NotFound) => Err(ApiError::field(
                    "parent_id",
                    "must be the id of one of your tasks",
                )),
                other => other,
            }?;
            if list_id.is_some_and(|list| list != parent.list_pid) {
                return Err(ApiError::field(
                    "list_id",
                    "must be the list of the parent task",
                ));
            }
            Ok(Place {
                list: parent.list_pid,
                parent: Some(parent.pid),
            })
        }
        Patch::Null => Ok(Place {
            list: own_list(list_id.unwrap_or(current.list_pid)).await?,
            parent: None,
        }),
        Patch::Absent => match list_id {
            Some(list) if list != current.list_pid => Ok(Place {
                list: own_list(list).await?,
                parent: None,
            }),
            _ => Ok(Place::of(current)),
        },
    }
}

/// Every descendant of `root` (at most three levels below it) gets a new
/// version and `updated_at`: the subtree moved to another list with it.
///
/// # Errors
/// Database errors.
pub async fn touch_subtree(
    db: &Db,
    owner_id: i32,
    root: Uuid,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), DbErr> {
    let children_of = |parents: sea_orm::sea_query::SelectStatement| {
        Query::select()
            .column(Column::Pid)
            .from(Entity)
            .and_where(Column::ParentPid.in_subquery(parents))
            .to_owned()
    };
    let children = Query::select()
        .column(Column::Pid)
        .from(Entity)
        .and_where(Column::ParentPid.eq(root))
        .to_owned();
    let grandchildren = children_of(children.clone());
    Entity::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::UserId.eq(owner_id))
        .filter(
            Column::ParentPid
                .eq(root)
                .or(Column::ParentPid.in_subquery(children))
                .or(Column::ParentPid.in_subquery(grandchildren)),
        )
        .exec(db)
        .await?;
    Ok(())
}
