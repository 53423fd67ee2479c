package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Usage read from the final event of a relayed Responses stream by {@link ResponsesUsage}. */
class ResponsesUsageTest {

    @Test
    void shouldReadUsageFromResponseCompleted() {
        assertThat(usage("{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_1\","
                + "\"output\":[],\"usage\":{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":0},"
                + "\"output_tokens\":5,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":17}}}"))
                .isEqualTo(new Usage(12, 5, 17));
        assertThat(usage(" { \"type\" : \"response.incomplete\",\"response\":{\"usage\":{\"input_tokens\":1,"
                + "\"output_tokens\":2}}}")).isEqualTo(new Usage(1, 2, 3));
    }

    @Test
    void shouldIgnoreEveryOtherEvent() {
        assertThat(usage("{\"type\":\"response.output_text.delta\",\"delta\":\"\\\"response.completed\\\"\"}"))
                .isNull();
        assertThat(usage("{\"type\":\"response.created\",\"response\":{\"usage\":null}}")).isNull();
        assertThat(usage("{\"type\":\"response.completed\",\"response\":{\"usage\":null}}")).isNull();
        assertThat(usage("{\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":1")).isNull();
        assertThat(usage("")).isNull();
    }

    private static @Nullable Usage usage(String data) {
        ByteBuf buf = Unpooled.wrappedBuffer(("xx" + data).getBytes(StandardCharsets.UTF_8));
        return ResponsesUsage.of(buf, 2, buf.readableBytes() - 2);
    }
}
