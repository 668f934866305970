use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL only: the trigram index of `q=` moves from `tasks` to a side
/// table, `task_search (task_id, search_text)`, kept by triggers on `tasks`.
///
/// Why: an update of a `tasks` row that changes an indexed column (`due_at`,
/// `remind_at`) writes a new row version and an entry in every index of the
/// table, the GIN index included, although the text did not change. A
/// timezone change re-arming 52,574 date-only tasks took 6.9 s in one plain
/// `UPDATE` with the trigram index on `tasks` and 3.3 s without it
/// (docs/performance.md, "Account operations at scale"); the contract allows
/// 5 s. The side table is written only when a task is created or deleted or
/// its text changes.
///
/// `tasks.search_text` stays (the application lowercases it, Unicode-aware,
/// and SQLite searches it in place); inserts and deletes are copied per
/// statement (transition tables: a seed of a million rows or an account
/// deletion is one join, not a million trigger calls), text changes per row.
/// No foreign key: the triggers are the only writers, and a cascade would
/// delete row by row.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for sql in [
            "CREATE TABLE task_search (task_id integer PRIMARY KEY, search_text text NOT NULL)",
            "INSERT INTO task_search (task_id, search_text) SELECT id, search_text FROM tasks",
            "DROP INDEX IF EXISTS idx_tasks_search_trgm",
            "CREATE INDEX idx_task_search_trgm ON task_search USING gin (search_text gin_trgm_ops)",
            "CREATE FUNCTION task_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               INSERT INTO task_search (task_id, search_text) SELECT id, search_text FROM inserted; \
               RETURN NULL; \
             END $$",
            "CREATE FUNCTION task_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               DELETE FROM task_search s USING deleted d WHERE s.task_id = d.id; \
               RETURN NULL; \
             END $$",
            "CREATE FUNCTION task_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               UPDATE task_search SET search_text = NEW.search_text WHERE task_id = NEW.id; \
               RETURN NULL; \
             END $$",
            "CREATE TRIGGER task_search_insert AFTER INSERT ON tasks \
             REFERENCING NEW TABLE AS inserted \
             FOR EACH STATEMENT EXECUTE FUNCTION task_search_inserted()",
            "CREATE TRIGGER task_search_delete AFTER DELETE ON tasks \
             REFERENCING OLD TABLE AS deleted \
             FOR EACH STATEMENT EXECUTE FUNCTION task_search_deleted()",
            "CREATE TRIGGER task_search_change AFTER UPDATE OF search_text ON tasks \
             FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) \
             EXECUTE FUNCTION task_search_changed()",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for sql in [
            "DROP TRIGGER IF EXISTS task_search_insert ON tasks",
            "DROP TRIGGER IF EXISTS task_search_delete ON tasks",
            "DROP TRIGGER IF EXISTS task_search_change ON tasks",
            "DROP FUNCTION IF EXISTS task_search_inserted, task_search_deleted, task_search_changed",
            "DROP TABLE IF EXISTS task_search",
            "CREATE INDEX idx_tasks_search_trgm ON tasks USING gin (search_text gin_trgm_ops)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
