use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    Pid,
    UserId,
    Title,
    Description,
    Status,
    Priority,
    DueAt,
    DueOn,
    CompletedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// `status` and `priority` are stored as ranks (workflow order, urgency) so
/// that sorting by them is a plain indexed sort; CHECKs keep them in range.
/// `due_on` keeps a date-only due date as a date; `due_at` is its instant.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(pk_auto(Tasks::Id))
                .col(uuid_uniq(Tasks::Pid))
                .col(integer(Tasks::UserId))
                .col(string_len(Tasks::Title, 200))
                .col(text_null(Tasks::Description))
                .col(small_integer(Tasks::Status).default(0))
                .col(small_integer(Tasks::Priority).default(1))
                .col(timestamp_with_time_zone_null(Tasks::DueAt))
                .col(date_null(Tasks::DueOn))
                .col(timestamp_with_time_zone_null(Tasks::CompletedAt))
                .col(integer(Tasks::Version).default(1))
                .col(timestamp_with_time_zone(Tasks::CreatedAt).default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone(Tasks::UpdatedAt).default(Expr::current_timestamp()))
                .check(Expr::col(Tasks::Status).between(0, 2))
                .check(Expr::col(Tasks::Priority).between(0, 3))
                .check(Expr::col(Tasks::Title).ne(""))
                .check(
                    Expr::col(Tasks::DueOn)
                        .is_null()
                        .or(Expr::col(Tasks::DueAt).is_not_null()),
                )
                .check(
                    Expr::col(Tasks::Status)
                        .eq(2)
                        .and(Expr::col(Tasks::CompletedAt).is_not_null())
                        .or(Expr::col(Tasks::Status)
                            .ne(2)
                            .and(Expr::col(Tasks::CompletedAt).is_null())),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_tasks_user")
                        .from(Tasks::Table, Tasks::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Serves the default listing (owner's tasks, newest first, ties by id).
        m.create_index(
            Index::create()
                .name("idx_tasks_user_created")
                .table(Tasks::Table)
                .col(Tasks::UserId)
                .col(Tasks::CreatedAt)
                .col(Tasks::Pid)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Tasks::Table).to_owned())
            .await
    }
}
