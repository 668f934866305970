//! What a direct read decodes its rows into, read from the models' own
//! definitions: an entity's columns come from its SeaORM `Column` list, so a
//! column added to an entity is read here without a line written for it.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ColumnType, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryResult, TryIntoModel, Value,
};
use uuid::Uuid;

use super::{DirectError, Row};

/// A type whose values are read from one row, on either path.
pub trait FromRow: Sized {
    /// From the current row of a direct read.
    ///
    /// # Errors
    /// [`DirectError::Decode`] when a column is missing or of the wrong type.
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError>;

    /// From a row SeaORM read.
    ///
    /// # Errors
    /// As SeaORM's decoding.
    fn from_result(row: &QueryResult) -> Result<Self, sea_orm::DbErr>;
}

/// The columns of a model, read under a name prefix (SeaORM names the
/// columns of a joined row `A_id`, `B_id`, …).
pub trait Columns: FromQueryResult {
    /// # Errors
    /// [`DirectError::Decode`] when a column is missing or of the wrong type.
    fn read(row: &Row<'_>, prefix: &str) -> Result<Self, DirectError>;

    /// Whether the row holds one (false where a left join found none).
    ///
    /// # Errors
    /// As [`Columns::read`].
    fn found(_row: &Row<'_>, _prefix: &str) -> Result<bool, DirectError> {
        Ok(true)
    }
}

impl<T: Columns> FromRow for T {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        T::read(row, "")
    }

    fn from_result(row: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        T::from_query_result(row, "")
    }
}

/// A row of a select of two models (`A_…` and `B_…` columns), the second
/// left-joined, as SeaORM's `SelectTwoModel` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined<A, B>(pub A, pub Option<B>);

impl<A: Columns, B: Columns> FromRow for Joined<A, B> {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        let second = if B::found(row, "B_")? {
            Some(B::read(row, "B_")?)
        } else {
            None
        };
        Ok(Self(A::read(row, "A_")?, second))
    }

    fn from_result(row: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self(
            A::from_query_result(row, "A_")?,
            B::from_query_result_optional(row, "B_")?,
        ))
    }
}

type ActiveOf<M> = <<M as ModelTrait>::Entity as EntityTrait>::ActiveModel;

/// Every entity model: each column of the entity, by name, as the type its
/// definition gives it.
impl<M> Columns for M
where
    M: ModelTrait + FromQueryResult,
    ActiveOf<M>: ActiveModelTrait<Entity = M::Entity> + TryIntoModel<M>,
{
    fn read(row: &Row<'_>, prefix: &str) -> Result<Self, DirectError> {
        let mut model = <ActiveOf<M> as ActiveModelTrait>::default();
        for column in <M::Entity as EntityTrait>::Column::iter() {
            let name = column.as_str();
            let value = value(row, prefix, name, column.def().get_column_type())?;
            model
                .try_set(column, value)
                .map_err(|e| DirectError::Decode(format!("column {prefix}{name}: {e}")))?;
        }
        model
            .try_into_model()
            .map_err(|e| DirectError::Decode(e.to_string()))
    }

    /// A left join that found nothing leaves the primary key NULL.
    fn found(row: &Row<'_>, prefix: &str) -> Result<bool, DirectError> {
        let key = <M::Entity as EntityTrait>::PrimaryKey::iter().next();
        let Some(key) = key else { return Ok(true) };
        let column = key.into_column();
        let value = value(row, prefix, column.as_str(), column.def().get_column_type())?;
        Ok(!value_is_null(&value))
    }
}

fn value_is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::SmallInt(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::Bool(None)
            | Value::String(None)
            | Value::Uuid(None)
            | Value::ChronoDate(None)
            | Value::ChronoDateTimeWithTimeZone(None)
    )
}

/// The column `prefix` + `name` as the value of a column of type `kind`
/// (typed NULL where it is NULL).
fn value(row: &Row<'_>, prefix: &str, name: &str, kind: &ColumnType) -> Result<Value, DirectError> {
    Ok(match kind {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => {
            Value::String(row.get(prefix, name)?)
        }
        ColumnType::SmallInteger => Value::SmallInt(row.get(prefix, name)?),
        ColumnType::Integer => Value::Int(row.get(prefix, name)?),
        ColumnType::BigInteger => Value::BigInt(row.get(prefix, name)?),
        ColumnType::Boolean => Value::Bool(row.get(prefix, name)?),
        ColumnType::Uuid => Value::Uuid(row.get::<Option<Uuid>>(prefix, name)?),
        ColumnType::Date => Value::ChronoDate(row.get(prefix, name)?),
        ColumnType::TimestampWithTimeZone => {
            Value::ChronoDateTimeWithTimeZone(row.get(prefix, name)?)
        }
        other => {
            return Err(DirectError::Decode(format!(
                "column {prefix}{name}: type {other:?} is not read on this path"
            )))
        }
    })
}

/// Declares a partial model (a struct of some of an entity's columns, each
/// field named as its column) and reads it on the direct path, from that one
/// declaration; `from = Model` also copies it out of a whole model.
#[macro_export]
macro_rules! partial_model {
    (
        from = $model:ty;
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty),*
        }

        impl $crate::db::direct::Columns for $name {
            fn read(
                row: &$crate::db::Row<'_>,
                prefix: &str,
            ) -> Result<Self, $crate::db::direct::DirectError> {
                Ok(Self {
                    $($field: row.get(prefix, stringify!($field))?),*
                })
            }
        }

        impl From<&$model> for $name {
            fn from(model: &$model) -> Self {
                Self {
                    $($field: model.$field.clone()),*
                }
            }
        }
    };
}
