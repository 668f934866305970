//! Every sort is served by its own index, also past a cursor (no sort step,
//! no scan from the start): checked on the query plan of the real statement.
use super::helpers::user;
use chrono::Utc;
use loco_rs::testing::prelude::*;
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryTrait, Statement};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        listing::{Sort, TaskFilter},
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    models::tasks::{self, decode_key, list_select, ListQuery, TaskInput},
};

pub(super) async fn plan(db: &Db, statement: &Statement) -> String {
    let backend = db.get_database_backend();
    let prefix = match backend {
        DatabaseBackend::Postgres => "EXPLAIN ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let explain = Statement::from_sql_and_values(
        backend,
        format!("{prefix}{}", statement.sql),
        statement.values.clone().map(|v| v.0).unwrap_or_default(),
    );
    let txn = db.begin().await.unwrap();
    if backend == DatabaseBackend::Postgres {
        // A handful of rows would make a sequential scan cheapest; ask the
        // planner what it does when the table is large.
        for setting in ["enable_seqscan", "enable_sort", "enable_bitmapscan"] {
            txn.execute_unprepared(&format!("SET LOCAL {setting} = off"))
                .await
                .unwrap();
        }
    }
    let rows = txn.query_all_raw(explain).await.unwrap();
    txn.commit().await.unwrap();
    rows.iter()
        .map(|row| {
            row.try_get_by_index::<String>(if backend == DatabaseBackend::Postgres {
                0
            } else {
                3
            })
            .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
#[serial]
async fn each_sort_pages_through_its_own_index() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let owner = user(db, "ann@example.com").await;
    let mut last = None;
    for i in 0..30 {
        let draft = TaskInput {
            title: TaskTitle::parse(&format!("task {i}")).unwrap(),
            description: None,
            status: Status::ALL[i % 3],
            priority: Priority::ALL[i % 4],
            due_date: (i % 3 != 0)
                .then(|| DueDate::parse(&format!("2026-12-{:02}", 1 + i % 28)).unwrap()),
            list_id: None,
            parent_id: Default::default(),
            labels: None,
            recurrence: None,
        };
        last = Some(
            tasks::Model::create_for_owner(db, &owner, draft, tasks::Limits::NONE)
                .await
                .unwrap()
                .task,
        );
    }
    let last = last.unwrap();
    let cases = [
        ("-created_at", "idx_tasks_user_created"),
        ("created_at", "idx_tasks_user_created"),
        ("due_date", "idx_tasks_user_due_asc"),
        ("-due_date", "idx_tasks_user_due_desc"),
        ("priority", "idx_tasks_user_priority"),
        ("-priority", "idx_tasks_user_priority"),
        ("-updated_at", "idx_tasks_user_updated"),
        ("title", "idx_tasks_user_title"),
        ("-status", "idx_tasks_user_status"),
    ];

    for (sort, index) in cases {
        let sort = Sort::parse(sort).unwrap();
        let after = decode_key(&sort, &tasks::ListedTask::from(&last).sort_key(&sort));
        assert!(after.is_some(), "{sort:?}");
        let query = ListQuery {
            limit: 20,
            sort: sort.clone(),
            filter: TaskFilter::default(),
            after,
        };
        let statement = list_select(db.get_database_backend(), owner.id, &query, Utc::now())
            .build(db.get_database_backend());

        let plan = plan(db, &statement).await;

        assert!(
            plan.contains(index),
            "{sort:?} should use {index}:\n{plan}\n{}",
            statement.sql
        );
        assert!(
            !plan.contains("TEMP B-TREE"),
            "{sort:?} sorts in memory:\n{plan}"
        );
        assert!(
            !plan.contains("Sort Key"),
            "{sort:?} sorts in memory:\n{plan}"
        );
    }
}

/// A page reads only the columns of `ListedTask`, and reads them as the
/// full model has them.
#[tokio::test]
#[serial]
async fn a_page_reads_the_listed_columns_as_the_model_has_them() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let owner = user(db, "ann@example.com").await;
    let mut created = Vec::new();
    for (i, due) in [Some("2026-12-01"), Some("2026-12-01T09:30:00Z"), None]
        .into_iter()
        .enumerate()
    {
        let draft = TaskInput {
            title: TaskTitle::parse(&format!("task {i}")).unwrap(),
            description: (i == 0).then(|| TaskDescription::parse("notes").unwrap()),
            status: Status::ALL[i % 3],
            priority: Priority::ALL[i % 4],
            due_date: due.map(|d| DueDate::parse(d).unwrap()),
            list_id: None,
            parent_id: Default::default(),
            labels: None,
            recurrence: None,
        };
        created.push(
            tasks::Model::create_for_owner(db, &owner, draft, tasks::Limits::NONE)
                .await
                .unwrap()
                .task,
        );
    }
    let query = ListQuery {
        limit: 20,
        sort: Sort::parse("created_at").unwrap(),
        filter: TaskFilter::default(),
        after: None,
    };
    let statement = list_select(db.get_database_backend(), owner.id, &query, Utc::now())
        .build(db.get_database_backend());
    assert!(!statement.sql.contains("search_text"), "{}", statement.sql);
    assert!(!statement.sql.contains("user_id\","), "{}", statement.sql);
    let (page, more) = tasks::Model::list_for_owner(db, owner.id, &query, Utc::now())
        .await
        .unwrap();
    assert!(!more);
    let expected: Vec<_> = created.iter().map(tasks::ListedTask::from).collect();
    assert_eq!(page, expected);
}

/// `list_id=` in the default order reads the list's own index, also past a
/// cursor, with no sort step.
#[tokio::test]
#[serial]
async fn a_list_page_reads_the_list_index() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let owner = user(db, "ann@example.com").await;
    let inbox = taskforge::models::lists::Model::inbox_of(db, owner.id)
        .await
        .unwrap();
    let sort = Sort::default();
    let last = tasks::Model::create_for_owner(
        db,
        &owner,
        TaskInput {
            title: TaskTitle::parse("only").unwrap(),
            description: None,
            status: Status::Incomplete,
            priority: Priority::Medium,
            due_date: None,
            list_id: None,
            parent_id: Default::default(),
            labels: None,
            recurrence: None,
        },
        tasks::Limits::NONE,
    )
    .await
    .unwrap()
    .task;
    for after in [
        None,
        decode_key(&sort, &tasks::ListedTask::from(&last).sort_key(&sort)),
    ] {
        let query = ListQuery {
            limit: 20,
            sort: sort.clone(),
            filter: TaskFilter {
                list: Some(inbox.pid),
                ..TaskFilter::default()
            },
            after,
        };
        let statement = list_select(db.get_database_backend(), owner.id, &query, Utc::now())
            .build(db.get_database_backend());

        let plan = plan(db, &statement).await;

        assert!(
            plan.contains("idx_tasks_list_created"),
            "{plan}\n{}",
            statement.sql
        );
        assert!(
            !plan.contains("TEMP B-TREE") && !plan.contains("Sort Key"),
            "{plan}"
        );
    }
}

/// An unfiltered page's statement, built once per sort and copied with each
/// request's values, is the statement built anew, whatever the owner, the
/// page size and the cursor.
#[tokio::test]
#[serial]
async fn an_unfiltered_page_is_the_statement_built_anew() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let backend = db.get_database_backend();
    let owner = user(db, "ann@example.com").await;
    let mut tasks_made = Vec::new();
    for title in ["one", "two"] {
        let input = TaskInput {
            title: TaskTitle::parse(title).unwrap(),
            description: None,
            status: Status::InProgress,
            priority: Priority::High,
            due_date: Some(DueDate::parse("2026-12-24").unwrap()),
            list_id: None,
            parent_id: Default::default(),
            labels: None,
            recurrence: None,
        };
        let made = tasks::Model::create_for_owner(db, &owner, input, tasks::Limits::NONE)
            .await
            .unwrap()
            .task;
        tasks_made.push(made);
    }
    for sort in [
        "-created_at",
        "due_date",
        "-priority,title",
        "status,-updated_at",
    ] {
        let sort = Sort::parse(sort).unwrap();
        for (owner_id, limit, task) in [
            (owner.id, 20, &tasks_made[0]),
            (owner.id + 7, 3, &tasks_made[1]),
        ] {
            for after in [
                None,
                decode_key(&sort, &tasks::ListedTask::from(task).sort_key(&sort)),
            ] {
                let query = ListQuery {
                    limit,
                    sort: sort.clone(),
                    filter: TaskFilter::default(),
                    after,
                };
                let built = list_select(backend, owner_id, &query, Utc::now()).build(backend);
                let copied = tasks::unfiltered_page(backend, owner_id, &query);
                assert_eq!(copied.sql, built.sql, "{sort:?}");
                assert_eq!(copied.values, built.values, "{sort:?}");
                assert!(
                    tasks::page_is_copied(backend, &query),
                    "{sort:?} built per request"
                );
            }
        }
    }
}
