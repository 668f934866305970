//! Sends a password-reset email. The job carries only the user's id: the
//! worker mints the token when it sends, so the token exists in the email
//! and (hashed) on the user, and never in the queue, whose finished jobs
//! stay readable in the queue's store (SQLite file, PostgreSQL or Redis).
use loco_rs::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{db::Db, mailers::auth::AuthMailer, models::users, settings::Settings};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordResetArgs {
    /// The user's public id (`users.pid`).
    pub user: Uuid,
}

pub struct PasswordResetWorker {
    pub ctx: AppContext,
}

#[async_trait]
impl BackgroundWorker<PasswordResetArgs> for PasswordResetWorker {
    fn build(ctx: &AppContext) -> Self {
        Self { ctx: ctx.clone() }
    }

    async fn perform(&self, args: PasswordResetArgs) -> Result<()> {
        let db = &Db::from(self.ctx.db.clone());
        let Some(user) = users::Model::find_by_pid(db, args.user).await? else {
            return Ok(());
        };
        if self.ctx.mailer.is_none() {
            tracing::warn!(user = %user.pid, "no mailer configured (SMTP_HOST unset): password reset email skipped");
            return Ok(());
        }
        let ttl_minutes = Settings::of(&self.ctx)
            .map_err(|e| Error::Message(e.to_string()))?
            .reset_token_ttl_seconds
            / 60;
        let token = user.start_password_reset(db).await?;
        AuthMailer::send_reset_now(&self.ctx, &user, &token, ttl_minutes).await
    }
}
