use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Pid,
    Email,
    Password,
    Name,
    Timezone,
    ReminderLeadMinutes,
    ResetTokenHash,
    ResetSentAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_auto(Users::Id))
                .col(uuid_uniq(Users::Pid))
                .col(string_len(Users::Email, 254))
                .col(string(Users::Password))
                .col(string_len(Users::Name, 100))
                .col(string_len(Users::Timezone, 64).default("UTC"))
                .col(integer(Users::ReminderLeadMinutes).default(60))
                .col(string_null(Users::ResetTokenHash))
                .col(timestamp_with_time_zone_null(Users::ResetSentAt))
                .col(timestamp_with_time_zone(Users::CreatedAt).default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone(Users::UpdatedAt).default(Expr::current_timestamp()))
                .check(Expr::col(Users::ReminderLeadMinutes).between(0, 10_080))
                .check(Expr::col(Users::Email).ne(""))
                .to_owned(),
        )
        .await?;
        // Email uniqueness is case-insensitive: an expression index, which
        // SQLite and PostgreSQL both support with this exact syntax, and which
        // serves the `lower(email) = ?` login look-up.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX idx_users_email_lower ON users (lower(email))")
            .await?;
        m.create_index(
            Index::create()
                .name("idx_users_reset_token_hash")
                .table(Users::Table)
                .col(Users::ResetTokenHash)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
