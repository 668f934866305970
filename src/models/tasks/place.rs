//! Where a new task goes: its list (the one named, the inbox, or the
//! parent's) and the key after its last sibling, read in one statement whose
//! SQL is built once per shape (`db::Templates`).
use std::sync::LazyLock;

use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, Query},
    ConnectionTrait, DbBackend, Order, Statement, Value,
};
use uuid::Uuid;

use super::{order::Place, Column, Entity, Model};
use crate::{
    db::{Db, Templates},
    domain::position::Position,
    errors::ApiError,
    models::_entities::lists,
};

static PLACES: LazyLock<Templates> = LazyLock::new(Templates::new);

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
    let shape = match (list_id, parent_id) {
        (_, Some(_)) => "parent",
        (Some(_), None) => "list",
        (None, None) => "inbox",
    };
    let id = parent_id.or(list_id);
    let build = |(owner, id): &(i32, Option<Uuid>)| {
        let (list, parent) = if parent_id.is_some() {
            (None, *id)
        } else {
            (*id, None)
        };
        build_place(backend, *owner, list, parent)
    };
    let values = |(owner, id): &(i32, Option<Uuid>)| {
        let mut out = vec![Value::from(*owner)];
        out.extend(id.map(Value::from));
        out
    };
    let stand_ins = || (i32::MIN + 1, id.map(|_| Uuid::from_u128(u128::MAX - 7)));
    PLACES.statement(backend, shape, &(owner_id, id), stand_ins, values, build)
}

/// [`place_statement`] built anew.
fn build_place(
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
