package dev.llmproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code llmproxy --config X --check} on the shipped seed deployment and on broken configs. */
class ConfigCheckTest {
    /** The shipped seed deployment; tests run in the cli module's directory. */
    private static final Path SEED = Path.of("..", "conf", "config.yaml");
    private static final Map<String, String> SEED_ENV = Map.of(
            "LITELLM_MASTER_KEY", "sk-seed-check-master-key-0123456789",
            "OPENROUTER_API_KEY", "sk-or-v1-check",
            "GEMINI_API_KEY", "gemini-check",
            "GITHUB_TOKEN", "ghp_check");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldReportEveryUnsetVariableOfTheSeedConfigByNameAndExitNonZero() {
        int status = check(Map.of(), SEED);

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(out.toString())
                .contains("model_list[0].litellm_params.api_key: environment variable OPENROUTER_API_KEY is not set")
                .contains("environment variable GEMINI_API_KEY is not set")
                .contains("environment variable GITHUB_TOKEN is not set")
                .contains("general_settings.master_key: environment variable LITELLM_MASTER_KEY is not set")
                .contains("4 unset variable(s) (OPENROUTER_API_KEY, GEMINI_API_KEY, GITHUB_TOKEN, "
                        + "LITELLM_MASTER_KEY)");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldPassTheSeedConfigWithItsVariablesSet() {
        int status = check(SEED_ENV, SEED);

        assertThat(status).isZero();
        assertThat(out.toString())
                .contains("OK; ")
                .contains("0 unset variable(s)")
                .doesNotContain("is not supported by this llmproxy")
                .doesNotContain("error:")
                .doesNotContain("sk-or-v1-check").doesNotContain("gemini-check");
    }

    @Test
    void shouldReportLimitsTooLargeAndInvalidValuesAsErrors() throws IOException {
        Path tooLarge = Files.writeString(dir.resolve("large.yaml"), """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, rpm: 5000000000, rpd: 5000000000}}
                """);
        Path invalid = Files.writeString(dir.resolve("invalid.yaml"), """
                router_settings: {routing_strategy: fastest}
                """);

        assertThat(check(Map.of(), tooLarge)).isEqualTo(Main.EXIT_CONFIG);
        assertThat(out.toString()).contains("error: ").contains("limits too large to enforce together");
        assertThat(check(Map.of(), invalid)).isEqualTo(Main.EXIT_CONFIG);
        assertThat(out.toString()).contains("unknown routing strategy 'fastest'");
    }

    @Test
    void shouldReportACallbackMissingItsVariablesAsAnErrorAndUnsupportedCallbacksAsWarnings() throws IOException {
        Path callbacks = Files.writeString(dir.resolve("callbacks.yaml"), """
                model_list:
                  - {model_name: g, litellm_params: {model: openai/a, api_key: sk-1}}
                litellm_settings:
                  callbacks: ["mlflow", "datadog"]
                  success_callback: ["otel"]
                """);

        assertThat(check(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), callbacks)).isEqualTo(Main.EXIT_CONFIG);
        assertThat(out.toString()).contains("error: the mlflow callback needs MLFLOW_TRACKING_URI")
                .contains("warning: callbacks llmproxy does not support, ignored: datadog");

        out.getBuffer().setLength(0);
        assertThat(check(Map.of("MLFLOW_TRACKING_URI", "http://mlflow:5000", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                callbacks)).isZero();
        assertThat(out.toString()).contains("warning: otel: the exporter protocol 'grpc' is not supported")
                .doesNotContain("error:");
    }

    private int check(Map<String, String> env, Path config) {
        Main main = new Main(env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CommandLine(main).execute("--config", config.toString(), "--check");
    }
}
