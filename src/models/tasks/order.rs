//! The manual order of tasks among their siblings (the tasks of one list
//! with one parent, or top-level): the key of a spot, read from the
//! neighbours of that spot alone (a list may hold 100,000 siblings), and the
//! respacing of a window of siblings when the neighbours leave no room
//! (`domain::position`). The caller holds the owner's lock.
use chrono::{DateTime, FixedOffset};
use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait},
    ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{Column, Entity};
use crate::{
    db::Db,
    domain::position::{respace_window, window_sides, Placement, Position, Spot},
    errors::ApiError,
};

/// Where a task sits: its list and its parent (`None`: top level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub list: Uuid,
    pub parent: Option<Uuid>,
}

/// A sibling: its id and key.
type Sibling = (Uuid, Position);

impl Place {
    /// The tasks of this place, but `moved`.
    fn siblings(&self, moved: Option<Uuid>) -> Condition {
        let mut all = Condition::all().add(Column::ListPid.eq(self.list));
        all = match self.parent {
            None => all.add(Column::ParentPid.is_null()),
            Some(parent) => all.add(Column::ParentPid.eq(parent)),
        };
        if let Some(moved) = moved {
            all = all.add(Column::Pid.ne(moved));
        }
        all
    }
}

/// Up to `limit` siblings of `place` (but `moved`) from `from` on (itself
/// included when `inclusive`), in sibling order (`Order::Asc`) or backwards.
async fn read(
    db: &Db,
    place: &Place,
    moved: Option<Uuid>,
    from: Option<&Sibling>,
    order: Order,
    inclusive: bool,
    limit: u64,
) -> Result<Vec<Sibling>, ApiError> {
    let mut select = Entity::find()
        .select_only()
        .columns([Column::Pid, Column::Position])
        .filter(place.siblings(moved));
    if let Some((id, key)) = from {
        let row = Expr::tuple([Expr::col(Column::Position), Expr::col(Column::Pid)]);
        let at = Expr::tuple([Expr::val(key.as_str()), Expr::val(*id)]);
        select = select.filter(match (&order, inclusive) {
            (Order::Asc, true) => row.gte(at),
            (Order::Asc, false) => row.gt(at),
            (_, true) => row.lte(at),
            (_, false) => row.lt(at),
        });
    }
    let rows: Vec<(Uuid, String)> = select
        .order_by(Column::Position, order.clone())
        .order_by(Column::Pid, order)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, raw)| Position::parse(&raw).map(|key| (id, key)))
        .collect::<Result<_, _>>()
        .map_err(ApiError::internal)
}

/// The key after the last sibling of `place` (but `moved`): where a task
/// placed there without a spot goes.
///
/// # Errors
/// Database errors.
pub async fn last_key(db: &Db, place: &Place, moved: Uuid) -> Result<Position, ApiError> {
    let last = read(db, place, Some(moved), None, Order::Desc, false, 1).await?;
    Position::between(last.first().map(|(_, key)| key), None)
        .ok_or_else(|| ApiError::internal("no key after the last sibling"))
}

/// The key of `moved` at `spot` among the siblings of `place`, and the
/// siblings a respace gives new keys (none unless the neighbours leave no
/// room: then the smallest window around the spot that takes short keys).
///
/// # Errors
/// A 422 naming `after` or `before` when it names no other sibling of
/// `place`; database errors.
pub async fn key_at(
    db: &Db,
    place: &Place,
    moved: Uuid,
    spot: Spot,
) -> Result<Placement, ApiError> {
    let anchor = |id: Uuid, field: &'static str| async move {
        let found: Option<(Uuid, String)> = Entity::find()
            .select_only()
            .columns([Column::Pid, Column::Position])
            .filter(place.siblings(Some(moved)))
            .filter(Column::Pid.eq(id))
            .into_tuple()
            .one(db)
            .await?;
        let (id, raw) = found.ok_or_else(|| {
            ApiError::field(field, "must be the id of another task in the destination")
        })?;
        Ok::<_, ApiError>((id, Position::parse(&raw).map_err(ApiError::internal)?))
    };
    let next = |from: Option<Sibling>, order: Order| async move {
        let rows = read(db, place, Some(moved), from.as_ref(), order, false, 1).await?;
        Ok::<_, ApiError>(rows.into_iter().next())
    };
    let (lower, upper) = match spot {
        Spot::First => (None, next(None, Order::Asc).await?),
        Spot::Last => (next(None, Order::Desc).await?, None),
        Spot::After(id) => {
            let lower = anchor(id, "after").await?;
            let upper = next(Some(lower.clone()), Order::Asc).await?;
            (Some(lower), upper)
        }
        Spot::Before(id) => {
            let upper = anchor(id, "before").await?;
            let lower = next(Some(upper.clone()), Order::Desc).await?;
            (lower, Some(upper))
        }
    };
    let fits = Position::between(lower.as_ref().map(|s| &s.1), upper.as_ref().map(|s| &s.1));
    if let Some(key) = fits.filter(|key| !key.is_long()) {
        return Ok(Placement {
            key,
            respaced: Vec::new(),
        });
    }
    respace(db, place, moved, lower.as_ref(), upper.as_ref()).await
}

/// Widening windows of siblings around the gap between `lower` and `upper`
/// until one takes short keys; the whole group always does.
async fn respace(
    db: &Db,
    place: &Place,
    moved: Uuid,
    lower: Option<&Sibling>,
    upper: Option<&Sibling>,
) -> Result<Placement, ApiError> {
    for side in window_sides() {
        let wanted = side as u64 + 1;
        let mut below = match lower {
            Some(lower) => {
                read(
                    db,
                    place,
                    Some(moved),
                    Some(lower),
                    Order::Desc,
                    true,
                    wanted,
                )
                .await?
            }
            None => Vec::new(),
        };
        let mut above = match upper {
            Some(upper) => {
                read(
                    db,
                    place,
                    Some(moved),
                    Some(upper),
                    Order::Asc,
                    true,
                    wanted,
                )
                .await?
            }
            None => Vec::new(),
        };
        // The row past the window, if any, bounds it.
        let outer_lower = (below.len() > side).then(|| below.pop()).flatten();
        let outer_upper = (above.len() > side).then(|| above.pop()).flatten();
        below.reverse();
        let placement = respace_window(
            &below,
            &above,
            outer_lower.as_ref().map(|s| &s.1),
            outer_upper.as_ref().map(|s| &s.1),
        );
        if let Some(placement) = placement {
            return Ok(placement);
        }
        if outer_lower.is_none() && outer_upper.is_none() {
            break;
        }
    }
    Err(ApiError::internal("no window of siblings takes the move"))
}

/// Writes the keys of respaced siblings: each gets a new version and
/// `updated_at`, as any change of a task does.
///
/// # Errors
/// Database errors.
pub async fn write_respaced(
    db: &Db,
    owner_id: i32,
    respaced: Vec<Sibling>,
    at: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    for (id, key) in respaced {
        Entity::update_many()
            .col_expr(Column::Position, Expr::value(key.into_inner()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Pid.eq(id))
            .exec(db)
            .await?;
    }
    Ok(())
}
