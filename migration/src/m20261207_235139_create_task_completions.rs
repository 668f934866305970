use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaskCompletions {
    Table,
    Id,
    TaskPid,
    UserId,
    CompletedAt,
    DueAt,
    DueOn,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Pid,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// The completions of recurring tasks: when, and for which due date (the
/// instant, and the date of a date-only one). Deleting the task or its
/// owner deletes them. `GET /tasks/{id}/completions` reads one task's,
/// newest first, off `(task_pid, completed_at, id)`.
///
/// Made with `cargo loco generate migration CreateTaskCompletions …`, which
/// in Loco 1.2 leaves `up()` empty for this name; the table written here
/// in the style of its `create_table` migrations.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TaskCompletions::Table)
                .col(pk_auto(TaskCompletions::Id))
                .col(uuid(TaskCompletions::TaskPid))
                .col(integer(TaskCompletions::UserId))
                .col(timestamp_with_time_zone(TaskCompletions::CompletedAt))
                .col(timestamp_with_time_zone(TaskCompletions::DueAt))
                .col(date_null(TaskCompletions::DueOn))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_completions_task")
                        .from(TaskCompletions::Table, TaskCompletions::TaskPid)
                        .to(Tasks::Table, Tasks::Pid)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_completions_user")
                        .from(TaskCompletions::Table, TaskCompletions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_task_completions_task \
                 ON task_completions (task_pid, completed_at, id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TaskCompletions::Table).to_owned())
            .await
    }
}
