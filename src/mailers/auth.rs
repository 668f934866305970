//! Account emails.
#![allow(non_upper_case_globals)]

use loco_rs::prelude::*;
use serde_json::json;

use crate::models::users;

static forgot: Dir<'_> = include_dir!("src/mailers/auth/forgot");

pub struct AuthMailer {}
impl Mailer for AuthMailer {}

impl AuthMailer {
    /// Sends the password-reset email now. The caller is the reset worker,
    /// which mints `token` just before: the token exists only in this email
    /// and, hashed, on the user, never in a queued job.
    ///
    /// # Errors
    /// When the template does not render or the SMTP send fails.
    pub async fn send_reset_now(
        ctx: &AppContext,
        user: &users::Model,
        token: &str,
        ttl_minutes: i64,
    ) -> Result<()> {
        let locals = json!({
            "name": user.name,
            "token": token,
            "ttl_minutes": ttl_minutes,
        });
        let email = super::render(
            &forgot,
            &user.email,
            crate::settings::mail_from(ctx),
            &locals,
        )?;
        Self::deliver_now(ctx, &email).await
    }
}
