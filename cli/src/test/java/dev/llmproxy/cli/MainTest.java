package dev.llmproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

class MainTest {
    private static final String MOCK_MODEL = """
            model_list:
              - model_name: mock
                litellm_params:
                  model: openai/mock
                  mock_response: hi
            """;

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return new CommandLine(new Main(env, new PrintWriter(err, true))).execute(args);
    }

    @Test
    void shouldRefuseNonLoopbackHostWhenNoMasterKey() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL);

        int status = run(Map.of(), "--config", config.toString(), "--host", "0.0.0.0", "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_UNSAFE);
        assertThat(err.toString()).contains("refusing to listen on 0.0.0.0 without a master key")
                .contains("LITELLM_MASTER_KEY");
    }

    @Test
    void shouldRefuseWeakMasterKeyWhenListeningBeyondLoopback() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL);

        int status = run(Map.of("LITELLM_MASTER_KEY", "sk-1234"), "--config", config.toString(), "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_UNSAFE);
        assertThat(err.toString()).contains("refusing to listen on 0.0.0.0")
                .contains("the master key has 7 characters").contains("openssl rand").doesNotContain("sk-1234");
    }

    @Test
    void shouldExitWithConfigErrorNamingTheKeyWhenValueIsInvalid() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL + """
                litellm_settings:
                  request_timeout: soon
                """);

        int status = run(Map.of(), "--config", config.toString(), "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("litellm_settings.request_timeout").contains(":7");
    }

    @Test
    void shouldExitWithConfigErrorWhenKeepaliveTimeoutIsNotPositive() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL);

        int status = run(Map.of(), "--config", config.toString(), "--port", "0", "--keepalive_timeout", "0");

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("--keepalive_timeout: expected a number of seconds > 0, got 0");
    }

    @Test
    void shouldExitWithConfigErrorWhenKeepaliveTimeoutVariableIsNotANumber() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL);

        int status = run(Map.of("KEEPALIVE_TIMEOUT", "later"), "--config", config.toString(), "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("KEEPALIVE_TIMEOUT: expected a number of seconds, got 'later'");
    }

    @Test
    void shouldExitWithConfigErrorWhenEnvironmentVariableIsMissing() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: gpt
                    litellm_params:
                      model: openai/gpt-4o
                      api_key: os.environ/SURELY_UNSET_KEY
                """);

        int status = run(Map.of(), "--config", config.toString(), "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("SURELY_UNSET_KEY");
    }

    @Test
    void shouldExitWithConfigErrorNamingTheVariableWhenMlflowCallbackHasNoTrackingUri() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL + """
                litellm_settings:
                  success_callback: ["mlflow"]
                """);

        int status = run(Map.of(), "--config", config.toString(), "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("MLFLOW_TRACKING_URI");
    }

    @Test
    void shouldWarnByNameAboutUnsupportedCallbacksAndKeepStarting() throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), MOCK_MODEL + """
                litellm_settings:
                  callbacks: ["prometheus", "datadog"]
                  failure_callback: ["s3_v2", "datadog"]
                """);
        Logger logger = (Logger) LoggerFactory.getLogger("llmproxy");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        int status;
        try {
            // No master key and a public address: refused after the config was read and its warnings logged.
            status = run(Map.of(), "--config", config.toString(), "--port", "0", "--host", "0.0.0.0");
        } finally {
            logger.detachAppender(appender);
        }

        assertThat(status).isEqualTo(Main.EXIT_UNSAFE);
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(message -> assertThat(message).contains("not support").contains("datadog, s3_v2"))
                .noneSatisfy(message -> assertThat(message).contains("litellm_settings.callbacks"));
    }

    @Test
    void shouldExitWithConfigErrorWhenNoConfigIsGiven() {
        int status = run(Map.of(), "--port", "0");

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("--config");
    }

    @Test
    void shouldTreatLocalhostAndLoopbackAddressesAsLoopback() {
        assertThat(Main.isLoopback("localhost")).isTrue();
        assertThat(Main.isLoopback("127.0.0.1")).isTrue();
        assertThat(Main.isLoopback("::1")).isTrue();
        assertThat(Main.isLoopback("0.0.0.0")).isFalse();
    }
}
