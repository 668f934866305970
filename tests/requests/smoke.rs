use loco_rs::testing::prelude::*;
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

#[tokio::test]
#[serial]
async fn unknown_route_is_a_problem_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/no/such/route").await;
        assert_problem(&response, 404, "/problems/not-found");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn registered_user_can_log_in_and_create_a_task() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(
            &server,
            &ann.access_token,
            serde_json::json!({"title": "x"}),
        )
        .await;
        assert_eq!(task["title"], "x");
    })
    .await;
}
