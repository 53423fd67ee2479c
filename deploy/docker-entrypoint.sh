#!/usr/bin/env bash
# Entrypoint of the llmproxy container image (see Dockerfile); runs outside a container too, which is how
# cli's ContainerRuntimeIT tests it.
#
#   docker-entrypoint.sh [llmproxy] [options]   start llmproxy; options are added to the command line
#   docker-entrypoint.sh health                 exit 0 when GET /health/liveliness answers 200 (the HEALTHCHECK)
#   docker-entrypoint.sh <command> [args]       run another command, e.g. bash
#
# Environment (defaults are the image's):
#   CONFIG_FILE_PATH      the config.yaml (/etc/llmproxy/config.yaml)
#   PORT                  listen port (4000)
#   LLMPROXY_HOST         bind address (0.0.0.0: a container is reached through its published port). llmproxy
#                         refuses to listen beyond 127.0.0.1 without a master key, so set LITELLM_MASTER_KEY.
#   LLMPROXY_HOME         where the runtime, jar and jvm.options are (/opt/llmproxy)
#   LLMPROXY_JAVA_OPTS    replaces the options of jvm.options; JAVA_OPTS adds to them (as bin/llmproxy)
# LITELLM_MASTER_KEY, DATABASE_URL, provider keys (OPENAI_API_KEY, ...) and the other variables of the README reach
# llmproxy unchanged.
set -euo pipefail

home="${LLMPROXY_HOME:-/opt/llmproxy}"
config="${CONFIG_FILE_PATH:-/etc/llmproxy/config.yaml}"
port="${PORT:-4000}"
host="${LLMPROXY_HOST:-0.0.0.0}"

start() {
  local opts
  opts="${LLMPROXY_JAVA_OPTS:-$(grep -v '^[[:space:]]*#' "$home/jvm.options" | tr '\n' ' ')}"
  # exec: java becomes this process (PID 1 in the container), so docker stop's SIGTERM reaches it and starts the
  # drain of in-flight requests and streams.
  # shellcheck disable=SC2086 # options are split on spaces, as in bin/llmproxy
  exec "$home/runtime/bin/java" $opts ${JAVA_OPTS:-} -jar "$home/llmproxy.jar" \
    --config "$config" --port "$port" --host "$host" "$@"
}

health() {
  local target="$host" status
  case "$host" in
    0.0.0.0 | :: | "[::]") target=127.0.0.1 ;;
  esac
  # bash's /dev/tcp: the runtime image has no curl or wget.
  exec 3<>"/dev/tcp/$target/$port" || exit 1
  printf 'GET /health/liveliness HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
  IFS= read -r -t 5 status <&3 || exit 1
  exec 3<&-
  case "$status" in
    "HTTP/1.1 200"*) exit 0 ;;
    *) echo "health: $status" >&2; exit 1 ;;
  esac
}

case "${1:-llmproxy}" in
  llmproxy) shift || true; start "$@" ;;
  -*) start "$@" ;;
  health) health ;;
  *) exec "$@" ;;
esac
