//! SQLite cannot add a table constraint to an existing table
//! (`ALTER TABLE … ADD CONSTRAINT` does not exist there). This is SQLite's
//! own procedure for it (<https://www.sqlite.org/lang_altertable.html>,
//! "Making Other Kinds Of Table Schema Changes"): create the new table under
//! another name, copy the rows, drop the old table, rename the new one, and
//! create the old table's indexes and triggers again from their stored SQL.
//!
//! It runs inside the migration's transaction, with foreign keys on (the
//! pragma cannot change inside a transaction). That is safe here because no
//! other table references the rebuilt one, and the new table's own foreign
//! keys reference itself under its new name (renamed along with it).
use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, FromQueryResult, Statement},
};

#[derive(FromQueryResult)]
struct Sql {
    sql: String,
}

#[derive(FromQueryResult)]
struct Name {
    name: String,
}

#[derive(FromQueryResult)]
struct Seq {
    seq: i64,
}

/// The change a rebuild makes to a table's `CREATE TABLE` text.
pub struct Rebuild<'a> {
    pub table: &'a str,
    /// Column definitions added after the last column.
    pub columns: &'a [&'a str],
    /// Table constraints added after the last one; `{table}` in them stands
    /// for the table's name.
    pub constraints: &'a [&'a str],
    /// The names of the added columns, and the expressions (over the old table's
    /// columns) that fill them, as in `INSERT INTO t (columns) SELECT …`.
    pub filled: (&'a [&'a str], &'a str),
}

async fn query_all<T: FromQueryResult>(
    db: &SchemaManagerConnection<'_>,
    sql: &str,
) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .all(db)
        .await
}

/// Rebuilds `rebuild.table` with the columns and constraints of `rebuild`
/// added to its definition (`up`) or removed from it again (`!up`), keeping every row, index,
/// trigger and the AUTOINCREMENT counter.
///
/// # Errors
/// Database errors; a table whose definition does not end as expected.
pub async fn rebuild(m: &SchemaManager<'_>, rebuild: &Rebuild<'_>, up: bool) -> Result<(), DbErr> {
    let db = m.get_connection();
    let table = rebuild.table;
    let temporary = format!("{table}_rebuilt");
    let create = query_all::<Sql>(
        db,
        &format!("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
    )
    .await?
    .pop()
    .ok_or_else(|| DbErr::Custom(format!("no table {table}")))?
    .sql;
    // Indexes made for UNIQUE constraints have no SQL: they come back with
    // the table definition.
    let others = query_all::<Sql>(
        db,
        &format!(
            "SELECT sql FROM sqlite_master WHERE tbl_name = '{table}' \
             AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name"
        ),
    )
    .await?;
    let sequence = query_all::<Seq>(
        db,
        &format!("SELECT seq FROM sqlite_sequence WHERE name = '{table}'"),
    )
    .await?
    .pop();
    let open = create
        .find('(')
        .ok_or_else(|| DbErr::Custom(format!("unexpected definition of {table}")))?;
    let close = create
        .rfind(')')
        .ok_or_else(|| DbErr::Custom(format!("unexpected definition of {table}")))?;
    let (mut columns, mut constraints) = split_definitions(&create[open + 1..close]);
    // As stored after the rename (SQLite renames the references too).
    let added: Vec<String> = rebuild
        .constraints
        .iter()
        .map(|c| c.replace("{table}", table))
        .collect();
    if up {
        columns.extend(rebuild.columns.iter().map(ToString::to_string));
        constraints.extend(added);
    } else {
        let before = (columns.len(), constraints.len());
        columns.retain(|c| !rebuild.columns.contains(&c.as_str()));
        constraints.retain(|c| !added.contains(c));
        if before
            != (
                columns.len() + rebuild.columns.len(),
                constraints.len() + added.len(),
            )
        {
            return Err(DbErr::Custom(format!(
                "{table} was not rebuilt by this migration"
            )));
        }
    }
    // Named by the temporary name during the copy; the rename renames the
    // table's references to itself.
    let definitions = columns
        .into_iter()
        .chain(constraints)
        .map(|d| d.replace(&format!("\"{table}\""), &format!("\"{temporary}\"")))
        .collect::<Vec<_>>()
        .join(", ");
    let new_table = format!("CREATE TABLE \"{temporary}\" ( {definitions} )");
    db.execute_unprepared(&new_table).await?;
    let (new_columns, values) = rebuild.filled;
    let kept = query_all::<Name>(
        db,
        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    )
    .await?
    .into_iter()
    .map(|c| c.name)
    .filter(|name| !new_columns.contains(&name.as_str()))
    .map(|name| format!("\"{name}\""))
    .collect::<Vec<_>>()
    .join(", ");
    let new_columns = new_columns.join(", ");
    let copy = if up {
        format!("INSERT INTO \"{temporary}\" ({kept}, {new_columns}) SELECT {kept}, {values} FROM \"{table}\"")
    } else {
        format!("INSERT INTO \"{temporary}\" ({kept}) SELECT {kept} FROM \"{table}\"")
    };
    db.execute_unprepared(&copy).await?;
    db.execute_unprepared(&format!("DROP TABLE \"{table}\""))
        .await?;
    db.execute_unprepared(&format!(
        "ALTER TABLE \"{temporary}\" RENAME TO \"{table}\""
    ))
    .await?;
    for other in others {
        // Indexes and triggers this migration adds are made by its own
        // steps, after the rebuild.
        db.execute_unprepared(&other.sql).await?;
    }
    if let Some(Seq { seq }) = sequence {
        db.execute_unprepared(&format!(
            "UPDATE sqlite_sequence SET seq = max(seq, {seq}) WHERE name = '{table}'"
        ))
        .await?;
    }
    Ok(())
}

/// The column definitions and the table constraints of a `CREATE TABLE`
/// body, each trimmed: the items between commas outside parentheses and
/// quotes; the constraints are the items that start with a constraint
/// keyword.
fn split_definitions(body: &str) -> (Vec<String>, Vec<String>) {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0_i32, None, 0);
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(body[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(body[start..].trim().to_string());
    let is_constraint = |item: &String| {
        let upper = item.to_ascii_uppercase();
        ["CONSTRAINT", "FOREIGN", "CHECK", "PRIMARY", "UNIQUE"]
            .iter()
            .any(|k| upper.starts_with(k))
    };
    items.into_iter().partition(|item| !is_constraint(item))
}
