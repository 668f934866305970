//! The caller's session check and one of their tasks, in one statement.
//!
//! `GET`, `PUT` and `PATCH /tasks/{id}` need both the live-session check of
//! every authenticated request (`users::Model::find_by_live_access`) and the
//! task by owner and id (`tasks::Model::find_for_owner`). Asked together, the
//! database answers them in one round trip: the session joined to its user,
//! and that user's task left-joined, so a missing task still tells whether
//! the token is live (401 before 404, as everywhere else).
//!
//! Its SQL is built once per backend ([`crate::db::prepared`]); its work is
//! bounded by two key look-ups, so on SQLite it is read on the calling
//! thread ([`Db::bounded`]).
use sea_orm::{
    sea_query::{Expr, ExprTrait, IntoCondition, SelectStatement},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
    QueryTrait, RelationTrait,
};
use uuid::Uuid;

use crate::{
    db::{direct::Joined, Db, Prepared},
    models::_entities::{sessions, tasks, users},
};

/// The user behind a live access token `jti` of user `user_pid`, with their
/// task `task_pid` when they have it; `None` when the token is revoked or the
/// user is gone.
///
/// # Errors
/// Database errors.
pub async fn find_with_access(
    db: &Db,
    jti: Uuid,
    user_pid: Uuid,
    task_pid: Uuid,
) -> Result<Option<(users::Model, Option<tasks::Model>)>, DbErr> {
    let stmt = STATEMENT.statement(db.get_database_backend(), [jti, user_pid, task_pid]);
    let rows = db
        .bounded::<Joined<users::Model, tasks::Model>>(stmt)
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .map(|Joined(user, task)| (user, task)))
}

/// The statement of [`find_with_access`] for `[jti, user_pid, task_pid]`.
pub static STATEMENT: Prepared<3> = Prepared::new(query);

/// The query, as `Select::one` would send it.
fn query([jti, user_pid, task_pid]: [Uuid; 3]) -> SelectStatement {
    let owned_task = users::Relation::Tasks
        .def()
        .on_condition(move |_user, task| {
            Expr::col((task, tasks::Column::Pid))
                .eq(task_pid)
                .into_condition()
        });
    let mut query = users::Entity::find()
        .join(JoinType::InnerJoin, users::Relation::Sessions.def())
        .join(JoinType::LeftJoin, owned_task)
        .filter(sessions::Column::AccessJti.eq(jti))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(users::Column::Pid.eq(user_pid))
        .select_also(tasks::Entity)
        .into_query();
    query.limit(1);
    query
}
