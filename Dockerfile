# Multi-stage build: compile with the full toolchain, run on a slim image with libpq only.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# .cargo/config.toml: the bundled SQLite's build flags (query-planner stability).
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY assets ./assets
COPY tests ./tests
RUN cargo build --release --locked --bin aftersale

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/aftersale --create-home aftersale \
    && mkdir -p /var/lib/aftersale/attachments \
    && chown -R aftersale:aftersale /var/lib/aftersale
# The attachments folder exists, owned by the service's user, before a volume is mounted on
# it: Docker gives a new named volume the ownership of the folder it is mounted over.
COPY --from=build /src/target/release/aftersale /usr/local/bin/aftersale
USER aftersale
WORKDIR /var/lib/aftersale
# JWT_SECRET must be set (a random value of at least 32 bytes): with the built-in development
# secret the service refuses to listen on 0.0.0.0. Set WEBHOOK_SECRETS_KEY too (see README).
ENV HOST=0.0.0.0 PORT=8080 ATTACHMENTS_DIR=/var/lib/aftersale/attachments LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["aftersale"]
CMD ["serve"]
