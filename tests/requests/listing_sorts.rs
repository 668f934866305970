//! `GET /tasks` sorting and keyset paging (contract "Listing"): every sort,
//! ties, undated tasks, cursors under change and cursors reused elsewhere.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    listing_filters::{seed, walk},
};

#[tokio::test]
#[serial]
async fn priority_sorts_by_urgency_and_status_by_workflow() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        let by_priority = titles(&list_tasks(&server, t, "sort=priority,title").await);
        let by_urgency = titles(&list_tasks(&server, t, "sort=-priority,title").await);
        let by_status = titles(&list_tasks(&server, t, "sort=status,title").await);

        assert_eq!(
            by_priority,
            vec!["alpha", "foxtrot", "charlie", "golf", "delta", "bravo", "echo"]
        );
        assert_eq!(
            by_urgency,
            vec!["bravo", "echo", "delta", "charlie", "golf", "alpha", "foxtrot"]
        );
        assert_eq!(
            by_status,
            vec!["bravo", "delta", "foxtrot", "charlie", "echo", "alpha", "golf"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn tasks_without_due_date_come_last_in_both_directions() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        let ascending = titles(&list_tasks(&server, t, "sort=due_date,title").await);
        let descending = titles(&list_tasks(&server, t, "sort=-due_date,title").await);

        assert_eq!(
            ascending,
            vec!["bravo", "echo", "alpha", "golf", "delta", "charlie", "foxtrot"]
        );
        assert_eq!(
            descending,
            vec!["delta", "golf", "alpha", "bravo", "echo", "charlie", "foxtrot"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn title_and_timestamp_sorts() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;
        let bravo = list_tasks(&server, t, "q=bravo").await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let touched = server
            .patch(&format!("/tasks/{bravo}"))
            .authorization_bearer(t)
            .json(&json!({"description": "touched"}))
            .await;
        assert_eq!(touched.status_code(), 200);

        let by_title = titles(&list_tasks(&server, t, "sort=-title").await);
        let oldest = titles(&list_tasks(&server, t, "sort=created_at").await);
        let recently_updated = titles(&list_tasks(&server, t, "sort=-updated_at").await);

        assert_eq!(
            by_title,
            vec!["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]
        );
        assert_eq!(
            oldest,
            vec!["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]
        );
        assert_eq!(recently_updated[0], "bravo");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn ties_break_by_id() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for _ in 0..5 {
            create_task(&server, t, json!({"title": "same"})).await;
        }
        let ids = |page: &Value| -> Vec<String> {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
                .collect()
        };

        let ascending = ids(&list_tasks(&server, t, "sort=title").await);
        let descending = ids(&list_tasks(&server, t, "sort=-title").await);

        let mut expected = ascending.clone();
        expected.sort();
        assert_eq!(ascending, expected);
        expected.reverse();
        assert_eq!(descending, expected);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn paging_matches_the_full_list_under_every_sort_and_filter() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;
        let queries = [
            "sort=created_at",
            "sort=-created_at",
            "sort=updated_at",
            "sort=-updated_at",
            "sort=due_date",
            "sort=-due_date",
            "sort=priority",
            "sort=-priority",
            "sort=title",
            "sort=-title",
            "sort=status",
            "sort=-status",
            "sort=status,-due_date,title",
            "sort=-priority,due_date",
            "status=incomplete,in_progress&sort=due_date",
            "q=o&sort=-priority",
            "overdue=false&sort=-due_date",
        ];
        for query in queries {
            let whole = titles(&list_tasks(&server, t, &format!("{query}&limit=100")).await);
            for limit in [1, 2, 3, 5] {
                assert_eq!(
                    walk(&server, t, query, limit).await,
                    whole,
                    "{query} limit={limit}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn paging_by_due_date_stays_correct_while_tasks_change() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let mut ids = Vec::new();
        for day in 1..=6 {
            let task = create_task(
                &server,
                t,
                json!({"title": format!("d{day}"), "due_date": format!("2026-05-0{day}")}),
            )
            .await;
            ids.push(task["id"].as_str().unwrap().to_string());
        }
        create_task(&server, t, json!({"title": "none"})).await;
        let first = list_tasks(&server, t, "sort=due_date&limit=3").await;
        assert_eq!(titles(&first), vec!["d1", "d2", "d3"]);

        create_task(&server, t, json!({"title": "d0", "due_date": "2026-04-01"})).await;
        create_task(&server, t, json!({"title": "d9", "due_date": "2026-05-09"})).await;
        let deleted = server
            .delete(&format!("/tasks/{}", ids[4]))
            .authorization_bearer(t)
            .await;
        assert_eq!(deleted.status_code(), 204);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = list_tasks(
            &server,
            t,
            &format!("sort=due_date&limit=10&cursor={cursor}"),
        )
        .await;

        assert_eq!(titles(&rest), vec!["d4", "d6", "d9", "none"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_cursor_only_works_for_the_sort_and_filters_it_was_made_for() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;
        let page = list_tasks(&server, t, "sort=priority&status=incomplete&limit=1").await;
        let cursor = page["next_cursor"].as_str().unwrap();

        let same = server
            .get(&format!(
                "/tasks?status=incomplete&sort=priority&limit=1&cursor={cursor}"
            ))
            .authorization_bearer(t)
            .await;
        assert_eq!(
            same.status_code(),
            200,
            "limit and parameter order may change"
        );
        for other in [
            "sort=-priority&status=incomplete",
            "sort=priority",
            "sort=priority&status=complete",
            "sort=priority&status=incomplete&q=a",
        ] {
            let response = server
                .get(&format!("/tasks?{other}&cursor={cursor}"))
                .authorization_bearer(t)
                .await;
            assert_problem(&response, 400, "/problems/invalid-cursor");
        }
    })
    .await;
}
