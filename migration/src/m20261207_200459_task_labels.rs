use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaskLabels {
    Table,
    TaskPid,
    LabelId,
    TaskCreatedAt,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Pid,
}

#[derive(DeriveIden)]
enum Labels {
    Table,
    Id,
}

/// Which task carries which label: one row per pair, the label by id (its
/// name is stored once, on the label), the task by its UUID, the id the API
/// and a page of tasks hold. Deleting either side deletes the pair.
///
/// `task_created_at` is a copy of the task's `created_at` (which never
/// changes), so that `labels=` in the default order (newest first) reads one
/// label's tasks off `(label_id, task_created_at, task_pid)` in page order
/// and stops at the page's end, as the owner's own index does for an
/// unfiltered page: page 100 costs what page 1 does
/// (docs/performance.md, "Organizing at scale").
///
/// `tasks.label_count` tells a read whether a task has labels to look up at
/// all, so a task without labels costs no second query.
///
/// Made with `cargo loco generate migration CreateJoinTableTasksAndLabels`,
/// then edited: the task is named by its UUID, and the sort-key copy added.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TaskLabels::Table)
                .col(uuid(TaskLabels::TaskPid))
                .col(integer(TaskLabels::LabelId))
                .col(timestamp_with_time_zone(TaskLabels::TaskCreatedAt))
                .primary_key(
                    Index::create()
                        .col(TaskLabels::TaskPid)
                        .col(TaskLabels::LabelId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_labels_task")
                        .from(TaskLabels::Table, TaskLabels::TaskPid)
                        .to(Tasks::Table, Tasks::Pid)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_labels_label")
                        .from(TaskLabels::Table, TaskLabels::LabelId)
                        .to(Labels::Table, Labels::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX idx_task_labels_label ON task_labels (label_id, task_created_at, task_pid)",
            "ALTER TABLE tasks ADD COLUMN label_count smallint NOT NULL DEFAULT 0 \
             CHECK (label_count BETWEEN 0 AND 20)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("ALTER TABLE tasks DROP COLUMN label_count")
            .await?;
        m.drop_table(Table::drop().table(TaskLabels::Table).to_owned())
            .await
    }
}
