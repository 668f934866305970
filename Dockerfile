# taskforge: release build, then a small Debian runtime.
#   docker build -t taskforge .
#   docker run -p 5150:5150 -e JWT_SECRET="$(openssl rand -base64 48)" \
#     -v taskforge-data:/app/data taskforge
# Set DATABASE_URL=postgres://… to use PostgreSQL instead of the SQLite files
# (the job queue then lives there too, or on Redis with REDIS_URL).
# One container runs the API, the workers (emails) and the reminder scheduler.

FROM rust:1-slim-bookworm AS builder
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
RUN touch src/lib.rs src/bin/main.rs migration/src/lib.rs \
    && cargo build --release --locked --bin taskforge-cli

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin taskforge \
    && mkdir -p /app/data \
    && chown -R taskforge:taskforge /app
WORKDIR /app
COPY --from=builder /usr/src/taskforge/target/release/taskforge-cli /usr/local/bin/taskforge-cli
COPY --from=builder /usr/src/taskforge/config /app/config
USER taskforge
ENV LOCO_ENV=production \
    PORT=5150 \
    DATABASE_URL=sqlite:///app/data/taskforge.sqlite?mode=rwc \
    QUEUE_URL=sqlite:///app/data/taskforge_queue.sqlite?mode=rwc
VOLUME ["/app/data"]
EXPOSE 5150
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS "http://localhost:${PORT:-5150}/_health" || exit 1
# JWT_SECRET must be given at run time; without it the server refuses to start.
CMD ["sh", "-c", "taskforge-cli db migrate && exec taskforge-cli start --all"]
