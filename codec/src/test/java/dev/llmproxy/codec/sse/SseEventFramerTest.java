package dev.llmproxy.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.sse.SseEventFramer.RewritingVisitor;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SseEventFramerTest {
    private static final int MAX = 1 << 16;

    @Test
    void shouldForwardEventsAndShowDataWhenStreamIsFedWholeOrSplitAtEveryByte() {
        String stream = "data: {\"a\":1}\n\n: keep-alive\n\nevent: x\nid: 7\ndata:two\ndata:  lines\n\ndata\n\n"
                + "data: [DONE]\n\n";
        assertAllSplits(stream, stream, List.of("{\"a\":1}", "two\n lines", "", "[DONE]"), "");
    }

    @Test
    void shouldDropEventsWhenVisitorSaysDrop() {
        String stream = "data: keep1\n\ndata: DROP\n\ndata: keep2\n\ndata: DROP\r\n\r\ndata: [DONE]\n\n";
        String expected = "data: keep1\n\ndata: keep2\n\ndata: [DONE]\n\n";
        assertAllSplits(stream, expected, List.of("keep1", "DROP", "keep2", "DROP", "[DONE]"), "");
    }

    @Test
    void shouldFindBoundariesWhenLineEndsAreMixed() {
        String stream = "data: a\r\n\r\ndata: b\r\rdata: c\n\r\ndata: d\r\n\ndata: e\r\r\ndata: DROP\r\r\ndata: f\n\n";
        String expected = "data: a\r\n\r\ndata: b\r\rdata: c\n\r\ndata: d\r\n\ndata: e\r\r\ndata: f\n\n";
        assertAllSplits(stream, expected, List.of("a", "b", "c", "d", "e", "DROP", "f"), "");
    }

    @Test
    void shouldReturnIncompleteTailFromFinishWhenStreamEndsMidEvent() {
        String stream = "data: a\n\ndata: partial\n";
        assertAllSplits(stream, "data: a\n\n", List.of("a"), "data: partial\n");
    }

    @Test
    void shouldReturnRetainedSliceOfChunkWhenEventsArriveWhole() {
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, recorder(seen));
        ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.DIRECT, "data: 1\n\ndata: 2\n\n");
        try {
            ByteBuf out = framer.frame(chunk);
            assertThat(out).isNotInstanceOf(CompositeByteBuf.class);
            assertThat(chunk.refCnt()).isEqualTo(2);
            assertThat(TestBuffers.drain(out)).isEqualTo("data: 1\n\ndata: 2\n\n");
            assertThat(chunk.readerIndex()).isZero();
        } finally {
            chunk.release();
            assertThat(TestBuffers.drain(framer.finish())).isEmpty();
        }
        assertThat(chunk.refCnt()).isZero();
        assertThat(seen).containsExactly("1", "2");
    }

    @Test
    void shouldPassThroughAndReportWhenEventExceedsMaximum() {
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 16, recorder(seen));
        StringBuilder out = new StringBuilder();
        out.append(frame(framer, "data: ok\n\ndata: 0123"));
        assertThat(framer.isOverflowed()).isFalse();
        out.append(frame(framer, "4567890"));
        assertThat(framer.isOverflowed()).isTrue();
        out.append(frame(framer, "more\n\ndata: x\n\n"));
        out.append(TestBuffers.drain(framer.finish()));
        assertThat(out.toString()).isEqualTo("data: ok\n\ndata: 01234567890more\n\ndata: x\n\n");
        assertThat(seen).containsExactly("ok");
    }

    @Test
    void shouldOverflowWithoutCopyingWhenOneChunkHoldsTooLongTail() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 4, recorder(new ArrayList<>()));
        assertThat(frame(framer, "data: too long")).isEqualTo("data: too long");
        assertThat(framer.isOverflowed()).isTrue();
        framer.release();
    }

    @Test
    void shouldFreeBuffersWhenReleasedMidEvent() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, recorder(new ArrayList<>()));
        assertThat(frame(framer, "data: a\ndata: b\n\ndata: partial")).isEqualTo("data: a\ndata: b\n\n");
        framer.release();
        framer.release();
        assertThatThrownBy(() -> frame(framer, "x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReleaseOutputWhenVisitorThrows() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length) -> {
            if (data.getByte(index) == 'X') {
                throw new IllegalStateException("boom");
            }
            return Decision.FORWARD;
        });
        ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.HEAP, "data: a\n\ndata: X\n\n");
        try {
            assertThatThrownBy(() -> framer.frame(chunk)).hasMessage("boom");
        } finally {
            chunk.release();
            framer.release();
        }
        assertThat(chunk.refCnt()).isZero();
    }

    private static void assertAllSplits(String stream, String expectedOut, List<String> expectedData,
            String expectedLeftover) {
        assertAllSplits(SseEventFramerTest::dropper, stream, expectedOut, expectedData, expectedLeftover);
    }

    /** Feeds {@code stream} whole, split once at every byte, twice at nearby bytes, and byte by byte. */
    static void assertAllSplits(Function<List<String>, RewritingVisitor> visitor, String stream, String expectedOut,
            List<String> expectedData, String expectedLeftover) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        check(visitor, new int[0], bytes, expectedOut, expectedData, expectedLeftover);
        for (int at = 1; at < bytes.length; at++) {
            check(visitor, new int[] {at}, bytes, expectedOut, expectedData, expectedLeftover);
            // Three-way splits with the cuts close together cover CR, LF and field names cut twice.
            for (int second = at + 1; second < Math.min(bytes.length, at + 6); second++) {
                check(visitor, new int[] {at, second}, bytes, expectedOut, expectedData, expectedLeftover);
            }
        }
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, visitor.apply(seen));
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(frame(framer, new byte[] {b}));
        }
        out.append(TestBuffers.drain(framer.finish()));
        assertThat(out.toString()).as("byte by byte").isEqualTo(expectedOut + expectedLeftover);
        assertThat(seen).as("byte by byte").isEqualTo(expectedData);
    }

    private static void check(Function<List<String>, RewritingVisitor> visitor, int[] splits, byte[] bytes,
            String expectedOut, List<String> expectedData, String expectedLeftover) {
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, visitor.apply(seen));
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int i = 0; i <= splits.length; i++) {
            int to = i < splits.length ? splits[i] : bytes.length;
            byte[] part = new byte[to - from];
            System.arraycopy(bytes, from, part, 0, part.length);
            out.append(frame(framer, part));
            from = to;
        }
        String leftover = TestBuffers.drain(framer.finish());
        String desc = Arrays.toString(splits);
        assertThat(out.toString() + leftover).as("splits %s", desc).isEqualTo(expectedOut + expectedLeftover);
        assertThat(leftover).as("leftover, splits %s", desc).isEqualTo(expectedLeftover);
        assertThat(seen).as("data, splits %s", desc).isEqualTo(expectedData);
    }

    static String frame(SseEventFramer framer, String text) {
        return frame(framer, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String frame(SseEventFramer framer, byte[] bytes) {
        ByteBuf chunk = TestBuffers.of(bytes.length % 2 == 0 ? TestBuffers.Kind.DIRECT : TestBuffers.Kind.OFFSET, bytes);
        try {
            return TestBuffers.drain(framer.frame(chunk));
        } finally {
            chunk.release();
            assertThat(chunk.refCnt()).isZero();
        }
    }

    private static SseEventFramer.Visitor recorder(List<String> seen) {
        return (data, index, length) -> {
            seen.add(data.toString(index, length, StandardCharsets.UTF_8));
            return Decision.FORWARD;
        };
    }

    private static SseEventFramer.Visitor dropper(List<String> seen) {
        return (data, index, length) -> {
            String text = data.toString(index, length, StandardCharsets.UTF_8);
            seen.add(text);
            return text.equals("DROP") ? Decision.DROP : Decision.FORWARD;
        };
    }
}
