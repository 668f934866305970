use sea_orm_migration::{
    prelude::*,
    sea_orm::{DbBackend, FromQueryResult, Statement},
};

use crate::sqlite_rebuild::{rebuild, Rebuild};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Subtasks and the manual order of tasks (contract, organizing.md).
///
/// - `parent_pid`: the parent task's UUID, or NULL for a top-level task.
///   The foreign key `(parent_pid, list_pid) → tasks (pid, list_pid)` keeps
///   the tree's rules in the database: a subtask lives in its parent's list;
///   deleting a task deletes its subtree (ON DELETE CASCADE); changing a
///   task's list moves its whole subtree (ON UPDATE CASCADE, level by level).
/// - Depth and cycles are checked by triggers on every insert of a subtask
///   and every change of a parent: at most four levels, never a task under
///   itself or its own descendant. On PostgreSQL the check first locks the
///   owner's row, so two concurrent moves of one user run their checks one
///   after the other and the second sees the first (READ COMMITTED gives
///   each statement of the trigger a fresh snapshot): two moves that would
///   together make a cycle cannot both pass. SQLite runs one write at a time.
/// - Completing a task completes its descendants that are not complete yet,
///   in the same statement (a trigger): each gets the parent's
///   `completed_at` and `updated_at` and a new version.
/// - `position`: the manual order among siblings (byte order: `COLLATE "C"`
///   on PostgreSQL). Existing tasks are numbered per list in creation order:
///   fixed-width decimal row numbers followed by `V`, valid keys of
///   `domain::position` (digits of its alphabet, never ending in `0`).
/// - Indexes: a list's top-level tasks in order (`parent_pid IS NULL`), and
///   a task's subtasks in order (also the look-up of the cascades).
///
/// SQLite cannot add a table constraint, so there the table is rebuilt
/// (`sqlite_rebuild`), keeping its rows, indexes, triggers and counter.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        // The SQLite rebuild too is all or nothing.
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let width = key_width(m).await?;
        if m.get_database_backend() == DbBackend::Postgres {
            for sql in [
                "ALTER TABLE tasks ADD COLUMN parent_pid uuid NULL".to_string(),
                r#"ALTER TABLE tasks ADD COLUMN position text COLLATE "C" NOT NULL DEFAULT ''"#
                    .to_string(),
                format!(
                    "UPDATE tasks SET position = k.key FROM (SELECT id, \
                     lpad(row_number() OVER (PARTITION BY list_pid ORDER BY created_at, pid)::text, \
                     {width}, '0') || 'V' AS key FROM tasks) k WHERE tasks.id = k.id"
                ),
                "ALTER TABLE tasks ALTER COLUMN position DROP DEFAULT".to_string(),
                "ALTER TABLE tasks ADD CONSTRAINT tasks_position_set CHECK (position <> '')"
                    .to_string(),
                "ALTER TABLE tasks ADD CONSTRAINT tasks_not_own_parent CHECK (parent_pid <> pid)"
                    .to_string(),
                "ALTER TABLE tasks ADD CONSTRAINT tasks_pid_list UNIQUE (pid, list_pid)"
                    .to_string(),
                "ALTER TABLE tasks ADD CONSTRAINT fk_tasks_parent FOREIGN KEY (parent_pid, list_pid) \
                 REFERENCES tasks (pid, list_pid) ON DELETE CASCADE ON UPDATE CASCADE"
                    .to_string(),
            ] {
                db.execute_unprepared(&sql).await?;
            }
            for sql in POSTGRES_TRIGGERS {
                db.execute_unprepared(sql).await?;
            }
        } else {
            let position = format!(
                "printf('%0{width}dV', row_number() OVER (PARTITION BY list_pid ORDER BY created_at, pid))"
            );
            let values = format!("NULL, {position}");
            rebuild(m, &sqlite_rebuild(&values), true).await?;
            for sql in SQLITE_TRIGGERS {
                db.execute_unprepared(sql).await?;
            }
        }
        for sql in INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for index in ["idx_tasks_list_top", "idx_tasks_parent"] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            for sql in [
                "DROP TRIGGER IF EXISTS tasks_tree_insert ON tasks",
                "DROP TRIGGER IF EXISTS tasks_tree_update ON tasks",
                "DROP TRIGGER IF EXISTS tasks_complete_subtree ON tasks",
                "DROP FUNCTION IF EXISTS tasks_tree_check()",
                "DROP FUNCTION IF EXISTS tasks_complete_subtree()",
                "ALTER TABLE tasks DROP CONSTRAINT fk_tasks_parent",
                "ALTER TABLE tasks DROP CONSTRAINT tasks_pid_list",
                "ALTER TABLE tasks DROP COLUMN parent_pid",
                "ALTER TABLE tasks DROP COLUMN position",
            ] {
                db.execute_unprepared(sql).await?;
            }
        } else {
            for trigger in [
                "tasks_tree_insert",
                "tasks_tree_update",
                "tasks_complete_subtree",
            ] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                    .await?;
            }
            rebuild(m, &sqlite_rebuild(""), false).await?;
        }
        Ok(())
    }
}

/// The SQLite rebuild: two columns, the pair the parent key names, the
/// parent key itself and the checks PostgreSQL gets with `ADD CONSTRAINT`.
fn sqlite_rebuild(values: &str) -> Rebuild<'_> {
    Rebuild {
        table: "tasks",
        columns: &[
            "\"parent_pid\" uuid_text NULL",
            "\"position\" text NOT NULL",
        ],
        constraints: &[
            "CONSTRAINT \"tasks_position_set\" CHECK (\"position\" <> '')",
            "CONSTRAINT \"tasks_not_own_parent\" CHECK (\"parent_pid\" <> \"pid\")",
            "CONSTRAINT \"tasks_pid_list\" UNIQUE (\"pid\", \"list_pid\")",
            "CONSTRAINT \"fk_tasks_parent\" FOREIGN KEY (\"parent_pid\", \"list_pid\") \
             REFERENCES \"{table}\" (\"pid\", \"list_pid\") ON DELETE CASCADE ON UPDATE CASCADE",
        ],
        filled: (&["parent_pid", "position"], values),
    }
}

#[derive(FromQueryResult)]
struct Most {
    most: Option<i64>,
}

/// Digits of the row numbers of the backfilled positions: enough for the
/// largest list.
async fn key_width(m: &SchemaManager<'_>) -> Result<usize, DbErr> {
    let backend = m.get_database_backend();
    let most = Most::find_by_statement(Statement::from_string(
        backend,
        "SELECT max(n) AS most FROM (SELECT count(*) AS n FROM tasks GROUP BY list_pid) c",
    ))
    .one(m.get_connection())
    .await?
    .and_then(|row| row.most)
    .unwrap_or(0);
    Ok(Ord::max(most, 1).to_string().len())
}

const INDEXES: [&str; 2] = [
    "CREATE INDEX idx_tasks_list_top ON tasks (list_pid, position, pid) WHERE parent_pid IS NULL",
    "CREATE INDEX idx_tasks_parent ON tasks (parent_pid, position, pid) WHERE parent_pid IS NOT NULL",
];

/// The tree check: `depth` counts the new parent and its ancestors (the
/// task's own level), `height` the levels below the task; the task's
/// deepest descendant must stay at level 3 (four levels in all).
const POSTGRES_TRIGGERS: [&str; 5] = [
    "CREATE FUNCTION tasks_tree_check() RETURNS trigger LANGUAGE plpgsql AS $$ \
     DECLARE \
       ancestor uuid := NEW.parent_pid; \
       depth int := 0; \
       height int := 0; \
     BEGIN \
       PERFORM 1 FROM users WHERE id = NEW.user_id FOR UPDATE; \
       WHILE ancestor IS NOT NULL LOOP \
         IF ancestor = NEW.pid THEN \
           RAISE EXCEPTION 'taskforge: parent_id would make a cycle' USING ERRCODE = 'check_violation'; \
         END IF; \
         depth := depth + 1; \
         IF depth > 3 THEN \
           RAISE EXCEPTION 'taskforge: parent_id nests too deep' USING ERRCODE = 'check_violation'; \
         END IF; \
         SELECT parent_pid INTO ancestor FROM tasks WHERE pid = ancestor; \
       END LOOP; \
       IF TG_OP = 'UPDATE' THEN \
         WITH RECURSIVE below(pid, level) AS ( \
           SELECT pid, 1 FROM tasks WHERE parent_pid = NEW.pid \
           UNION ALL \
           SELECT t.pid, below.level + 1 FROM tasks t JOIN below ON t.parent_pid = below.pid \
           WHERE below.level < 4 \
         ) SELECT coalesce(max(level), 0) INTO height FROM below; \
       END IF; \
       IF depth + height > 3 THEN \
         RAISE EXCEPTION 'taskforge: parent_id nests too deep' USING ERRCODE = 'check_violation'; \
       END IF; \
       RETURN NEW; \
     END $$",
    "CREATE TRIGGER tasks_tree_insert BEFORE INSERT ON tasks FOR EACH ROW \
     WHEN (NEW.parent_pid IS NOT NULL) EXECUTE FUNCTION tasks_tree_check()",
    "CREATE TRIGGER tasks_tree_update BEFORE UPDATE OF parent_pid ON tasks FOR EACH ROW \
     WHEN (NEW.parent_pid IS NOT NULL AND NEW.parent_pid IS DISTINCT FROM OLD.parent_pid) \
     EXECUTE FUNCTION tasks_tree_check()",
    // Fires again for each completed child, so the whole subtree follows.
    "CREATE FUNCTION tasks_complete_subtree() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       UPDATE tasks SET status = 2, completed_at = NEW.completed_at, \
         version = version + 1, updated_at = NEW.updated_at \
       WHERE parent_pid = NEW.pid AND status <> 2; \
       RETURN NULL; \
     END $$",
    "CREATE TRIGGER tasks_complete_subtree AFTER UPDATE OF status ON tasks FOR EACH ROW \
     WHEN (NEW.status = 2 AND OLD.status <> 2) EXECUTE FUNCTION tasks_complete_subtree()",
];

/// SQLite triggers cannot recurse (no `WITH` in a trigger, and a trigger
/// does not fire itself unless `recursive_triggers` is on), but the tree has
/// at most four levels: the ancestors and descendants are three joins deep.
const SQLITE_TRIGGERS: [&str; 3] = [
    "CREATE TRIGGER tasks_tree_insert BEFORE INSERT ON tasks WHEN NEW.parent_pid IS NOT NULL \
     BEGIN \
       SELECT RAISE(ABORT, 'taskforge: parent_id nests too deep') \
       FROM tasks p JOIN tasks g ON g.pid = p.parent_pid JOIN tasks gg ON gg.pid = g.parent_pid \
       WHERE p.pid = NEW.parent_pid AND gg.parent_pid IS NOT NULL; \
     END",
    "CREATE TRIGGER tasks_tree_update BEFORE UPDATE OF parent_pid ON tasks \
     WHEN NEW.parent_pid IS NOT NULL AND NEW.parent_pid IS NOT OLD.parent_pid \
     BEGIN \
       SELECT RAISE(ABORT, 'taskforge: parent_id would make a cycle') \
       FROM tasks p LEFT JOIN tasks g ON g.pid = p.parent_pid \
       LEFT JOIN tasks gg ON gg.pid = g.parent_pid \
       WHERE p.pid = NEW.parent_pid AND (p.pid = NEW.pid OR p.parent_pid = NEW.pid \
         OR g.parent_pid = NEW.pid OR gg.parent_pid = NEW.pid); \
       SELECT RAISE(ABORT, 'taskforge: parent_id nests too deep') \
       FROM tasks p LEFT JOIN tasks g ON g.pid = p.parent_pid \
       LEFT JOIN tasks gg ON gg.pid = g.parent_pid \
       WHERE p.pid = NEW.parent_pid AND 1 + (p.parent_pid IS NOT NULL) \
         + (g.parent_pid IS NOT NULL) + (gg.parent_pid IS NOT NULL) + CASE \
           WHEN EXISTS (SELECT 1 FROM tasks c1 JOIN tasks c2 ON c2.parent_pid = c1.pid \
             JOIN tasks c3 ON c3.parent_pid = c2.pid WHERE c1.parent_pid = NEW.pid) THEN 3 \
           WHEN EXISTS (SELECT 1 FROM tasks c1 JOIN tasks c2 ON c2.parent_pid = c1.pid \
             WHERE c1.parent_pid = NEW.pid) THEN 2 \
           WHEN EXISTS (SELECT 1 FROM tasks c1 WHERE c1.parent_pid = NEW.pid) THEN 1 \
           ELSE 0 END > 3; \
     END",
    "CREATE TRIGGER tasks_complete_subtree AFTER UPDATE OF status ON tasks \
     WHEN NEW.status = 2 AND OLD.status <> 2 \
     BEGIN \
       UPDATE tasks SET status = 2, completed_at = NEW.completed_at, \
         version = version + 1, updated_at = NEW.updated_at \
       WHERE status <> 2 AND parent_pid IN ( \
         SELECT NEW.pid \
         UNION ALL SELECT c1.pid FROM tasks c1 WHERE c1.parent_pid = NEW.pid \
         UNION ALL SELECT c2.pid FROM tasks c1 JOIN tasks c2 ON c2.parent_pid = c1.pid \
           WHERE c1.parent_pid = NEW.pid); \
     END",
];
