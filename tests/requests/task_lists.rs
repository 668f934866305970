//! Tasks in lists (contract, organizing.md, "New task fields" and
//! "Listing"): `list_id` on create, replace and patch, the `list_id=`
//! filter, and a list's deletion taking its tasks and their notifications.
use chrono::{Duration, SecondsFormat, Utc};
use loco_rs::testing::prelude::request;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{
    app::App, models::_entities::notifications, tasks::send_reminders::send_reminders,
};

use super::{
    helpers::*,
    lists::{create_list, lists},
};

fn task_path(task: &Value) -> String {
    format!("/tasks/{}", task["id"].as_str().unwrap())
}

#[tokio::test]
#[serial]
async fn a_task_goes_to_the_inbox_unless_it_names_a_list_of_the_caller() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let inbox = lists(&server, t, "").await["data"][0]["id"].clone();
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let bobs = create_list(&server, &bob.access_token, json!({"name": "Bob's"})).await;

        let plain = create_task(&server, t, json!({"title": "plain"})).await;
        let placed = create_task(
            &server,
            t,
            json!({"title": "placed", "list_id": work["id"]}),
        )
        .await;

        assert_eq!(plain["list_id"], inbox);
        assert_eq!(placed["list_id"], work["id"]);
        for bad in [bobs["id"].clone(), json!("nope"), json!(null), json!(7)] {
            let response = server
                .post("/tasks")
                .authorization_bearer(t)
                .json(&json!({"title": "x", "list_id": bad}))
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["list_id"], "{bad}");
        }
        assert_eq!(
            titles(&list_tasks(&server, t, "").await),
            ["placed", "plain"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_moves_a_task_and_put_keeps_its_list_unless_it_names_one() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let home = create_list(&server, t, json!({"name": "Home"})).await;
        let bobs = create_list(&server, &bob.access_token, json!({"name": "Bob's"})).await;
        let task = create_task(
            &server,
            t,
            json!({"title": "report", "list_id": work["id"]}),
        )
        .await;

        let replaced: Value = server
            .put(&task_path(&task))
            .authorization_bearer(t)
            .json(&json!({"title": "report v2"}))
            .await
            .json();
        assert_eq!(replaced["list_id"], work["id"]);
        let moved = server
            .patch(&task_path(&task))
            .authorization_bearer(t)
            .json(&json!({"list_id": home["id"]}))
            .await;
        assert_eq!(moved.status_code(), 200, "{}", moved.text());
        assert_eq!(moved.json::<Value>()["list_id"], home["id"]);
        let refused = server
            .patch(&task_path(&task))
            .authorization_bearer(t)
            .json(&json!({"list_id": bobs["id"]}))
            .await;
        let problem = assert_problem(&refused, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["list_id"]);
        // The task's own list again: it stays where it is.
        let same = server
            .patch(&task_path(&task))
            .authorization_bearer(t)
            .json(&json!({"list_id": home["id"]}))
            .await;
        assert_eq!(same.json::<Value>()["list_id"], home["id"]);
        let now: Value = server
            .get(&task_path(&task))
            .authorization_bearer(t)
            .await
            .json();
        assert_eq!(now["list_id"], home["id"]);
        assert_eq!(now["title"], json!("report v2"));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn list_id_filters_the_listing_and_must_name_a_list_of_the_caller() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let bobs = create_list(&server, &bob.access_token, json!({"name": "Bob's"})).await;
        for n in 0..5 {
            create_task(
                &server,
                t,
                json!({"title": format!("w{n}"), "list_id": work["id"]}),
            )
            .await;
            create_task(&server, t, json!({"title": format!("i{n}")})).await;
        }
        let work_id = work["id"].as_str().unwrap();

        let mut seen = Vec::new();
        let mut query = format!("list_id={work_id}&limit=2&sort=title");
        loop {
            let page = list_tasks(&server, t, &query).await;
            seen.extend(titles(&page));
            let Some(cursor) = page["next_cursor"].as_str() else {
                break;
            };
            query = format!("list_id={work_id}&limit=2&sort=title&cursor={cursor}");
        }
        assert_eq!(seen, ["w0", "w1", "w2", "w3", "w4"]);
        let with_q = list_tasks(&server, t, &format!("list_id={work_id}&q=w3")).await;
        assert_eq!(titles(&with_q), ["w3"]);
        for bad in [bobs["id"].as_str().unwrap(), "not-a-uuid"] {
            let response = server
                .get(&format!("/tasks?list_id={bad}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["list_id"]);
        }
        // A cursor of the unfiltered listing is not one of the filtered one.
        let page = list_tasks(&server, t, "limit=1").await;
        let cursor = page["next_cursor"].as_str().unwrap();
        let mixed = server
            .get(&format!("/tasks?list_id={work_id}&cursor={cursor}"))
            .authorization_bearer(t)
            .await;
        assert_problem(&mixed, 400, "/problems/invalid-cursor");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn deleting_a_list_deletes_its_tasks_and_their_notifications_only() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let due = (Utc::now() + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let doomed = create_task(
            &server,
            t,
            json!({"title": "doomed", "list_id": work["id"], "due_date": due}),
        )
        .await;
        let kept = create_task(&server, t, json!({"title": "kept", "due_date": due})).await;
        send_reminders(&ctx).await.unwrap();
        let notices = || async {
            notifications::Entity::find()
                .filter(notifications::Column::TaskPid.is_not_null())
                .count(&ctx.db)
                .await
                .unwrap()
        };
        assert_eq!(notices().await, 2);

        let stale = server
            .delete(&format!("/lists/{}", work["id"].as_str().unwrap()))
            .authorization_bearer(t)
            .add_header("if-match", "\"9\"")
            .await;
        assert_problem(&stale, 412, "/problems/precondition-failed");
        let deleted = server
            .delete(&format!("/lists/{}", work["id"].as_str().unwrap()))
            .authorization_bearer(t)
            .add_header("if-match", "\"1\"")
            .await;

        assert_eq!(deleted.status_code(), 204, "{}", deleted.text());
        let gone = server
            .get(&task_path(&doomed))
            .authorization_bearer(t)
            .await;
        assert_problem(&gone, 404, "/problems/not-found");
        assert_eq!(
            server
                .get(&task_path(&kept))
                .authorization_bearer(t)
                .await
                .status_code(),
            200
        );
        assert_eq!(notices().await, 1);
        assert_eq!(titles(&list_tasks(&server, t, "").await), ["kept"]);
    })
    .await;
}
