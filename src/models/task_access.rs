//! The caller's session check and one of their tasks, in one statement.
//!
//! `GET`, `PUT` and `PATCH /tasks/{id}` need both the live-session check of
//! every authenticated request (`users::Model::find_by_live_access`) and the
//! task by owner and id (`tasks::Model::find_for_owner`). Asked together, the
//! database answers them in one round trip: the session joined to its user,
//! and that user's task left-joined, so a missing task still tells whether
//! the token is live (401 before 404, as everywhere else).
use sea_orm::{
    sea_query::{Expr, ExprTrait, IntoCondition},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
    RelationTrait,
};
use uuid::Uuid;

use super::_entities::{sessions, tasks, users};

/// The user behind a live access token `jti` of user `user_pid`, with their
/// task `task_pid` when they have it; `None` when the token is revoked or the
/// user is gone.
///
/// # Errors
/// Database errors.
pub async fn find_with_access<C: ConnectionTrait>(
    db: &C,
    jti: Uuid,
    user_pid: Uuid,
    task_pid: Uuid,
) -> Result<Option<(users::Model, Option<tasks::Model>)>, DbErr> {
    let owned_task = users::Relation::Tasks
        .def()
        .on_condition(move |_user, task| {
            Expr::col((task, tasks::Column::Pid))
                .eq(task_pid)
                .into_condition()
        });
    users::Entity::find()
        .join(JoinType::InnerJoin, users::Relation::Sessions.def())
        .join(JoinType::LeftJoin, owned_task)
        .filter(sessions::Column::AccessJti.eq(jti))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(users::Column::Pid.eq(user_pid))
        .select_also(tasks::Entity)
        .one(db)
        .await
}
