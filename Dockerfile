# Multi-stage build: compile rectify, then run it on a slim Debian as a non-root user.
#   docker build -t rectify .
#   docker run -p 8080:8080 -v rectify-data:/var/lib/rectify rectify
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# Workspace members (see [workspace] in Cargo.toml); fuzz/ is excluded from the workspace.
COPY migrations migrations
COPY extract extract
# benches/: Cargo.toml declares [[bench]] import, and cargo refuses to load a manifest whose
# declared targets are missing, even to build only the binary.
COPY benches benches
COPY src src
# Embedded into the binary with include_str!/include_bytes!: the IDE (assets/ide/) and the
# demo seeds (demo/seeds/). graphql/ holds the committed schema (graphql/schema.graphql).
COPY assets assets
COPY demo demo
COPY graphql graphql
RUN cargo build --release --locked --bin rectify

FROM debian:bookworm-slim
# ca-certificates: SMTP over TLS and PostgreSQL with sslmode; tzdata: RECTIFY_TIME_ZONE.
# No curl: the health check is rectify's own `rectify healthcheck` (GET /readyz).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/rectify --create-home \
      --shell /usr/sbin/nologin rectify
COPY --from=build /src/target/release/rectify /usr/local/bin/rectify
USER rectify
WORKDIR /var/lib/rectify
# Data directory: the SQLite file (when DATABASE_URL is not set) and evidence files.
VOLUME /var/lib/rectify
ENV RECTIFY_BIND=0.0.0.0:8080 \
    RECTIFY_DATA_DIR=/var/lib/rectify \
    RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["rectify", "healthcheck"]
ENTRYPOINT ["rectify"]
CMD ["serve"]
