package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose stack in {@code deploy/} (issue 12), checked by the tools that own each format, since there is no
 * Docker engine here: {@code docker-compose config} for the compose file, {@code promtool} for the Prometheus config
 * and the shipped alert rules, llmproxy's own loader for its config, and the Grafana provisioning against the compose
 * file's services and mounts. {@code .ci/run} installs the tools; a missing one fails here.
 */
class ComposeStackIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");

    @TempDir
    Path dir;

    @Test
    void shouldValidateComposeFileWithEveryProfileWhenVariablesAreSet() throws Exception {
        Result result = run(DEPLOY, Map.of("LLMPROXY_ENV_FILE", ".env.example", "POSTGRES_PASSWORD", "pg-secret",
                "GRAFANA_ADMIN_PASSWORD", "grafana-secret"), "docker-compose", "-f", "docker-compose.yml",
                "--profile", "tls", "config");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("postgresql://llmproxy:pg-secret@postgres:5432/llmproxy",
                "MLFLOW_TRACKING_URI: http://mlflow:5000", "llmproxy:", "postgres:", "prometheus:", "grafana:",
                "mlflow:", "nginx:");
    }

    @Test
    void shouldRefuseToStartWithoutThePasswords() throws Exception {
        Result result = run(DEPLOY, Map.of("LLMPROXY_ENV_FILE", ".env.example"), "docker-compose", "-f",
                "docker-compose.yml", "config", "-q");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("set POSTGRES_PASSWORD in deploy/.env");
    }

    @Test
    void shouldPassPromtoolWithTheShippedAlertRules() throws Exception {
        Files.copy(DEPLOY.resolve("prometheus.yml"), dir.resolve("prometheus.yml"));
        Files.copy(ROOT.resolve("conf/prometheus/alerts.yml"), dir.resolve("alerts.yml"));

        Result result = run(dir, Map.of(), "promtool", "check", "config", "prometheus.yml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 1 rule files found");
        assertThat(Files.readString(DEPLOY.resolve("prometheus.yml"), UTF_8)).contains("\"llmproxy:4000\"");
    }

    @Test
    void shouldLoadTheStackConfigWithTheEnvironmentOfEnvExample() {
        ProxyConfig config = ConfigLoader.load(DEPLOY.resolve("config.yaml"),
                Map.of("LITELLM_MASTER_KEY", "sk-" + "0123456789abcdef".repeat(3)));

        assertThat(config.generalSettings().masterKey()).startsWith("sk-");
        assertThat(config.modelList()).isNotEmpty();
    }

    @Test
    void shouldProvisionGrafanaWithThePrometheusServiceAndTheMountedDashboards() throws IOException {
        Map<String, Object> compose = yaml(DEPLOY.resolve("docker-compose.yml"));
        Map<String, Object> datasources = yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> dashboards = yaml(DEPLOY.resolve("grafana/provisioning/dashboards/llmproxy.yml"));

        Map<String, Object> services = map(compose.get("services"));
        @SuppressWarnings("unchecked")
        List<String> grafanaVolumes = (List<String>) map(services.get("grafana")).get("volumes");
        String datasourceUrl = (String) map(list(datasources.get("datasources")).get(0)).get("url");
        String dashboardPath = (String) map(map(list(dashboards.get("providers")).get(0)).get("options")).get("path");

        assertThat(datasourceUrl).isEqualTo("http://prometheus:9090");
        assertThat(services).containsKey("prometheus");
        assertThat(grafanaVolumes).contains("../conf/grafana:" + dashboardPath + ":ro");
        assertThat(ROOT.resolve("conf/grafana")).isDirectoryContaining("glob:**.json");
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return map(new Yaml(new LoaderOptions()).load(Files.readString(file, UTF_8)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Path directory, Map<String, String> environment, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.equals("POSTGRES_PASSWORD")
                || name.equals("GRAFANA_ADMIN_PASSWORD") || name.equals("LLMPROXY_ENV_FILE"));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is not installed (" + e.getMessage() + "): apt-get install "
                    + (command[0].equals("promtool") ? "prometheus" : "docker-compose") + "; .ci/run installs it", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
