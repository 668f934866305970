//! `cargo loco task explain_listing user:<email> query:<query string>`: the
//! plan of the statement `GET /tasks?<query string>` sends for that user,
//! built by the same code (parameters, cursor, labels), so an operator can
//! see which index a slow listing reads. SQLite: `EXPLAIN QUERY PLAN`;
//! PostgreSQL: `EXPLAIN (ANALYZE, BUFFERS)`, which runs the query.
use std::collections::HashMap;

use chrono::Utc;
use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Error, Result,
};
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};

use crate::{
    db::Db,
    domain::account::Email,
    models::{labels, tasks, users},
    params::{query::QueryParams, tasks::TaskListQuery},
    settings::Settings,
};

pub struct ExplainListing;

fn failed(err: impl std::fmt::Display) -> Error {
    Error::string(&err.to_string())
}

#[async_trait::async_trait]
impl Task for ExplainListing {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "explain_listing".to_string(),
            detail: "Print the SQL and query plan of GET /tasks?query:<q> for user:<email>"
                .to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, vars: &Vars) -> Result<()> {
        let email = Email::parse(vars.cli_arg("user")?).map_err(failed)?;
        let raw = vars.cli.get("query").map_or("", String::as_str);
        let db = Db::from(ctx.db.clone());
        let user = users::Model::find_by_email(&db, &email)
            .await
            .map_err(failed)?
            .ok_or_else(|| failed(format!("no user {email:?}")))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(failed)?;
        let params = QueryParams(pairs.into_iter().collect::<HashMap<_, _>>());
        let key = &Settings::of(ctx).map_err(failed)?.cursor_key;
        let page = TaskListQuery::parse(&params, user.timezone())
            .map_err(|e| failed(format!("{e:?}")))?
            .into_page(key)
            .map_err(failed)?;
        let labels = if page.filter.labels.is_empty() {
            Vec::new()
        } else {
            labels::filter_ids(&db, user.id, &page.filter.labels)
                .await?
                .ok_or_else(|| failed("a label of the query does not exist"))?
        };
        let backend = db.get_database_backend();
        let statement =
            tasks::labelled_select(backend, user.id, &page, &labels, Utc::now()).build(backend);
        println!("{}", statement.sql);
        let prefix = match backend {
            DbBackend::Postgres => "EXPLAIN (ANALYZE, BUFFERS) ",
            _ => "EXPLAIN QUERY PLAN ",
        };
        let explain = Statement::from_sql_and_values(
            backend,
            format!("{prefix}{}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        );
        for row in db.query_all_raw(explain).await? {
            let column = if backend == DbBackend::Postgres { 0 } else { 3 };
            println!("{}", row.try_get_by_index::<String>(column)?);
        }
        Ok(())
    }
}
