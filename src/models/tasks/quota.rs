//! The task quota (contract, "Resource limits"), checked by the insert
//! itself: `INSERT INTO tasks … SELECT … WHERE (SELECT task_count FROM users
//! WHERE id = owner) < limit RETURNING …`. `users.task_count` is kept by
//! triggers on `tasks` (migration `m20261202_200000_task_quota`), so the
//! check reads one row instead of counting up to 100,000 index entries per
//! create, and stays one statement: on SQLite it still joins the group
//! commit, and no create can slip past the limit between a check and its
//! insert.
use sea_orm::{
    sea_query::{Expr, ExprTrait, LockType, Query},
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbErr, FromQueryResult, Iterable,
};

use super::{ActiveModel, Column, Entity, Model};
use crate::{db::Db, models::users};

/// Inserts `task` for `owner_id` unless the owner already has `limit`
/// tasks; `None` then, and nothing was written.
///
/// On PostgreSQL the sub-select locks the owner's row (`FOR UPDATE`, which
/// the insert trigger updates anyway), so two creates racing at the limit
/// run one after the other and the second reads the count the first left
/// (READ COMMITTED reads the newest version of a row it waited for). SQLite
/// runs one write at a time, and its builder leaves the lock out.
///
/// # Errors
/// Database errors.
pub(super) async fn insert_within(
    db: &Db,
    task: &ActiveModel,
    owner_id: i32,
    limit: u32,
) -> Result<Option<Model>, DbErr> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in Column::iter() {
        if let ActiveValue::Set(value) = task.get(column) {
            columns.push(column);
            values.push(column.save_as(Expr::val(value)));
        }
    }
    let mut count = Query::select();
    count
        .column(users::Column::TaskCount)
        .from(users::Entity)
        .and_where(users::Column::Id.eq(owner_id))
        .lock(LockType::Update);
    let mut rows = Query::select();
    rows.exprs(values)
        .and_where(Expr::SubQuery(None, Box::new(count.into())).lt(i64::from(limit)));
    let mut insert = Query::insert();
    insert
        .into_table(Entity)
        .columns(columns)
        .select_from(rows)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .returning_all();
    let stmt = db.get_database_backend().build(&insert);
    db.query_one_raw(stmt)
        .await?
        .map(|row| Model::from_query_result(&row, ""))
        .transpose()
}
