//! The caller's session check and one of their tasks, in one statement.
//!
//! `GET`, `PUT` and `PATCH /tasks/{id}` need both the live-session check of
//! every authenticated request (`users::Model::find_by_live_access`) and the
//! task by owner and id (`tasks::Model::find_for_owner`). Asked together, the
//! database answers them in one round trip: the session joined to its user,
//! and that user's task left-joined, so a missing task still tells whether
//! the token is live (401 before 404, as everywhere else).
//!
//! Its SQL is the same for every request but for the three ids, so it is
//! built once per database backend (with stand-in ids) and only the values
//! change per request: building it with sea-query cost about 7% of a GET's
//! CPU (docs/performance.md).
use std::sync::OnceLock;

use sea_orm::{
    sea_query::{Expr, ExprTrait, IntoCondition, SelectStatement},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, QueryTrait, RelationTrait, SelectTwoModel, SelectorTrait, Statement, Value,
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
    let stmt = statement(db.get_database_backend(), jti, user_pid, task_pid);
    db.query_one_raw(stmt)
        .await?
        .map(SelectTwoModel::<users::Model, tasks::Model>::from_raw_query_result)
        .transpose()
}

/// The statement for these ids: the one built once with new values, or
/// built now where that is not possible. The same as [`query`] built.
#[must_use]
pub fn statement(backend: DbBackend, jti: Uuid, user_pid: Uuid, task_pid: Uuid) -> Statement {
    match prepared(backend) {
        Some(prepared) => prepared.statement(backend, [jti, user_pid, task_pid]),
        None => backend.build(&query(jti, user_pid, task_pid)),
    }
}

/// The query, as `Select::one` would send it.
#[must_use]
pub fn query(jti: Uuid, user_pid: Uuid, task_pid: Uuid) -> SelectStatement {
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

/// The statement built once, and where its three ids go among its values.
struct Prepared {
    sql: String,
    values: Vec<Value>,
    /// Positions of `jti`, `user_pid` and `task_pid` in `values`.
    slots: [usize; 3],
}

impl Prepared {
    fn new(backend: DbBackend) -> Option<Self> {
        let stand_ins = [Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3)];
        let [jti, user_pid, task_pid] = stand_ins;
        let built = backend.build(&query(jti, user_pid, task_pid));
        let values = built.values.map(|v| v.0).unwrap_or_default();
        let slot = |id: Uuid| {
            let mut at = values
                .iter()
                .enumerate()
                .filter(|(_, v)| **v == Value::from(id));
            // Exactly once, or the statement is built per request instead.
            match (at.next(), at.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        };
        Some(Self {
            slots: [slot(jti)?, slot(user_pid)?, slot(task_pid)?],
            sql: built.sql,
            values,
        })
    }

    fn statement(&self, backend: DbBackend, ids: [Uuid; 3]) -> Statement {
        let mut values = self.values.clone();
        for (slot, id) in self.slots.into_iter().zip(ids) {
            values[slot] = Value::from(id);
        }
        Statement::from_sql_and_values(backend, self.sql.clone(), values)
    }
}

/// The statement for `backend`, built on first use.
fn prepared(backend: DbBackend) -> Option<&'static Prepared> {
    static SQLITE: OnceLock<Option<Prepared>> = OnceLock::new();
    static POSTGRES: OnceLock<Option<Prepared>> = OnceLock::new();
    let cell = match backend {
        DbBackend::Sqlite => &SQLITE,
        DbBackend::Postgres => &POSTGRES,
        _ => return None,
    };
    cell.get_or_init(|| Prepared::new(backend)).as_ref()
}
