//! Where tasks sit: the place a write or a move names (checked against the
//! caller's lists and tasks), the answers of refused places, and the
//! subtree that follows a task to another list (a new task's place:
//! `place`; moves: `moves`).
//!
//! The tree's rules hold in the database (migration
//! `m20261207_100000_task_tree`): a subtask lives in its parent's list, and
//! changing a task's list takes its subtree along (a foreign key); depth and
//! cycles are checked by triggers, which answer here as a 422 naming
//! `parent_id`. Every write that changes a place holds the owner's lock.
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, DbErr, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{order::Place, Column, Entity, Model};
use crate::{
    db::Db,
    domain::{body::Patch, task::Status},
    errors::ApiError,
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
    update_subtree(db, owner_id, root, at, false).await
}

/// Every completed descendant of `root` goes back to `incomplete` (a new
/// version, `updated_at`, no `completed_at`): a recurring task moved on to
/// its next due date.
///
/// # Errors
/// Database errors.
pub async fn reopen_subtree(
    db: &Db,
    owner_id: i32,
    root: Uuid,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), DbErr> {
    update_subtree(db, owner_id, root, at, true).await
}

async fn update_subtree(
    db: &Db,
    owner_id: i32,
    root: Uuid,
    at: chrono::DateTime<chrono::FixedOffset>,
    reopen: bool,
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
    let mut update = Entity::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::UserId.eq(owner_id))
        .filter(
            Column::ParentPid
                .eq(root)
                .or(Column::ParentPid.in_subquery(children))
                .or(Column::ParentPid.in_subquery(grandchildren)),
        );
    if reopen {
        let complete = Status::Complete.rank();
        update = update
            .col_expr(Column::Status, Expr::value(Status::Incomplete.rank()))
            .col_expr(
                Column::CompletedAt,
                Expr::value(Option::<chrono::DateTime<chrono::FixedOffset>>::None),
            )
            .filter(Column::Status.eq(complete));
    }
    update.exec(db).await?;
    Ok(())
}
