//! Account emails.
#![allow(non_upper_case_globals)]

use loco_rs::prelude::*;
use serde_json::json;

use crate::models::users;

static forgot: Dir<'_> = include_dir!("src/mailers/auth/forgot");

pub struct AuthMailer {}
impl Mailer for AuthMailer {}

impl AuthMailer {
    /// Queues the password-reset email. Without a configured mailer (no SMTP
    /// settings) the email is skipped and logged; the request still succeeds.
    ///
    /// # Errors
    /// When the template does not render or the job cannot be queued.
    pub async fn forgot_password(
        ctx: &AppContext,
        user: &users::Model,
        token: &str,
        ttl_minutes: i64,
    ) -> Result<()> {
        if ctx.mailer.is_none() {
            tracing::warn!(user = %user.pid, "no mailer configured (SMTP_HOST unset): password reset email skipped");
            return Ok(());
        }
        Self::mail_template(
            ctx,
            &forgot,
            mailer::Args {
                to: user.email.clone(),
                locals: json!({
                    "name": user.name,
                    "token": token,
                    "ttl_minutes": ttl_minutes,
                }),
                from: Some(crate::settings::mail_from(ctx)),
                ..Default::default()
            },
        )
        .await
    }
}
