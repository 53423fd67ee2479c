package dev.llmproxy.codec.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The estimate of a {@code count_tokens} request's input tokens for models without a counting API. */
class TokenEstimateTest {

    @Test
    void shouldCountFourCharactersPerTokenOfSystemAndMessageText() {
        // "You are terse." (14) + "user" (4) + "Hello there, how are you?" (25) = 43 characters -> 11 tokens
        assertThat(estimate("{\"model\":\"gpt-4o\",\"max_tokens\":1024,\"system\":\"You are terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}")).isEqualTo(11);
    }

    @Test
    void shouldCountImageSourceAsMediaTokensAndNeverItsBase64() {
        String data = "A".repeat(40_000);
        int tokens = estimate("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                + "{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + data + "\"}},"
                + "{\"type\":\"text\",\"text\":\"What is this?\"}]}]}");

        // "user" + "image" + "text" + "What is this?" = 26 characters -> 7 tokens, and one image
        assertThat(tokens).isEqualTo(7 + TokenEstimate.MEDIA_TOKENS);
    }

    @Test
    void shouldCountToolSchemasWithTheirFieldNames() {
        // tool: name, get_weather, description, Weather, input_schema, type, object = 4+11+11+7+12+4+6 = 55
        int tokens = estimate("{\"messages\":[],\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather\","
                + "\"input_schema\":{\"type\":\"object\"}}]}");

        assertThat(tokens).isEqualTo(14);
    }

    @Test
    void shouldIgnoreFieldsOutsideSystemMessagesAndTools() {
        assertThat(estimate("{\"model\":\"claude-sonnet-4-5-with-a-very-long-name\",\"metadata\":{\"user_id\":"
                + "\"someone-with-a-long-id\"},\"messages\":[]}")).isZero();
    }

    @Test
    void shouldRefuseBodyThatIsNotOneJsonObject() {
        assertThatThrownBy(() -> estimate("[1,2]")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> estimate("{\"messages\":[}")).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("The request body is not valid JSON");
        assertThatThrownBy(() -> estimate("{} {}")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldWriteAnthropicCountTokensAnswer() {
        ByteBuf body = TokenEstimate.body(UnpooledByteBufAllocator.DEFAULT, 1234);

        assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("{\"input_tokens\":1234}");
        body.release();
    }

    private static int estimate(String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return TokenEstimate.inputTokens(body);
        } finally {
            body.release();
        }
    }
}
