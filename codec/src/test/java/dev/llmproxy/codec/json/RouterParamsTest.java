package dev.llmproxy.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LiteLLM's per-request router parameters: read, and taken out of the body with everything else kept as written. */
class RouterParamsTest {

    @Test
    void shouldReadEveryParameterAndKeepTheOtherMembersByteForByte() {
        String json = "{\"model\":\"gpt\", \"num_retries\":3,\"temperature\":0.10000000000000001,"
                + "\"timeout\":2.5,\"fallbacks\":[\"a\",{\"model\":\"b\",\"temperature\":1}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi \\u00e9\"}],\"max_fallbacks\":1,"
                + "\"context_window_fallbacks\":[{\"gpt\":[\"big\"]}],\"content_policy_fallbacks\":[\"safe\"],"
                + "\"disable_fallbacks\":false}";

        RouterParams.Extracted extracted = extract(json);

        RouterParams params = extracted.params();
        assertThat(params.numRetries()).isEqualTo(3);
        assertThat(params.timeoutSeconds()).isEqualTo(2.5);
        assertThat(params.fallbacks()).containsExactly("a", "b");
        assertThat(params.maxFallbacks()).isEqualTo(1);
        assertThat(params.contextWindowFallbacks()).isEqualTo(Map.of("gpt", List.of("big")));
        assertThat(params.contentPolicyFallbacks()).isEqualTo(Map.of("*", List.of("safe")));
        assertThat(params.disableFallbacks()).isFalse();
        String body = extracted.body().toString(StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"model\":\"gpt\",\"temperature\":0.10000000000000001,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi \\u00e9\"}]}");
        assertThat(RequestScanner.scan(extracted.body()).hasRouterParams()).isFalse();
        extracted.body().release();
    }

    @Test
    void shouldTakeOutLiteLlmsMockTestingParametersAndNameTheFirstSetToTrue() {
        RouterParams.Extracted extracted = extract("{\"model\":\"x\",\"mock_testing_rate_limit_error\":false,"
                + "\"mock_testing_fallbacks\":{\"odd\":[1]},\"mock_testing_context_fallbacks\":true,"
                + "\"mock_testing_content_policy_fallbacks\":true,\"include_fallback_errors\":true}");

        RouterParams params = extracted.params();
        assertThat(params.mockTestingParams()).containsExactly("mock_testing_rate_limit_error",
                "mock_testing_fallbacks", "mock_testing_context_fallbacks", "mock_testing_content_policy_fallbacks");
        assertThat(params.mockFailure()).isEqualTo(RouterParams.MOCK_TESTING_CONTEXT_FALLBACKS);
        assertThat(params.includeFallbackErrors()).isTrue();
        assertThat(extracted.body().toString(StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"x\"}");
        extracted.body().release();
    }

    @Test
    void shouldFindTheLongestParameterNameWithTheScanner() {
        ByteBuf body = Unpooled.copiedBuffer("{\"model\":\"x\",\"mock_testing_content_policy_fallbacks\":true}",
                StandardCharsets.UTF_8);

        assertThat(RequestScanner.scan(body).hasRouterParams()).isTrue();
        body.release();
    }

    @Test
    void shouldBeFoundByTheScanner() {
        ByteBuf body = Unpooled.copiedBuffer("{\"model\":\"x\",\"fallbacks\":[\"y\"]}", StandardCharsets.UTF_8);
        ByteBuf plain = Unpooled.copiedBuffer("{\"model\":\"x\",\"messages\":[{\"timeout\":1}]}",
                StandardCharsets.UTF_8);

        assertThat(RequestScanner.scan(body).hasRouterParams()).isTrue();
        assertThat(RequestScanner.scan(plain).hasRouterParams()).as("only top-level members count").isFalse();
        body.release();
        plain.release();
    }

    @Test
    void shouldLeaveAnEmptyObjectWhenOnlyParametersWereSent() {
        RouterParams.Extracted extracted = extract("{\"num_retries\":0}");

        assertThat(extracted.body().toString(StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(extracted.params().numRetries()).isZero();
        assertThat(extracted.params().timeoutSeconds()).isZero();
        assertThat(extracted.params().fallbacks()).isNull();
        extracted.body().release();
    }

    @Test
    void shouldRefuseParametersOfTheWrongTypeWithAMessageForTheClient() {
        assertThatThrownBy(() -> extract("{\"num_retries\":\"two\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("num_retries must be a whole number >= 0");
        assertThatThrownBy(() -> extract("{\"timeout\":-1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be a number of seconds > 0");
        assertThatThrownBy(() -> extract("{\"fallbacks\":\"gpt\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("fallbacks must be a list of model names");
        assertThatThrownBy(() -> extract("{\"fallbacks\":[{\"temperature\":1}]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name a \"model\"");
    }

    private static RouterParams.Extracted extract(String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return RouterParams.extract(ByteBufAllocator.DEFAULT, body);
        } finally {
            body.release();
        }
    }
}
