# taskforge: release build, then a small Debian runtime running as a non-root user.
#   docker build -t taskforge .
#   docker run -p 5150:5150 -e JWT_SECRET="$(openssl rand -base64 48)" \
#     -v taskforge-data:/app/data taskforge
# Set DATABASE_URL=postgres://… to use PostgreSQL instead of the SQLite files
# (the job queue then lives there too, or on Redis with REDIS_URL).
# By default one container runs the API, the workers (emails) and the reminder
# scheduler; docker-compose.yml runs them as separate containers of this image
# (docs/deploy.md). `.ci/docker-checks` lints this file and runs its commands
# without a Docker engine.

# Builder and runtime are both Debian 12 (bookworm): the binary links against
# the runtime's glibc. The Rust version is the one CI uses.
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /usr/src/taskforge
# Dependencies first, against placeholder sources: that layer stays cached
# while only the application's own code changes.
COPY Cargo.toml Cargo.lock ./
COPY migration/Cargo.toml migration/Cargo.toml
RUN mkdir -p src/bin migration/src \
    && echo 'fn main() {}' > src/bin/main.rs \
    && touch src/lib.rs migration/src/lib.rs \
    && cargo build --release --locked --bin taskforge-cli \
    && rm -rf src migration/src
COPY . .
# COPY keeps the files' own timestamps, which may be older than the
# placeholder build: touch the crate roots so cargo rebuilds both crates.
# Symbols are stripped from the copy that goes into the image (a smaller
# binary; panics are still logged, only without symbol names).
RUN touch src/lib.rs src/bin/main.rs migration/src/lib.rs \
    && cargo build --release --locked --bin taskforge-cli \
    && strip -o taskforge-cli target/release/taskforge-cli

FROM debian:bookworm-slim
# curl is for the HEALTHCHECK only. No ca-certificates: every TLS client in the
# binary (SMTP, PostgreSQL, Redis) carries its own root certificates.
# A fixed numeric uid/gid (10001), so that volume ownership and Kubernetes'
# runAsNonRoot checks work without a passwd lookup.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 taskforge \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app \
       --shell /usr/sbin/nologin taskforge \
    && mkdir -p /app/data \
    && chown -R 10001:10001 /app/data
WORKDIR /app
# The binary and the configuration stay owned by root: the app cannot change them.
COPY --from=builder /usr/src/taskforge/taskforge-cli /usr/local/bin/taskforge-cli
COPY --from=builder /usr/src/taskforge/config /app/config
USER 10001:10001
ENV LOCO_ENV=production \
    PORT=5150 \
    DATABASE_URL=sqlite:///app/data/taskforge.sqlite?mode=rwc \
    QUEUE_URL=sqlite:///app/data/taskforge_queue.sqlite?mode=rwc
VOLUME ["/app/data"]
EXPOSE 5150
# For the web process only (docker-compose.yml switches it off for the worker
# and the scheduler, which serve no HTTP).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["sh", "-c", "curl -fsS -o /dev/null \"http://127.0.0.1:${PORT:-5150}/_health\""]
# JWT_SECRET must be given at run time; without it the server refuses to start.
# exec: the server is PID 1 and gets the SIGTERM of `docker stop` (it shuts down
# gracefully on SIGTERM and SIGINT).
CMD ["sh", "-c", "taskforge-cli db migrate && exec taskforge-cli start --all --no-banner"]
