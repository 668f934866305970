#![allow(elided_lifetimes_in_paths)]
#![allow(clippy::wildcard_imports)]
pub use sea_orm_migration::prelude::*;
mod m20220101_000001_users;

mod m20261124_162811_tasks;
mod m20261124_162812_sessions;
mod m20261124_170000_task_listing;
mod m20261124_180000_reminders;
mod m20261124_190000_idempotency_keys;
mod m20261202_200000_task_quota;
mod m20261203_140000_task_search;
mod m20261203_150000_lists;
mod m20261207_100000_task_tree;
mod m20261207_200155_labels;
mod m20261207_200459_task_labels;
mod m20261207_235050_add_recurrence_to_tasks;
mod m20261207_235139_create_task_completions;
mod sqlite_rebuild;
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20220101_000001_users::Migration),
            Box::new(m20261124_162811_tasks::Migration),
            Box::new(m20261124_162812_sessions::Migration),
            Box::new(m20261124_170000_task_listing::Migration),
            Box::new(m20261124_180000_reminders::Migration),
            Box::new(m20261124_190000_idempotency_keys::Migration),
            Box::new(m20261202_200000_task_quota::Migration),
            Box::new(m20261203_140000_task_search::Migration),
            Box::new(m20261203_150000_lists::Migration),
            Box::new(m20261207_100000_task_tree::Migration),
            Box::new(m20261207_200155_labels::Migration),
            Box::new(m20261207_200459_task_labels::Migration),
            Box::new(m20261207_235050_add_recurrence_to_tasks::Migration),
            Box::new(m20261207_235139_create_task_completions::Migration),
            // inject-above (do not remove this comment)
        ]
    }
}
