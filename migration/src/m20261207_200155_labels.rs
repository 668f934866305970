use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Labels {
    Table,
    Id,
    Pid,
    UserId,
    Name,
    NameKey,
    Color,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// Labels (contract, organizing.md): a user's tags, each name stored once
/// here; tasks reference labels by id (`task_labels`, the next migration).
///
/// - `name_key` is the name lowercased by the application (Unicode-aware,
///   as a list's), unique per user: names are unique ignoring case.
/// - `GET /labels` pages by name ignoring case: the unique index
///   `(user_id, name_key)` is that order (ties cannot happen); `name_key`
///   compares bytes on both databases (`COLLATE "C"` on PostgreSQL).
///
/// Made with `cargo loco generate model label …`, then edited: the ids are
/// `integer` like every other table's (the generator's `bigint` would not
/// match `users.id`), names are bounded, and the version starts at 1.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Labels::Table)
                .col(pk_auto(Labels::Id))
                .col(uuid_uniq(Labels::Pid))
                .col(integer(Labels::UserId))
                .col(string_len(Labels::Name, 60))
                .col(text(Labels::NameKey))
                .col(string_len_null(Labels::Color, 7))
                .col(integer(Labels::Version).default(1))
                .col(timestamp_with_time_zone(Labels::CreatedAt).default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone(Labels::UpdatedAt).default(Expr::current_timestamp()))
                .check(Expr::col(Labels::Name).ne(""))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_labels_user")
                        .from(Labels::Table, Labels::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            // Byte order, as SQLite compares, whatever the database's
            // default collation: the order of `GET /labels` and of a task's
            // labels, served by the unique index below.
            db.execute_unprepared(
                r#"ALTER TABLE labels ALTER COLUMN name_key TYPE text COLLATE "C""#,
            )
            .await?;
        }
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_labels_user_name ON labels (user_id, name_key)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Labels::Table).to_owned())
            .await
    }
}
