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

/// A statement built once with stand-in values, and where each value of a
/// use goes.
struct Template {
    sql: String,
    values: Vec<Value>,
    /// For each value of a use, the positions its stand-in took.
    slots: Vec<Vec<usize>>,
}

impl Template {
    /// `None` when a stand-in is missing from the values, or two stand-ins
    /// share a position (then the statement is built per use).
    fn new(built: Statement, stand_ins: &[Value]) -> Option<Self> {
        let values = built.values.map(|v| v.0).unwrap_or_default();
        let mut slots = Vec::with_capacity(stand_ins.len());
        for stand_in in stand_ins {
            let at: Vec<usize> = (0..values.len())
                .filter(|i| values[*i] == *stand_in)
                .collect();
            if at.is_empty() || stand_ins.iter().filter(|s| *s == stand_in).count() > 1 {
                return None;
            }
            slots.push(at);
        }
        Some(Self {
            sql: built.sql,
            values,
            slots,
        })
    }

    fn statement(&self, backend: DbBackend, values: Vec<Value>) -> Statement {
        let mut all = self.values.clone();
        for (slots, value) in self.slots.iter().zip(values) {
            for slot in slots {
                all[*slot] = value.clone();
            }
        }
        Statement::from_sql_and_values(backend, self.sql.clone(), all)
    }
}

/// Statements whose SQL follows from a shape alone (a sort order, whether a
/// cursor is given, which of a few look-ups), built once per backend and
/// shape, with new values per use: as [`Prepared`], for the hot statements
/// whose values are not only ids. Building a page's SELECT with sea-query
/// (its fourteen columns, the keyset, the quoting) was a tenth of a page's
/// instructions (docs/performance.md, "Organizing").
pub struct Templates {
    built: std::sync::Mutex<Shapes>,
}

/// The template of each (backend, shape); `None` where there is none.
type Shapes = std::collections::HashMap<(u8, String), Option<std::sync::Arc<Template>>>;

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    #[must_use]
    pub fn new() -> Self {
        Self {
            built: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Whether `shape` on `backend` is copied from a template (rather than
    /// built per use, or not used yet).
    #[must_use]
    pub fn copies(&self, backend: DbBackend, shape: &str) -> bool {
        let built = self
            .built
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        matches!(
            built.get(&(backend as u8, shape.to_string())),
            Some(Some(_))
        )
    }

    /// The statement `build(params)` makes, whose SQL depends on `shape`
    /// only: built anew the first time for `shape` on `backend` from
    /// `stand_ins` (params whose `bound` values are each distinct from every
    /// other value the statement binds), then copied with `bound(params)`
    /// in the stand-ins' places.
    pub fn statement<P>(
        &self,
        backend: DbBackend,
        shape: &str,
        params: &P,
        stand_ins: impl FnOnce() -> P,
        bound: impl Fn(&P) -> Vec<Value>,
        build: impl Fn(&P) -> Statement,
    ) -> Statement {
        let key = (backend as u8, shape.to_string());
        let template = {
            let mut built = self
                .built
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            built
                .entry(key)
                .or_insert_with(|| {
                    let stand_ins = stand_ins();
                    Template::new(build(&stand_ins), &bound(&stand_ins)).map(std::sync::Arc::new)
                })
                .clone()
        };
        match template {
            Some(template) => template.statement(backend, bound(params)),
            None => build(params),
        }
    }
}
