# syntax=docker/dockerfile:1
# llmproxy container image. From the repository root:
#   docker build -t llmproxy .
#   docker run -d -p 4000:4000 -e LITELLM_MASTER_KEY=sk-... -v "$PWD/config.yaml:/etc/llmproxy/config.yaml:ro" \
#     --stop-timeout 40 llmproxy
# See README, "Deploy". The build stage's runtime step is deploy/build-runtime.sh, which cli's ContainerRuntimeIT
# also runs (without Docker) to check the result starts and to report its size.

# Build: the shaded jar, then a jlink'ed Java runtime with only the modules llmproxy needs.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -pl cli -am package \
    && deploy/build-runtime.sh cli/target/llmproxy.jar /out/opt/llmproxy

# Runtime: Debian slim (glibc, which Netty's native epoll and BoringSSL libraries need), no JDK, no package manager
# run. About 50 MB on top of the base: the runtime and the jar.
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 llmproxy \
    && useradd --system --uid 10001 --gid llmproxy --home-dir /var/lib/llmproxy --no-create-home \
       --shell /usr/sbin/nologin llmproxy \
    && mkdir -p /etc/llmproxy /var/lib/llmproxy \
    && chown llmproxy:llmproxy /var/lib/llmproxy
COPY --from=build /out/opt/llmproxy /opt/llmproxy
# The example config (a mock_response model, no provider key) until a config is mounted over it.
COPY conf/config.example.yaml /etc/llmproxy/config.yaml

# LITELLM_MASTER_KEY, DATABASE_URL and provider keys (OPENAI_API_KEY, ...) come from `docker run -e` or an env file;
# without a master key llmproxy refuses to listen on 0.0.0.0.
ENV CONFIG_FILE_PATH=/etc/llmproxy/config.yaml \
    PORT=4000 \
    LLMPROXY_HOST=0.0.0.0
# /etc/llmproxy: config.yaml; /var/lib/llmproxy: data (the embedded store and the spend journal, in llmproxy-data/).
VOLUME ["/etc/llmproxy", "/var/lib/llmproxy"]
WORKDIR /var/lib/llmproxy
USER 10001:10001
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/llmproxy/docker-entrypoint.sh", "health"]
# SIGTERM (docker stop) drains in-flight requests for up to --drain_seconds (30): give it --stop-timeout 40.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/llmproxy/docker-entrypoint.sh"]
CMD ["llmproxy"]
