use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Recurring tasks (contract/recurrence.md): a task's series is its rule
/// (normalized RRULE text), where it repeats from (0 `due`, 1 `completion`)
/// and how many occurrences came before the current one (toward `COUNT`).
/// The rule needs a due date and the two go together, in the database too.
///
/// Made with `cargo loco generate migration AddRecurrenceToTasks
/// recurrence_rule:text recurrence_from:small_int recurrence_done:int!`,
/// then edited: the counter gets a default (existing rows) and the columns
/// their checks, which `add_column` cannot state.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "ALTER TABLE tasks ADD COLUMN recurrence_rule text \
             CHECK (recurrence_rule IS NULL OR due_at IS NOT NULL)",
            "ALTER TABLE tasks ADD COLUMN recurrence_from smallint \
             CHECK ((recurrence_from IS NULL) = (recurrence_rule IS NULL) \
             AND (recurrence_from IS NULL OR recurrence_from IN (0, 1)))",
            "ALTER TABLE tasks ADD COLUMN recurrence_done integer NOT NULL DEFAULT 0 \
             CHECK (recurrence_done >= 0)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for column in ["recurrence_done", "recurrence_from", "recurrence_rule"] {
            db.execute_unprepared(&format!("ALTER TABLE tasks DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
