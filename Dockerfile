# Multi-stage build: compile rectify, then run it on a slim Debian as a non-root user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY migrations migrations
COPY src src
COPY assets assets
COPY graphql graphql
RUN cargo build --release --locked --bin rectify

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/rectify --create-home rectify
COPY --from=build /src/target/release/rectify /usr/local/bin/rectify
USER rectify
WORKDIR /var/lib/rectify
VOLUME /var/lib/rectify
ENV RECTIFY_BIND=0.0.0.0:8080 \
    RECTIFY_DATA_DIR=/var/lib/rectify \
    RUST_LOG=info,sqlx=warn
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["rectify", "healthcheck", "--url", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["rectify"]
CMD ["serve"]
