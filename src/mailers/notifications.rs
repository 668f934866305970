//! Reminder and overdue emails.
#![allow(non_upper_case_globals)]

use loco_rs::prelude::*;
use serde_json::json;

use crate::models::{notifications, users};

static notice: Dir<'_> = include_dir!("src/mailers/notifications/notice");

pub struct NotificationMailer {}
impl Mailer for NotificationMailer {}

impl NotificationMailer {
    /// Sends the email of `notification` to `user` now (the caller is a
    /// worker, which owns retries).
    ///
    /// # Errors
    /// When the template does not render or the SMTP send fails.
    pub async fn send_now(
        ctx: &AppContext,
        user: &users::Model,
        notification: &notifications::Model,
    ) -> Result<()> {
        let due = notification.due_on.map_or_else(
            || crate::views::timestamp(&notification.due_at),
            |date| date.format("%Y-%m-%d").to_string(),
        );
        let locals = json!({
            "name": user.name,
            "kind": notification.kind,
            "title": notification.title,
            "due": due,
        });
        let email = super::render(
            &notice,
            &user.email,
            crate::settings::mail_from(ctx),
            &locals,
        )?;
        Self::deliver_now(ctx, &email).await
    }
}
