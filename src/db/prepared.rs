//! Hot statements built once, with new ids per request.
//!
//! The session check of every authenticated request, and the session check
//! joined with the task of `/tasks/{id}`, have the same SQL every time but
//! for a few ids. Building that SQL with sea-query on each request (the
//! select list, the joins, the quoting) cost about a third of a GET's CPU
//! (docs/performance.md, change 13). So each is built once per database
//! backend, with stand-in ids, and a request gets a copy whose stand-ins are
//! replaced by its own ids: the same SQL and values as building it anew.
use std::sync::OnceLock;

use sea_orm::{sea_query::SelectStatement, DbBackend, Statement, Value};
use uuid::Uuid;

/// A statement built once, and where its `N` ids go among its values.
struct Built<const N: usize> {
    sql: String,
    values: Vec<Value>,
    slots: [usize; N],
}

impl<const N: usize> Built<N> {
    /// `None` when a stand-in id is not among the values exactly once (then
    /// the statement is built per request).
    fn new(backend: DbBackend, query: fn([Uuid; N]) -> SelectStatement) -> Option<Self> {
        let stand_ins: [Uuid; N] = std::array::from_fn(|i| Uuid::from_u128(u128::MAX - i as u128));
        let built = backend.build(&query(stand_ins));
        let values = built.values.map(|v| v.0).unwrap_or_default();
        let mut slots = [0; N];
        for (slot, id) in slots.iter_mut().zip(stand_ins) {
            let id = Value::from(id);
            let mut at = values.iter().enumerate().filter(|(_, v)| **v == id);
            *slot = match (at.next(), at.next()) {
                (Some((i, _)), None) => i,
                _ => return None,
            };
        }
        Some(Self {
            sql: built.sql,
            values,
            slots,
        })
    }

    fn statement(&self, backend: DbBackend, ids: [Uuid; N]) -> Statement {
        let mut values = self.values.clone();
        for (slot, id) in self.slots.into_iter().zip(ids) {
            values[slot] = Value::from(id);
        }
        Statement::from_sql_and_values(backend, self.sql.clone(), values)
    }
}

/// The statement `query` makes of `N` ids, built once for each backend.
pub struct Prepared<const N: usize> {
    query: fn([Uuid; N]) -> SelectStatement,
    sqlite: OnceLock<Option<Built<N>>>,
    postgres: OnceLock<Option<Built<N>>>,
}

impl<const N: usize> Prepared<N> {
    /// For a `static`: nothing is built until first used.
    #[must_use]
    pub const fn new(query: fn([Uuid; N]) -> SelectStatement) -> Self {
        Self {
            query,
            sqlite: OnceLock::new(),
            postgres: OnceLock::new(),
        }
    }

    /// The statement for `ids` on `backend`: what `backend.build(&query(ids))`
    /// gives, from the copy built once where there is one.
    #[must_use]
    pub fn statement(&self, backend: DbBackend, ids: [Uuid; N]) -> Statement {
        let cell = match backend {
            DbBackend::Sqlite => &self.sqlite,
            DbBackend::Postgres => &self.postgres,
            _ => return backend.build(&(self.query)(ids)),
        };
        match cell.get_or_init(|| Built::new(backend, self.query)) {
            Some(built) => built.statement(backend, ids),
            None => backend.build(&(self.query)(ids)),
        }
    }

    /// The statement built anew (what [`Self::statement`] must equal).
    #[must_use]
    pub fn built_now(&self, backend: DbBackend, ids: [Uuid; N]) -> Statement {
        backend.build(&(self.query)(ids))
    }
}
