use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{DbBackend, FromQueryResult},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Lists {
    Table,
    Id,
    Pid,
    UserId,
    Name,
    NameKey,
    Color,
    Inbox,
    Archived,
    Position,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// Lists (contract, organizing.md). Every user gets an inbox here, and every
/// existing task moves into its owner's inbox.
///
/// - `name_key` is the name lowercased by the application (Unicode-aware, as
///   `search_text`), unique per user: names are unique ignoring case.
/// - One inbox per user: a unique index over `user_id` of the inbox rows.
/// - `position` sorts in byte order (`domain::position`): `COLLATE "C"` on
///   PostgreSQL, whose default collation may not; SQLite compares bytes.
/// - `tasks.list_pid` names the list by its UUID, the id the API shows, so no
///   task read needs a join. The foreign key deletes a list's tasks with it.
///   It is `NOT NULL` on PostgreSQL; SQLite cannot add a `NOT NULL` column
///   without a default, so two triggers refuse a NULL there.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Lists::Table)
                .col(pk_auto(Lists::Id))
                .col(uuid_uniq(Lists::Pid))
                .col(integer(Lists::UserId))
                .col(string_len(Lists::Name, 100))
                .col(text(Lists::NameKey))
                .col(string_len_null(Lists::Color, 7))
                .col(boolean(Lists::Inbox).default(false))
                .col(boolean(Lists::Archived).default(false))
                .col(text(Lists::Position))
                .col(integer(Lists::Version).default(1))
                .col(timestamp_with_time_zone(Lists::CreatedAt).default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone(Lists::UpdatedAt).default(Expr::current_timestamp()))
                .check(Expr::col(Lists::Name).ne(""))
                .check(
                    Expr::col(Lists::Inbox)
                        .eq(false)
                        .or(Expr::col(Lists::Archived).eq(false)),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_lists_user")
                        .from(Lists::Table, Lists::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let postgres = m.get_database_backend() == DbBackend::Postgres;
        let mut statements = vec![
            "CREATE UNIQUE INDEX idx_lists_user_name ON lists (user_id, name_key)",
            "CREATE UNIQUE INDEX idx_lists_user_inbox ON lists (user_id) WHERE inbox",
            "CREATE INDEX idx_lists_user_position ON lists (user_id, position, pid)",
        ];
        if postgres {
            statements.push(r#"ALTER TABLE lists ALTER COLUMN position TYPE text COLLATE "C""#);
        }
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        add_inboxes(m).await?;
        let tasks: &[&str] = if postgres {
            &[
                "ALTER TABLE tasks ADD COLUMN list_pid uuid REFERENCES lists (pid) ON DELETE CASCADE",
                "UPDATE tasks SET list_pid = (SELECT pid FROM lists \
                 WHERE lists.user_id = tasks.user_id AND lists.inbox)",
                "ALTER TABLE tasks ALTER COLUMN list_pid SET NOT NULL",
            ]
        } else {
            &[
                "ALTER TABLE tasks ADD COLUMN list_pid uuid_text NULL REFERENCES lists (pid) ON DELETE CASCADE",
                "UPDATE tasks SET list_pid = (SELECT pid FROM lists \
                 WHERE lists.user_id = tasks.user_id AND lists.inbox)",
                "CREATE TRIGGER tasks_list_required_insert BEFORE INSERT ON tasks \
                 WHEN NEW.list_pid IS NULL BEGIN \
                 SELECT RAISE(ABORT, 'NOT NULL constraint failed: tasks.list_pid'); END",
                "CREATE TRIGGER tasks_list_required_update BEFORE UPDATE OF list_pid ON tasks \
                 WHEN NEW.list_pid IS NULL BEGIN \
                 SELECT RAISE(ABORT, 'NOT NULL constraint failed: tasks.list_pid'); END",
            ]
        };
        for sql in tasks {
            db.execute_unprepared(sql).await?;
        }
        // `list_id=` in the default order (newest first), and the cascade's
        // look-up of a deleted list's tasks.
        db.execute_unprepared(
            "CREATE INDEX idx_tasks_list_created ON tasks (list_pid, created_at, pid)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tasks_list_created")
            .await?;
        if m.get_database_backend() != DbBackend::Postgres {
            for trigger in ["tasks_list_required_insert", "tasks_list_required_update"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                    .await?;
            }
        }
        db.execute_unprepared("ALTER TABLE tasks DROP COLUMN list_pid")
            .await?;
        m.drop_table(Table::drop().table(Lists::Table).to_owned())
            .await
    }
}

#[derive(FromQueryResult)]
struct UserId {
    id: i32,
}

/// An inbox for every user, 500 per statement (UUIDs made here: SQLite has
/// no UUID function, and stores them as 16-byte blobs as SeaORM binds them).
async fn add_inboxes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    let users = UserId::find_by_statement(
        backend.build(
            Query::select()
                .column(Users::Id)
                .from(Users::Table)
                .order_by(Users::Id, Order::Asc),
        ),
    )
    .all(db)
    .await?;
    for chunk in users.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(Lists::Table).columns([
            Lists::Pid,
            Lists::UserId,
            Lists::Name,
            Lists::NameKey,
            Lists::Inbox,
            Lists::Position,
        ]);
        for user in chunk {
            insert.values_panic([
                uuid::Uuid::new_v4().into(),
                user.id.into(),
                "Inbox".into(),
                "inbox".into(),
                true.into(),
                // `domain::position::Position::first()`.
                "V".into(),
            ]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}
