package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Response ids that name their deployment, in LiteLLM's format ({@link ManagedResponseIds}). */
class ManagedResponseIdsTest {
    /** What LiteLLM's {@code _build_responses_api_response_id("openai", "abc", "resp_123")} returns. */
    private static final String LITELLM_ID =
            "resp_bGl0ZWxsbTpjdXN0b21fbGxtX3Byb3ZpZGVyOm9wZW5haTttb2RlbF9pZDphYmM7cmVzcG9uc2VfaWQ6cmVzcF8xMjM=";

    @Test
    void shouldEncodeAsLiteLlmDoes() {
        assertThat(ManagedResponseIds.encode("openai", "abc", "resp_123")).isEqualTo(LITELLM_ID);
    }

    @Test
    void shouldDecodeLiteLlmIdsAndItsOwn() {
        assertThat(ManagedResponseIds.decode(LITELLM_ID))
                .isEqualTo(new ManagedResponseIds.Decoded("openai", "abc", "resp_123"));
        String own = ManagedResponseIds.encode("azure", "dep;1", "resp_67cb71b3");
        assertThat(ManagedResponseIds.decode(own))
                .isEqualTo(new ManagedResponseIds.Decoded("azure", "dep;1", "resp_67cb71b3"));
    }

    @Test
    void shouldDecodeUrlSafeIdsWithoutPadding() {
        String urlSafe = LITELLM_ID.replace('+', '-').replace('/', '_').replace("=", "");

        assertThat(ManagedResponseIds.decode(urlSafe))
                .isEqualTo(new ManagedResponseIds.Decoded("openai", "abc", "resp_123"));
    }

    @Test
    void shouldNotDecodeProviderIdsOrGarbage() {
        assertThat(ManagedResponseIds.decode("resp_67cb71b351908190a308f3859487620d")).isNull();
        assertThat(ManagedResponseIds.decode("resp_mock01")).isNull();
        assertThat(ManagedResponseIds.decode("resp_")).isNull();
        assertThat(ManagedResponseIds.decode("msg_abc")).isNull();
        assertThat(ManagedResponseIds.decode("resp_!!!")).isNull();
        String noModel = "resp_" + Base64.getEncoder().encodeToString(
                "litellm:custom_llm_provider:openai;model_id:;response_id:resp_1".getBytes(StandardCharsets.UTF_8));
        assertThat(ManagedResponseIds.decode(noModel)).isNull();
    }

    @Test
    void shouldReplaceTheResponseIdOfACompactEvent() {
        String event = "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\","
                + "\"object\":\"response\",\"output\":[{\"id\":\"msg_1\"}]}}";

        assertThat(replace(event)).isEqualTo(event.replace("\"resp_1\"", "\"resp_1-managed\""));
    }

    @Test
    void shouldReplaceTheResponseIdOfAPrettyBodyAndNothingElse() {
        String body = "{\n  \"id\": \"resp_9\",\n  \"output\": [{\"id\": \"msg_1\", \"text\": \"see resp_9\"}],\n"
                + "  \"previous_response_id\": \"resp_8\"\n}";

        assertThat(replace(body)).isEqualTo(body.replace("\"resp_9\"", "\"resp_9-managed\""));
    }

    @Test
    void shouldSkipIdsThatAreNotResponseIdsAndEscapedText() {
        String body = "{\"item\":{\"id\":\"msg_1\",\"text\":\"\\\"id\\\":\\\"resp_x\\\"\"},\"id\":\"resp_2\"}";

        assertThat(replace(body)).isEqualTo(body.replace("\"resp_2\"", "\"resp_2-managed\""));
        assertThat(replace("{\"id\":\"msg_1\",\"delta\":\"resp_\"}")).isNull();
        assertThat(replace("{\"id\":\"resp_unterminated")).isNull();
        assertThat(replace("")).isNull();
    }

    @Test
    void shouldTellEventsThatCarryTheResponse() {
        assertThat(carries("{\"type\":\"response.created\",\"response\":{}}")).isTrue();
        assertThat(carries("{\"type\":\"response.in_progress\",\"response\":{}}")).isTrue();
        assertThat(carries("{\"type\":\"response.completed\",\"response\":{}}")).isTrue();
        assertThat(carries("{\"type\":\"response.queued\",\"response\":{}}")).isTrue();
        assertThat(carries("{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}")).isFalse();
        assertThat(carries("{\"type\":\"response.completed")).isFalse();
        assertThat(carries("[DONE]")).isFalse();
    }

    private static @Nullable String replace(String json) {
        ByteBuf data = Unpooled.wrappedBuffer(("xx" + json + "yy").getBytes(StandardCharsets.UTF_8));
        int length = data.readableBytes() - 4;
        ByteBuf out = ManagedResponseIds.replaceResponseId(ByteBufAllocator.DEFAULT, data, 2, length,
                id -> id + "-managed");
        assertThat(data.readerIndex()).isZero();
        if (out == null) {
            return null;
        }
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    private static boolean carries(String json) {
        ByteBuf data = Unpooled.wrappedBuffer(("x" + json).getBytes(StandardCharsets.UTF_8));
        return ManagedResponseIds.carriesResponse(data, 1, data.readableBytes() - 1);
    }
}
