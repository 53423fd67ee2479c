package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.responses.ManagedResponseIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a relayed OpenAI Responses stream ends when it does not end as the Responses API ends one. */
class NativeResponsesTranslatorTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);
    private static final String CREATED = "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\","
            + "\"object\":\"response\",\"created_at\":1741476542,\"status\":\"in_progress\",\"error\":null,"
            + "\"model\":\"gpt-4.1\",\"output\":[]},\"sequence_number\":0}";
    private static final String DELTA = "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\","
            + "\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\",\"sequence_number\":1}";
    private static final String COMPLETED = "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
            + "\"object\":\"response\",\"status\":\"completed\",\"output\":[]},\"sequence_number\":2}";
    private static final String MANAGED_ID = ManagedResponseIds.encode("openai", "gpt-1", "resp_1");

    private final NativeResponsesTranslator translator = new NativeResponsesTranslator("openai", "gpt-1");
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        for (ByteBuf buf : buffers) {
            assertThat(buf.release()).isTrue();
        }
    }

    @Test
    void shouldFailWithTheResponsesErrorEventAndTheLastResponseWhenTheStreamIsCut() {
        visit(CREATED);
        visit(DELTA);

        String end = drain(translator.failStream(ALLOC, 504, "The provider did not answer in time"));

        assertThat(end).isEqualTo("event: error\ndata: {\"type\":\"error\",\"code\":\"504\",\"message\":"
                + "\"The provider did not answer in time\",\"param\":null,\"sequence_number\":2}\n\n"
                + "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"id\":\"" + MANAGED_ID
                + "\",\"object\":\"response\",\"created_at\":1741476542,\"status\":\"failed\",\"error\":{\"code\":"
                + "\"server_error\",\"message\":\"The provider did not answer in time\"},\"model\":\"gpt-4.1\","
                + "\"output\":[]},\"sequence_number\":3}\n\n");
        assertThat(translator.failStream(ALLOC, 504, "again").readableBytes()).isZero();
    }

    @Test
    void shouldEndWithTheErrorEventAndResponseFailedWhenTheStreamStopsBeforeItsLastEvent() {
        visit(CREATED);
        visit(DELTA);

        String end = drain(translator.finishStream(ALLOC));

        assertThat(end).startsWith("event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":"
                + "\"The provider's stream ended before the response was complete\",\"param\":null,"
                + "\"sequence_number\":2}\n\nevent: response.failed\n");
    }

    @Test
    void shouldAddNothingWhenTheStreamEndedWithItsLastEvent() {
        visit(CREATED);
        visit(DELTA);
        visit(COMPLETED);

        assertThat(translator.finishStream(ALLOC)).isNull();
        assertThat(translator.failStream(ALLOC, 503, "closed").readableBytes()).isZero();
    }

    @Test
    void shouldGiveTheErrorEventAloneWhenNoResponseWasSeen() {
        visit(DELTA);

        assertThat(drain(translator.failStream(ALLOC, 503, "closed"))).isEqualTo("event: error\ndata: {\"type\":"
                + "\"error\",\"code\":\"503\",\"message\":\"closed\",\"param\":null,\"sequence_number\":1}\n\n");
    }

    private void visit(String json) {
        ByteBuf data = ALLOC.heapBuffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        buffers.add(data);
        translator.onEvent(data, data.readerIndex(), data.readableBytes(), buffers::add);
    }

    private static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
