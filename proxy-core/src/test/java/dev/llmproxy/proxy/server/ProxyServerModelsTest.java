package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model list, single model lookups and the health probes. */
class ProxyServerModelsTest {
    @TempDir
    Path dir;

    private ProxyFixture proxy;

    @BeforeEach
    void setUp() {
        proxy = ProxyFixture.start(dir, """
                model_list:
                  - model_name: mock-gpt
                    litellm_params:
                      model: openai/gpt-4o-mini
                      mock_response: "Hello there"
                  - model_name: mock-embed
                    litellm_params:
                      model: openai/text-embedding-3-small
                      mock_response: "unused"
                router_settings:
                  model_group_alias:
                    gpt-alias: mock-gpt
                """);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void shouldListModelNamesAndAliasesWhenModelsAreRequested() {
        HttpResponse<String> response = proxy.get("/v1/models");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body())
                .contains("\"object\":\"list\"")
                .contains("\"id\":\"mock-gpt\"")
                .contains("\"id\":\"mock-embed\"")
                .contains("\"id\":\"gpt-alias\"");
    }

    @Test
    void shouldAnswer404SayingHowToTurnMetricsOnWhenMetricsAreOff() {
        HttpResponse<String> response = proxy.get("/metrics");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("metrics are off: add \\\"prometheus\\\" to litellm_settings.callbacks");
    }

    @Test
    void shouldListModelsWhenPathHasNoV1Prefix() {
        HttpResponse<String> response = proxy.get("/models");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"mock-gpt\"");
    }

    @Test
    void shouldDescribeModelWhenIdIsKnown() {
        HttpResponse<String> response = proxy.get("/v1/models/mock-gpt");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"mock-gpt\"").contains("\"object\":\"model\"");
    }

    @Test
    void shouldAnswer404WhenModelIdIsUnknown() {
        HttpResponse<String> response = proxy.get("/v1/models/no-such-model");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("no-such-model").contains("\"error\"");
    }

    @Test
    void shouldAnswerImAliveWhenLivelinessIsProbed() {
        HttpResponse<String> response = proxy.get("/health/liveliness");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"I'm alive!\"");
    }

    @Test
    void shouldReportHealthyWhenReadinessIsProbed() {
        HttpResponse<String> response = proxy.get("/health/readiness");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"healthy\"");
    }
}
