package dev.llmproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusSettingsTest {
    private static final String MODELS = """
            model_list:
              - model_name: m
                litellm_params: {model: openai/x, api_base: "http://127.0.0.1:9/v1", api_key: sk-1}
            """;

    @TempDir
    Path dir;

    @Test
    void shouldBePublicWithDefaultBucketsWhenNothingIsSet() throws IOException {
        ProxyConfig config = load(MODELS);

        assertThat(config.litellmSettings().prometheus()).isEqualTo(PrometheusSettings.DEFAULTS);
        assertThat(config.litellmSettings().prometheus().requireAuthForMetrics()).isFalse();
        assertThat(config.litellmSettings().prometheus().latencyBuckets()).isNull();
    }

    @Test
    void shouldReadAuthAndBucketsWhenSet() throws IOException {
        ProxyConfig config = load(MODELS + """
                litellm_settings:
                  require_auth_for_metrics_endpoint: true
                  prometheus_latency_buckets: [0.1, 0.5, 1, 2.5, .inf]
                  callbacks: ["prometheus"]
                """);

        PrometheusSettings prometheus = config.litellmSettings().prometheus();
        assertThat(prometheus.requireAuthForMetrics()).isTrue();
        assertThat(prometheus.latencyBuckets()).containsExactly(0.1, 0.5, 1.0, 2.5);
        assertThat(config.ignoredKeys()).doesNotContain("litellm_settings.callbacks",
                "litellm_settings.require_auth_for_metrics_endpoint", "litellm_settings.prometheus_latency_buckets");
    }

    @Test
    void shouldMergeMetricGroupsWhenIncludeListIsSet() throws IOException {
        ProxyConfig config = load(MODELS + """
                litellm_settings:
                  prometheus_metrics_config:
                    - group: requests
                      metrics: [litellm_proxy_total_requests_metric, litellm_llm_api_latency_metric]
                      include_labels: [requested_model, status_code]
                    - group: more
                      metrics: [litellm_proxy_total_requests_metric]
                      include_labels: [model_id]
                    - group: all labels
                      metrics: [litellm_total_tokens_metric]
                  prometheus_exclude_metrics: [litellm_requests_metric]
                  prometheus_exclude_labels: [end_user, client_ip]
                """);

        PrometheusSettings prometheus = config.litellmSettings().prometheus();
        assertThat(prometheus.includeMetrics()).containsOnlyKeys("litellm_proxy_total_requests_metric",
                "litellm_llm_api_latency_metric", "litellm_total_tokens_metric");
        assertThat(prometheus.includeMetrics().get("litellm_proxy_total_requests_metric"))
                .containsExactly("requested_model", "status_code", "model_id");
        assertThat(prometheus.includeMetrics().get("litellm_llm_api_latency_metric"))
                .containsExactly("requested_model", "status_code");
        assertThat(prometheus.includeMetrics().get("litellm_total_tokens_metric")).isNull();
        assertThat(prometheus.excludeMetrics()).containsExactly("litellm_requests_metric");
        assertThat(prometheus.excludeLabels()).containsExactly("end_user", "client_ip");
        assertThat(config.ignoredKeys()).noneMatch(key -> key.startsWith("litellm_settings.prometheus_"));
    }

    @Test
    void shouldRefuseGroupWhenItHasNoMetrics() throws IOException {
        Path file = write(MODELS + """
                litellm_settings:
                  prometheus_metrics_config:
                    - group: empty
                      include_labels: [model]
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("prometheus_metrics_config[0].metrics");
    }

    @Test
    void shouldReadBucketsWrittenAsTextWhenFromEnvironment() throws IOException {
        Path file = write(MODELS + """
                litellm_settings:
                  prometheus_latency_buckets: ["0.25", "os.environ/TOP_BUCKET", "inf"]
                """);

        ProxyConfig config = ConfigLoader.load(file, Map.of("TOP_BUCKET", "30"));

        assertThat(config.litellmSettings().prometheus().latencyBuckets()).isEqualTo(List.of(0.25, 30.0));
    }

    @Test
    void shouldNameTheBucketWhenBucketsAreNotIncreasing() throws IOException {
        Path file = write(MODELS + """
                litellm_settings:
                  prometheus_latency_buckets: [1, 0.5]
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("litellm_settings.prometheus_latency_buckets[1]")
                .hasMessageContaining("0.5");
    }

    @Test
    void shouldRefuseWhenAuthIsNotABoolean() throws IOException {
        Path file = write(MODELS + """
                litellm_settings:
                  require_auth_for_metrics_endpoint: sometimes
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("require_auth_for_metrics_endpoint");
    }

    private ProxyConfig load(String yaml) throws IOException {
        return ConfigLoader.load(write(yaml), Map.of());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }
}
