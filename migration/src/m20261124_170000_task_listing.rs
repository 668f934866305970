use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    SearchText,
}

/// Listing at scale: one index per sort, each led by the owner and ending
/// with the id tie-breaker, and the text that `q=` searches.
///
/// `search_text` is the title and description lowercased by the application
/// (Unicode-aware, which SQLite's `lower()` is not), so search is the same
/// on both databases; PostgreSQL indexes it with trigrams for `LIKE '%…%'`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tasks::Table)
                .add_column(text(Tasks::SearchText).default(""))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE tasks SET search_text = lower(title || ' ' || coalesce(description, ''))",
        )
        .await?;
        for statement in [
            "CREATE INDEX idx_tasks_user_updated ON tasks (user_id, updated_at, pid)",
            // Tasks without a due date sort last in both directions: the
            // listing orders by these exact expressions (see task_listing.rs).
            "CREATE INDEX idx_tasks_user_due_asc ON tasks (user_id, (COALESCE(due_at, '9999-12-31T23:59:59+00:00')), pid)",
            "CREATE INDEX idx_tasks_user_due_desc ON tasks (user_id, (COALESCE(due_at, '0001-01-01T00:00:00+00:00')), pid)",
            "CREATE INDEX idx_tasks_user_priority ON tasks (user_id, priority, pid)",
            "CREATE INDEX idx_tasks_user_title ON tasks (user_id, title, pid)",
            "CREATE INDEX idx_tasks_user_status ON tasks (user_id, status, pid)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        if m.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            db.execute_unprepared(
                "CREATE INDEX idx_tasks_search_trgm ON tasks USING gin (search_text gin_trgm_ops)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for index in [
            "idx_tasks_search_trgm",
            "idx_tasks_user_updated",
            "idx_tasks_user_due_asc",
            "idx_tasks_user_due_desc",
            "idx_tasks_user_priority",
            "idx_tasks_user_title",
            "idx_tasks_user_status",
        ] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Tasks::Table)
                .drop_column(Tasks::SearchText)
                .to_owned(),
        )
        .await
    }
}
