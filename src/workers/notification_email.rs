//! Sends the email of one notification. The notification row is the outbox:
//! the worker claims one attempt, sends, and marks it emailed, so a retried
//! or duplicated job never sends twice; a failed send is retried by the next
//! reminder pass after a backoff (Loco's queue does not retry by itself).
use loco_rs::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    db::Db,
    mailers::notifications::NotificationMailer,
    models::{notifications, users},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationEmailArgs {
    pub notification: Uuid,
}

pub struct NotificationEmailWorker {
    pub ctx: AppContext,
}

#[async_trait]
impl BackgroundWorker<NotificationEmailArgs> for NotificationEmailWorker {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: NotificationEmailArgs) -> Result<()> {
        let db = &Db::from(self.ctx.db.clone());
        let Some(notification) = notifications::Model::claim_email(db, args.notification).await?
        else {
            return Ok(());
        };
        let Some(user) = users::Entity::find_by_id(notification.user_id)
            .one(db)
            .await?
        else {
            return Ok(());
        };
        if self.ctx.mailer.is_none() {
            tracing::warn!(notification = %notification.pid, "no mailer configured (SMTP_HOST unset): notification email skipped");
            notifications::Model::mark_emailed(db, notification.id).await?;
            return Ok(());
        }
        match NotificationMailer::send_now(&self.ctx, &user, &notification).await {
            Ok(()) => {
                notifications::Model::mark_emailed(db, notification.id).await?;
                Ok(())
            }
            Err(err) => {
                tracing::warn!(
                    notification = %notification.pid,
                    attempt = notification.email_attempts,
                    error = %err,
                    "notification email failed; retried after a backoff"
                );
                Err(err)
            }
        }
    }
}
