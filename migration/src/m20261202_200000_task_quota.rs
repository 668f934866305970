use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `users.task_count`: how many tasks the user owns, kept by triggers on
/// `tasks` so that every statement that inserts or deletes tasks (a create,
/// a bulk seed, a cascade, a later subtree delete) keeps it exact; the task
/// quota is checked against it in the insert itself (`models::tasks::quota`).
/// Counting rows per create instead costs a scan of the owner's index entries
/// (100,000 at the limit) on every `POST /tasks`.
///
/// PostgreSQL counts per statement (transition tables), so a delete of a
/// million tasks updates the user's row once, not a million times; SQLite
/// has only row triggers, whose updates of one row stay in its page cache.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements: &[&str] = match m.get_database_backend() {
            DbBackend::Postgres => &[
                "ALTER TABLE users ADD COLUMN task_count integer NOT NULL DEFAULT 0",
                "UPDATE users SET task_count = c.n \
                 FROM (SELECT user_id, count(*) AS n FROM tasks GROUP BY user_id) c \
                 WHERE users.id = c.user_id",
                "CREATE FUNCTION tasks_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   UPDATE users SET task_count = task_count + c.n \
                   FROM (SELECT user_id, count(*) AS n FROM inserted GROUP BY user_id) c \
                   WHERE users.id = c.user_id; \
                   RETURN NULL; \
                 END $$",
                "CREATE FUNCTION tasks_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   UPDATE users SET task_count = task_count - c.n \
                   FROM (SELECT user_id, count(*) AS n FROM deleted GROUP BY user_id) c \
                   WHERE users.id = c.user_id; \
                   RETURN NULL; \
                 END $$",
                "CREATE FUNCTION tasks_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   UPDATE users SET task_count = task_count - 1 WHERE id = OLD.user_id; \
                   UPDATE users SET task_count = task_count + 1 WHERE id = NEW.user_id; \
                   RETURN NULL; \
                 END $$",
                "CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks \
                 REFERENCING NEW TABLE AS inserted \
                 FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_inserted()",
                "CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks \
                 REFERENCING OLD TABLE AS deleted \
                 FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_deleted()",
                "CREATE TRIGGER tasks_count_move AFTER UPDATE OF user_id ON tasks \
                 FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) \
                 EXECUTE FUNCTION tasks_count_moved()",
            ],
            _ => &[
                "ALTER TABLE users ADD COLUMN task_count integer NOT NULL DEFAULT 0",
                "UPDATE users SET task_count = \
                 (SELECT count(*) FROM tasks WHERE tasks.user_id = users.id)",
                "CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN \
                 UPDATE users SET task_count = task_count + 1 WHERE id = NEW.user_id; END",
                "CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN \
                 UPDATE users SET task_count = task_count - 1 WHERE id = OLD.user_id; END",
                "CREATE TRIGGER tasks_count_move AFTER UPDATE OF user_id ON tasks \
                 WHEN OLD.user_id IS NOT NEW.user_id BEGIN \
                 UPDATE users SET task_count = task_count - 1 WHERE id = OLD.user_id; \
                 UPDATE users SET task_count = task_count + 1 WHERE id = NEW.user_id; END",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for name in [
            "tasks_count_insert",
            "tasks_count_delete",
            "tasks_count_move",
        ] {
            let sql = match m.get_database_backend() {
                DbBackend::Postgres => format!("DROP TRIGGER IF EXISTS {name} ON tasks"),
                _ => format!("DROP TRIGGER IF EXISTS {name}"),
            };
            db.execute_unprepared(&sql).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "DROP FUNCTION IF EXISTS tasks_count_inserted, tasks_count_deleted, tasks_count_moved",
            )
            .await?;
        }
        db.execute_unprepared("ALTER TABLE users DROP COLUMN task_count")
            .await?;
        Ok(())
    }
}
