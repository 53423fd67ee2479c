#!/usr/bin/env bash
# Assembles llmproxy's runtime tree, /opt/llmproxy in the container image: a Java runtime cut down with jlink to the
# modules the jar needs, the jar, conf/jvm.options and the entrypoint script. The Dockerfile's build stage runs this
# script, and so does cli's ContainerRuntimeIT (without Docker), which then runs llmproxy from the tree and reports
# its size.
#
#   deploy/build-runtime.sh cli/target/llmproxy.jar /out/opt/llmproxy
#
# Needs a JDK with its jmods (Temurin; on Debian the openjdk-17-jmods package): jlink and jdeps are taken from
# $JAVA_HOME/bin, else from the PATH.
set -euo pipefail

# The modules of the runtime. `jdeps --print-module-deps` on the jar finds the first six; the check below fails
# the build when it finds one that is neither here nor in EXCLUDED.
#   java.base, java.logging, jdk.unsupported (Netty's Unsafe), jdk.jfr (Netty's buffer events),
#   java.naming (logback's JNDI lookups; Netty's name-server discovery),
#   java.net.http (the OTLP trace exporter posts spans with the JDK's HttpClient; Vertex AI's token exchange)
# and three it does not report:
#   java.xml        logback reads logback.xml with SAX (jdeps --ignore-missing-deps drops the classes that refer to
#                   it, because they also refer to optional dependencies the jar does not carry)
#   jdk.crypto.ec   elliptic-curve key exchange and signatures for TLS to providers when the JDK's TLS is used
#                   (a security provider, loaded as a service)
#   jdk.naming.dns  the JNDI DNS provider behind java.naming, which Netty's resolver asks for name servers
# and, for the store (JDBC: H2, PostgreSQL, HikariCP, JDBI, Flyway):
#   java.sql        JDBC itself (with java.transaction.xa, which it requires)
#   java.management HikariCP's and the drivers' pool and connection MBeans
# ContainerRuntimeIT starts llmproxy on the result, which is what catches a module missing from this list.
MODULES=java.base,java.logging,java.naming,java.net.http,java.xml,jdk.jfr,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns,java.sql,java.management
# Modules jdeps finds that are left out on purpose (14 MB and more):
#   java.desktop    only SnakeYAML's JavaBean introspection and the JDBC libraries' java.beans helpers refer to it;
#                   llmproxy composes YAML nodes and never builds beans
#   java.compiler, java.instrument, java.scripting, jdk.net
#                   H2 features llmproxy does not use: Java-source functions, the agent, script triggers and the
#                   TCP server's socket options (llmproxy runs H2 embedded)
#   java.security.jgss
#                   PostgreSQL's Kerberos (GSSAPI) authentication, loaded only when the server asks for it; use
#                   password or certificate authentication with the image
EXCLUDED=java.desktop,java.compiler,java.instrument,java.scripting,jdk.net,java.security.jgss

if [ $# -ne 2 ]; then
  echo "usage: $0 <llmproxy.jar> <output directory>" >&2
  exit 2
fi
jar="$1"
out="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${JAVA_HOME:+$JAVA_HOME/bin/}"

if [ ! -f "$jar" ]; then
  echo "$0: no jar at $jar (build it with: mvn -B -DskipTests -pl cli -am package)" >&2
  exit 1
fi
for tool in jlink jdeps; do
  if ! command -v "${bin}$tool" >/dev/null 2>&1; then
    echo "$0: ${bin}$tool not found: set JAVA_HOME to a JDK (not a JRE)" >&2
    exit 1
  fi
done

release="$("${bin}jlink" --version)"
release="${release%%.*}"
needed="$("${bin}jdeps" --ignore-missing-deps --print-module-deps --multi-release "$release" "$jar")" || {
  echo "$0: jdeps cannot read $jar (a module-info.class left in the shaded jar?)" >&2
  exit 1
}
for module in ${needed//,/ }; do
  case ",$MODULES,$EXCLUDED," in
    *",$module,"*) ;;
    *)
      echo "$0: jdeps says the jar now needs $module: add it to MODULES, or to EXCLUDED with the reason" >&2
      exit 1
      ;;
  esac
done

rm -rf "$out"
mkdir -p "$(dirname "$out")"
"${bin}jlink" \
  --add-modules "$MODULES" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/runtime"
cp "$jar" "$out/llmproxy.jar"
cp "$root/conf/jvm.options" "$out/jvm.options"
cp "$root/deploy/docker-entrypoint.sh" "$out/docker-entrypoint.sh"
chmod 0755 "$out/docker-entrypoint.sh"

runtime_bytes="$(du -sb "$out/runtime" | cut -f1)"
jar_bytes="$(stat -c %s "$out/llmproxy.jar")"
total_bytes="$(du -sb "$out" | cut -f1)"
echo "runtime (jlink, Java $release): $((runtime_bytes / 1048576)) MiB; llmproxy.jar: $((jar_bytes / 1048576)) MiB;" \
  "$out: $((total_bytes / 1048576)) MiB ($total_bytes bytes)"
