package dev.llmproxy.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.proxy.trace.Callbacks.Outcomes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceSettingsTest {

    @Test
    void shouldWarnWhenTheOtelEndpointIsTheGrpcPort() {
        TraceSettings settings = TraceSettings.fromEnvironment(Callbacks.of(List.of("otel"), List.of(), List.of()),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));

        assertThat(settings.destinations().get(0).endpoint()).isEqualTo(URI.create("http://collector:4317/v1/traces"));
        assertThat(settings.warnings()).singleElement().asString().contains("collector:4317", "gRPC", "4318");
    }

    @Test
    void shouldSortCallbackNamesIntoPrometheusBackendsAndUnsupportedWhenLiteLlmListsAreGiven() {
        Callbacks callbacks = Callbacks.of(List.of("prometheus", "OTEL", "datadog"), List.of("mlflow", "langfuse"),
                List.of("langfuse_otel", "mlflow", "s3_v2", "datadog"));

        assertThat(callbacks.prometheus()).isTrue();
        assertThat(callbacks.backends()).containsExactly(
                Map.entry(TraceBackend.OTEL, Outcomes.BOTH),
                Map.entry(TraceBackend.MLFLOW, Outcomes.BOTH),
                Map.entry(TraceBackend.LANGFUSE, Outcomes.BOTH));
        assertThat(callbacks.unsupported()).containsExactly("datadog", "s3_v2");
        assertThat(Callbacks.of(List.of(), List.of("otel"), List.of()).backends())
                .containsExactly(Map.entry(TraceBackend.OTEL, Outcomes.SUCCESSES));
    }

    @Test
    void shouldExportNothingWhenNoTraceCallbackIsNamed() {
        TraceSettings settings = TraceSettings.fromEnvironment(Callbacks.of(List.of("prometheus"), List.of(),
                List.of()), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));

        assertThat(settings.destinations()).isEmpty();
    }

    @Test
    void shouldAppendTracesPathToBaseEndpointAndDecodeHeadersWhenOtelIsConfiguredByStandardVariables() {
        TraceDestination otel = only(TraceSettings.fromEnvironment(callbacks("otel"), Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b%3Dc, x-tenant=t1",
                "OTEL_SERVICE_NAME", "gateway")));

        assertThat(otel.endpoint()).isEqualTo(URI.create("http://collector:4318/v1/traces"));
        assertThat(otel.headers()).containsExactlyInAnyOrderEntriesOf(Map.of("api-key", "a b=c", "x-tenant", "t1"));
        assertThat(otel.toString()).contains("api-key").doesNotContain("a b=c");
    }

    @Test
    void shouldReadLiteLlmAliasesAndKeepAFullTracesEndpointAsGiven() {
        TraceSettings aliases = TraceSettings.fromEnvironment(callbacks("otel"), Map.of(
                "OTEL_ENDPOINT", "http://collector:4318/v1/traces", "OTEL_HEADERS", "k=v",
                "OTEL_EXPORTER", "otlp_grpc"));
        TraceDestination signal = only(TraceSettings.fromEnvironment(callbacks("otel"), Map.of(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector/custom/path",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318")));
        TraceDestination defaults = only(TraceSettings.fromEnvironment(callbacks("otel"), Map.of()));

        assertThat(only(aliases).endpoint()).isEqualTo(URI.create("http://collector:4318/v1/traces"));
        assertThat(only(aliases).headers()).containsEntry("k", "v");
        assertThat(aliases.warnings()).singleElement().asString().contains("otlp_grpc", "4318");
        assertThat(signal.endpoint()).isEqualTo(URI.create("https://collector/custom/path"));
        assertThat(defaults.endpoint()).isEqualTo(URI.create("http://localhost:4318/v1/traces"));
    }

    @Test
    void shouldPostToMlflowTracesEndpointWithExperimentHeaderWhenMlflowIsNamed() {
        TraceDestination mlflow = only(TraceSettings.fromEnvironment(callbacks("mlflow"), Map.of(
                "MLFLOW_TRACKING_URI", "http://mlflow:5000", "MLFLOW_EXPERIMENT_ID", "17",
                "MLFLOW_TRACKING_TOKEN", "tok")));
        TraceSettings byName = TraceSettings.fromEnvironment(callbacks("mlflow"), Map.of(
                "MLFLOW_TRACKING_URI", "https://mlflow.example/", "MLFLOW_EXPERIMENT_NAME", "proxy"));

        assertThat(mlflow.endpoint()).isEqualTo(URI.create("http://mlflow:5000/v1/traces"));
        assertThat(mlflow.headers()).containsEntry("x-mlflow-experiment-id", "17")
                .containsEntry("authorization", "Bearer tok");
        assertThat(only(byName).headers()).doesNotContainKey("x-mlflow-experiment-id");
        assertThat(only(byName).mlflowExperimentName()).isEqualTo("proxy");
        assertThat(mlflow.mlflowExperimentName()).as("the id wins").isNull();
        assertThat(byName.warnings()).isEmpty();
    }

    @Test
    void shouldAuthenticateToLangfuseWithBasicAuthOfBothKeysWhenLangfuseIsNamed() {
        TraceDestination langfuse = only(TraceSettings.fromEnvironment(callbacks("langfuse_otel"), Map.of(
                "LANGFUSE_HOST", "https://langfuse.internal/", "LANGFUSE_PUBLIC_KEY", "pk-lf-1",
                "LANGFUSE_SECRET_KEY", "sk-lf-2")));

        assertThat(langfuse.endpoint()).isEqualTo(URI.create("https://langfuse.internal/api/public/otel/v1/traces"));
        assertThat(langfuse.headers()).containsEntry("authorization", "Basic "
                + Base64.getEncoder().encodeToString("pk-lf-1:sk-lf-2".getBytes(StandardCharsets.UTF_8)));
        assertThat(langfuse.toString()).doesNotContain("Basic");
        assertThat(only(TraceSettings.fromEnvironment(callbacks("langfuse"), Map.of("LANGFUSE_PUBLIC_KEY", "p",
                "LANGFUSE_SECRET_KEY", "s"))).endpoint())
                .isEqualTo(URI.create("https://us.cloud.langfuse.com/api/public/otel/v1/traces"));
    }

    @Test
    void shouldNameTheMissingVariableWhenABackendCannotBeReached() {
        assertThatThrownBy(() -> TraceSettings.fromEnvironment(callbacks("mlflow"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MLFLOW_TRACKING_URI");
        assertThatThrownBy(() -> TraceSettings.fromEnvironment(callbacks("langfuse"),
                Map.of("LANGFUSE_PUBLIC_KEY", "pk")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LANGFUSE_SECRET_KEY");
        assertThatThrownBy(() -> TraceSettings.fromEnvironment(callbacks("otel"),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");
        assertThatThrownBy(() -> TraceSettings.fromEnvironment(callbacks("otel"),
                Map.of("OTEL_EXPORTER_OTLP_HEADERS", "Bearer sk-secret")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OTEL_EXPORTER_OTLP_HEADERS")
                .hasMessageNotContaining("sk-secret");
    }

    @Test
    void shouldReadServiceNameAndResourceAttributesWhenSet() {
        TraceSettings settings = TraceSettings.fromEnvironment(callbacks("otel"), Map.of(
                "OTEL_SERVICE_NAME", "gateway", "OTEL_RESOURCE_ATTRIBUTES", "team=ml,deployment.environment=staging"));

        assertThat(settings.serviceName()).isEqualTo("gateway");
        assertThat(settings.resource()).containsEntry("team", "ml").containsEntry("deployment.environment", "staging");
    }

    private static Callbacks callbacks(String name) {
        return Callbacks.of(List.of(name), List.of(), List.of());
    }

    private static TraceDestination only(TraceSettings settings) {
        assertThat(settings.destinations()).hasSize(1);
        return settings.destinations().get(0);
    }
}
