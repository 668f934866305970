use std::{path::Path, sync::Arc};

use async_trait::async_trait;
use axum::{middleware, Router as AxumRouter};
use loco_rs::{
    app::{AppContext, Hooks},
    bgworker::{BackgroundWorker, Queue},
    boot::{create_app, BootResult, ServeParams, StartMode},
    config::Config,
    controller::{
        middleware::{self as loco_middleware, MiddlewareLayer, MiddlewareStackExt},
        AppRoutes,
    },
    db::truncate_table,
    environment::Environment,
    task::Tasks,
    Result,
};
use migration::Migrator;

use crate::{
    controllers, db, errors, initializers,
    models::_entities::{
        idempotency_keys, labels, notifications, sessions, task_labels, tasks, users,
    },
    rate_limit::{self, RateLimits},
    request_span::RequestSpan,
    security::{AccessTokens, Passwords},
    server,
    settings::{self, Settings},
};

pub struct App;

#[async_trait]
impl Hooks for App {
    fn app_name() -> &'static str {
        env!("CARGO_CRATE_NAME")
    }

    fn app_version() -> String {
        format!(
            "{} ({})",
            env!("CARGO_PKG_VERSION"),
            option_env!("BUILD_SHA").unwrap_or("dev")
        )
    }

    async fn boot(
        mode: StartMode,
        environment: &Environment,
        config: Config,
    ) -> Result<BootResult> {
        create_app::<Self, Migrator>(mode, environment, config).await
    }

    /// Checks the secrets and settings (refusing to start without a usable
    /// JWT secret), stores the typed settings, and tunes SQLite.
    async fn after_context(ctx: AppContext) -> Result<AppContext> {
        initializers::memory::return_large_buffers_to_os();
        let jwt = ctx.config.get_jwt_config()?;
        let secret = settings::check_jwt_secret(&jwt.secret)?;
        let mut parsed = Settings::from_config(ctx.config.settings.as_ref())?;
        parsed.cursor_key = settings::cursor_key(&secret);
        ctx.shared_store
            .insert(Arc::new(Passwords::new(parsed.password_hash_concurrency)?));
        ctx.shared_store
            .insert(Arc::new(AccessTokens::new(&jwt.secret)?));
        let email_key = settings::derive_key(&secret, b"taskforge rate-limit emails v1");
        let limits = Arc::new(RateLimits::new(&parsed.rate_limit, &email_key)?);
        if limits.enabled() {
            limits.prune_periodically(rate_limit::PRUNE_EVERY);
        }
        ctx.shared_store.insert(limits);
        let cache_kib = parsed.sqlite_cache_kib.get();
        ctx.shared_store.insert(Arc::new(parsed));
        db::sqlite::tune_sqlite(ctx, cache_kib).await
    }

    /// Loco's stack, with a lighter span per request ([`RequestSpan`]).
    fn middlewares(ctx: &AppContext) -> Vec<Box<dyn MiddlewareLayer>> {
        let mut stack = loco_middleware::default_middleware_stack(ctx);
        let logger = ctx.config.server.middlewares.logger.as_ref();
        stack.replace("logger", Box::new(RequestSpan::new(logger)));
        stack
    }

    /// Unknown paths get a problem+json 404 (inside the middleware stack,
    /// so they carry a request id and are logged like any request).
    async fn before_routes(_ctx: &AppContext) -> Result<AxumRouter<AppContext>> {
        Ok(AxumRouter::new().fallback(errors::not_found))
    }

    fn routes(ctx: &AppContext) -> AppRoutes {
        AppRoutes::with_default_routes()
            .add_route(controllers::auth::routes(ctx))
            .add_route(controllers::passwords::routes(ctx))
            .add_route(controllers::tasks::routes(ctx))
            .add_route(controllers::lists::routes(ctx))
            .add_route(controllers::labels::routes(ctx))
            .add_route(controllers::notifications::routes(ctx))
            .add_route(controllers::docs::routes())
    }

    /// Rate limits (when on), the request timeout, every error response as
    /// problem+json, and outermost the security headers.
    async fn after_routes(router: AxumRouter, ctx: &AppContext) -> Result<AxumRouter> {
        let settings = Settings::of(ctx).map_err(|e| loco_rs::Error::Message(e.to_string()))?;
        let router = rate_limit::install(router, ctx)?;
        let limit = std::time::Duration::from_secs(settings.timeouts.request_seconds);
        let mut router = router
            .layer(middleware::from_fn_with_state(
                limit,
                server::timeout::enforce,
            ))
            .layer(middleware::map_response(errors::normalize_response));
        // Outside the limits and the timeout, so a preflight is answered
        // before either; inside the security headers, which it gets too.
        let origins =
            server::cors::parse_origins(&settings.cors_origins).map_err(loco_rs::Error::Message)?;
        if let Some(cors) = server::cors::layer(&origins) {
            router = router.layer(cors);
        }
        Ok(
            router.layer(middleware::map_response(server::headers::secure(
                settings.hsts,
            ))),
        )
    }

    /// After a shutdown signal (the web server has drained, or a worker
    /// process stopped taking jobs): jobs still running get
    /// `SHUTDOWN_TIMEOUT`, then the process exits ([`server::exit_after`]).
    async fn on_shutdown(ctx: &AppContext) {
        let seconds = Settings::of(ctx).map_or(30, |s| s.timeouts.shutdown_seconds);
        server::exit_after(std::time::Duration::from_secs(seconds));
    }

    /// Loco's server with the connection timeouts (`src/server/`).
    async fn serve(app: AxumRouter, ctx: &AppContext, params: &ServeParams) -> Result<()> {
        server::serve(app, ctx, params, || Self::on_shutdown(ctx)).await
    }

    async fn connect_workers(ctx: &AppContext, queue: &Queue) -> Result<()> {
        queue
            .register(crate::workers::notification_email::NotificationEmailWorker::build(ctx))
            .await?;
        queue
            .register(crate::workers::password_reset::PasswordResetWorker::build(
                ctx,
            ))
            .await?;
        Ok(())
    }

    fn register_tasks(tasks: &mut Tasks) {
        tasks.register(crate::tasks::purge::Purge);
        tasks.register(crate::tasks::seed_tasks::SeedTasks);
        tasks.register(crate::tasks::explain_listing::ExplainListing);
        tasks.register(crate::tasks::send_reminders::SendReminders);
        // tasks-inject (do not remove)
    }

    async fn truncate(ctx: &AppContext) -> Result<()> {
        truncate_table(&ctx.db, idempotency_keys::Entity).await?;
        truncate_table(&ctx.db, notifications::Entity).await?;
        truncate_table(&ctx.db, task_labels::Entity).await?;
        truncate_table(&ctx.db, labels::Entity).await?;
        truncate_table(&ctx.db, tasks::Entity).await?;
        truncate_table(&ctx.db, sessions::Entity).await?;
        truncate_table(&ctx.db, users::Entity).await?;
        Ok(())
    }

    async fn seed(_ctx: &AppContext, _base: &Path) -> Result<()> {
        Ok(())
    }
}
