package dev.llmproxy.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {

    @Test
    void shouldWriteOneDataLineWhenPayloadIsCompactJson() {
        ByteBuf payload = TestBuffers.of(TestBuffers.Kind.OFFSET, "{\"a\":\"x\\ny\"}");
        try {
            assertThat(TestBuffers.drain(SseEvents.data(TestBuffers.ALLOC, payload)))
                    .isEqualTo("data: {\"a\":\"x\\ny\"}\n\n");
            assertThat(payload.readerIndex()).isEqualTo(7);
            assertThat(payload.refCnt()).isEqualTo(1);
        } finally {
            payload.release();
        }
    }

    @Test
    void shouldWriteEmptyDataLineWhenPayloadIsEmpty() {
        assertThat(write("")).isEqualTo("data: \n\n");
    }

    @Test
    void shouldWriteOneDataLinePerLineWhenPayloadHasLineEnds() {
        assertThat(write("a\nb\r\nc\rd")).isEqualTo("data: a\ndata: b\ndata: c\ndata: d\n\n");
        assertThat(write("a\n")).isEqualTo("data: a\ndata: \n\n");
        assertThat(write("\r\n")).isEqualTo("data: \ndata: \n\n");
    }

    @Test
    void shouldReadBackPayloadWithLfForLineEndsWhenFramed() {
        for (String payload : new String[] {"{\"a\":1}", "", "a\nb", "a\r\nb\rc\n", "\n\n"}) {
            List<String> seen = new ArrayList<>();
            SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 1024, (data, index, length) -> {
                seen.add(data.toString(index, length, StandardCharsets.UTF_8));
                return Decision.FORWARD;
            });
            String event = write(payload);
            ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.DIRECT, event);
            try {
                assertThat(TestBuffers.drain(framer.frame(chunk))).isEqualTo(event);
            } finally {
                chunk.release();
            }
            assertThat(TestBuffers.drain(framer.finish())).isEmpty();
            String expected = payload.replace("\r\n", "\n").replace('\r', '\n');
            assertThat(seen).as("payload %s", payload).containsExactly(expected);
        }
    }

    private static String write(String payload) {
        ByteBuf buf = TestBuffers.of(TestBuffers.Kind.HEAP, payload);
        try {
            return TestBuffers.drain(SseEvents.data(TestBuffers.ALLOC, buf));
        } finally {
            buf.release();
        }
    }
}
