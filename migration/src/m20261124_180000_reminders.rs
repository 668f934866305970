use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    RemindAt,
    ReminderSentAt,
    OverdueSentAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    Pid,
    UserId,
    TaskPid,
    Kind,
    Title,
    DueAt,
    DueOn,
    CreatedAt,
    ReadAt,
    EmailedAt,
    EmailAttempts,
    EmailNextAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// Deadline reminders and overdue notices.
///
/// A task carries when its reminder is due (`remind_at` = due − the owner's
/// lead) and when each notice was claimed; a reminder pass claims with one
/// conditional UPDATE, so a notice is claimed once however many passes run.
/// Notifications are the in-app inbox and the email outbox at once; the
/// unique (task, kind, due instant) key is a second guard against duplicates.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null(Tasks::RemindAt),
            timestamp_with_time_zone_null(Tasks::ReminderSentAt),
            timestamp_with_time_zone_null(Tasks::OverdueSentAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_reminder_pending ON tasks (remind_at) WHERE reminder_sent_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_overdue_pending ON tasks (due_at) WHERE overdue_sent_at IS NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(pk_auto(Notifications::Id))
                .col(uuid_uniq(Notifications::Pid))
                .col(integer(Notifications::UserId))
                .col(uuid(Notifications::TaskPid))
                .col(string_len(Notifications::Kind, 16))
                .col(string_len(Notifications::Title, 200))
                .col(timestamp_with_time_zone(Notifications::DueAt))
                .col(date_null(Notifications::DueOn))
                .col(
                    timestamp_with_time_zone(Notifications::CreatedAt)
                        .default(Expr::current_timestamp()),
                )
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .col(timestamp_with_time_zone_null(Notifications::EmailedAt))
                .col(integer(Notifications::EmailAttempts).default(0))
                .col(timestamp_with_time_zone_null(Notifications::EmailNextAt))
                .check(Expr::col(Notifications::Kind).is_in(["reminder", "overdue"]))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notifications_user")
                        .from(Notifications::Table, Notifications::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for statement in [
            "CREATE UNIQUE INDEX idx_notifications_once ON notifications (task_pid, kind, due_at)",
            "CREATE INDEX idx_notifications_user_created ON notifications (user_id, created_at, pid)",
            "CREATE INDEX idx_notifications_user_unread ON notifications (user_id, created_at, pid) WHERE read_at IS NULL",
            "CREATE INDEX idx_notifications_email_pending ON notifications (email_next_at) WHERE emailed_at IS NULL",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notifications::Table).to_owned())
            .await?;
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tasks_reminder_pending")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tasks_overdue_pending")
            .await?;
        for column in [Tasks::RemindAt, Tasks::ReminderSentAt, Tasks::OverdueSentAt] {
            m.alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
