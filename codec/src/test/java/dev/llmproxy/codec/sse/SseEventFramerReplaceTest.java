package dev.llmproxy.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.sse.SseEventFramer.Emitter;
import dev.llmproxy.codec.sse.SseEventFramer.RewritingVisitor;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Decision#REPLACE}: events a {@link RewritingVisitor} emits take the original's place. The visitor used here
 * replaces an event whose data is {@code REPLACE w1 w2 ...} with one event {@code data: wN\n\n} per word.
 */
class SseEventFramerReplaceTest {
    private static final int MAX = 1 << 16;
    private static final String[] UNFRAMED = {"data: x", "data: x\n", "data: x\r\n", "data: x\r"};
    private static final String[] FRAMED = {"data: y\n\n", "data: y\r\r", "data: y\r\n\r\n", "data: y\n\r",
        "data: y\r\n\r", "\n", ""};

    // Every event the visitors of one test emitted; each must be released by the end of the test.
    private final List<ByteBuf> emitted = new ArrayList<>();

    @AfterEach
    void everyEmittedEventIsReleased() {
        assertThat(emitted).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void shouldForwardEmittedEventBetweenZeroCopySlicesWhenOneEventIsReplacedByOne() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, rewriter(new ArrayList<>()));
        ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.DIRECT, "data: a\n\ndata: REPLACE b\n\ndata: c\n\n");
        try {
            ByteBuf out = framer.frame(chunk);
            assertThat(out).isInstanceOf(CompositeByteBuf.class);
            assertThat(((CompositeByteBuf) out).numComponents()).isEqualTo(3);
            assertThat(chunk.refCnt()).as("two retained slices, no copy").isEqualTo(3);
            assertThat(TestBuffers.drain(out)).isEqualTo("data: a\n\ndata: b\n\ndata: c\n\n");
        } finally {
            chunk.release();
            assertThat(TestBuffers.drain(framer.finish())).isEmpty();
        }
        assertThat(chunk.refCnt()).isZero();
        assertThat(emitted).hasSize(1);
    }

    @Test
    void shouldDropCommentsAndAnUnfinishedEventWhenTheVisitorTranslates() {
        RewritingVisitor replacing = rewriter(new ArrayList<>());
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, new RewritingVisitor() {
            @Override
            public Decision onEvent(ByteBuf data, int index, int length, Emitter out) {
                return replacing.onEvent(data, index, length, out);
            }

            @Override
            public boolean keepsOtherEvents() {
                return false;
            }
        });

        assertThat(SseEventFramerTest.frame(framer, ": keep-alive\n\nevent: ping\n\ndata: REPLACE x\n\nid: 7"))
                .isEqualTo("data: x\n\n");
        assertThat(TestBuffers.drain(framer.finish())).isEmpty();
    }

    @Test
    void shouldReturnEmittedEventItselfWhenItIsTheWholeOutput() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, rewriter(new ArrayList<>()));
        assertThat(SseEventFramerTest.frame(framer, "data: REPLACE x\n\n")).isEqualTo("data: x\n\n");
        framer.release();
    }

    @Test
    void shouldSplitEventWhenVisitorEmitsTwo() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, rewriter(new ArrayList<>()));
        assertThat(SseEventFramerTest.frame(framer, "data: REPLACE b c\n\ndata: d\n\n"))
                .isEqualTo("data: b\n\ndata: c\n\ndata: d\n\n");
        framer.release();
        assertThat(emitted).hasSize(2);
    }

    @Test
    void shouldLeaveEventOutWhenVisitorReplacesItWithNone() {
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, rewriter(seen));
        assertThat(SseEventFramerTest.frame(framer, "data: a\n\ndata: REPLACE\n\ndata: c\n\n"))
                .isEqualTo("data: a\n\ndata: c\n\n");
        framer.release();
        assertThat(seen).containsExactly("a", "REPLACE", "c");
    }

    @Test
    void shouldDropEventWhenPlainVisitorAnswersReplace() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length) -> Decision.REPLACE);
        assertThat(SseEventFramerTest.frame(framer, "data: a\n\n: comment\n\ndata: b\n\n")).isEqualTo(": comment\n\n");
        framer.release();
    }

    @Test
    void shouldKeepStreamOrderWhenForwardReplaceAndDropMixAtEverySplit() {
        String stream = "data: a\n\ndata: REPLACE b\n\n: keep-alive\n\ndata: DROP\n\ndata: REPLACE c d\n\n"
                + "data: REPLACE\n\nevent: x\ndata: REPLACE\ndata: e\n\ndata: f\n\ndata: REPLACE g\n\ndata: [DONE]\n\n";
        String expected = "data: a\n\ndata: b\n\n: keep-alive\n\ndata: c\n\ndata: d\n\ndata: e\n\ndata: f\n\n"
                + "data: g\n\ndata: [DONE]\n\n";
        List<String> data = List.of("a", "REPLACE b", "DROP", "REPLACE c d", "REPLACE", "REPLACE\ne", "f", "REPLACE g",
                "[DONE]");
        SseEventFramerTest.assertAllSplits(this::rewriter, stream, expected, data, "");
    }

    @Test
    void shouldReplaceWithoutTheTrailingLfWhenLineEndsAreCrOrCrlf() {
        String stream = "data: a\r\rdata: REPLACE b\r\rdata: c\r\n\r\ndata: REPLACE d e\r\n\r\ndata: REPLACE\r\r\n"
                + "data: f\r\n\ndata: REPLACE g\n\r\ndata: h\n\n";
        String expected = "data: a\r\rdata: b\n\ndata: c\r\n\r\ndata: d\n\ndata: e\n\ndata: f\r\n\ndata: g\n\n"
                + "data: h\n\n";
        List<String> data = List.of("a", "REPLACE b", "c", "REPLACE d e", "REPLACE", "f", "REPLACE g", "h");
        SseEventFramerTest.assertAllSplits(this::rewriter, stream, expected, data, "");
    }

    @Test
    void shouldReplaceEventWhenItArrivesSplitAcrossChunks() {
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, rewriter(seen));
        assertThat(SseEventFramerTest.frame(framer, "data: a\n\ndata: REPL")).isEqualTo("data: a\n\n");
        assertThat(SseEventFramerTest.frame(framer, "ACE b c\n")).isEmpty();
        assertThat(SseEventFramerTest.frame(framer, "\ndata: d\n\ndata: REPLACE e\n\n"))
                .isEqualTo("data: b\n\ndata: c\n\ndata: d\n\ndata: e\n\n");
        assertThat(TestBuffers.drain(framer.finish())).isEmpty();
        assertThat(seen).containsExactly("a", "REPLACE b c", "d", "REPLACE e");
    }

    @Test
    void shouldPassThroughWithoutVisitingWhenOverflowedAfterReplacing() {
        List<String> seen = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 16, rewriter(seen));
        StringBuilder out = new StringBuilder();
        out.append(SseEventFramerTest.frame(framer, "data: REPLACE a\n\ndata: 0123"));
        out.append(SseEventFramerTest.frame(framer, "4567890"));
        assertThat(framer.isOverflowed()).isTrue();
        out.append(SseEventFramerTest.frame(framer, "\n\ndata: REPLACE b\n\n"));
        out.append(TestBuffers.drain(framer.finish()));
        assertThat(out.toString()).isEqualTo("data: a\n\ndata: 01234567890\n\ndata: REPLACE b\n\n");
        assertThat(seen).containsExactly("REPLACE a");
    }

    @Test
    void shouldThrowAndReleaseEmittedEventsWhenVisitorEmitsButDoesNotAnswerReplace() {
        for (Decision decision : new Decision[] {Decision.FORWARD, Decision.DROP}) {
            SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
                out.emit(event("x"));
                return decision;
            });
            ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.HEAP, "data: a\n\ndata: b\n\n");
            try {
                assertThatThrownBy(() -> framer.frame(chunk))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("answered " + decision);
                assertThat(chunk.refCnt()).as("no slice of the chunk left behind").isEqualTo(1);
            } finally {
                chunk.release();
                framer.release();
            }
        }
        assertThat(emitted).hasSize(2);
    }

    @Test
    void shouldReleaseEmittedEventsWhenVisitorThrowsAfterEmitting() {
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
            out.emit(event("x"));
            if (data.getByte(index) == 'X') {
                throw new IllegalStateException("boom");
            }
            return Decision.REPLACE;
        });
        ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.DIRECT, "data: a\n\ndata: X\n\n");
        try {
            assertThatThrownBy(() -> framer.frame(chunk)).hasMessage("boom");
        } finally {
            chunk.release();
            framer.release();
        }
        assertThat(chunk.refCnt()).isZero();
        assertThat(emitted).hasSize(2);
    }

    @Test
    void shouldThrowAndReleaseEventWhenEmitterIsUsedAfterVisitorReturned() {
        Emitter[] kept = new Emitter[1];
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
            kept[0] = out;
            return Decision.FORWARD;
        });
        assertThat(SseEventFramerTest.frame(framer, "data: a\n\n")).isEqualTo("data: a\n\n");
        ByteBuf late = event("late");
        assertThatThrownBy(() -> kept[0].emit(late)).isInstanceOf(IllegalStateException.class);
        assertThat(late.refCnt()).isZero();
        framer.release();
    }

    @Test
    void shouldThrowAndReleaseEventWhenEmittedBytesDoNotEndWithBlankLine() {
        List<String> rejected = new ArrayList<>();
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
            for (String bytes : UNFRAMED) {
                ByteBuf event = track(TestBuffers.of(TestBuffers.Kind.HEAP, bytes));
                try {
                    out.emit(event);
                } catch (IllegalArgumentException expected) {
                    rejected.add(bytes);
                }
            }
            for (String bytes : FRAMED) {
                out.emit(track(TestBuffers.of(TestBuffers.Kind.HEAP, bytes)));
            }
            return Decision.REPLACE;
        });
        assertThat(SseEventFramerTest.frame(framer, "data: a\n\n"))
                .isEqualTo(String.join("", FRAMED));
        framer.release();
        assertThat(rejected).containsExactly(UNFRAMED);
    }

    @Test
    void shouldReleaseEmittedEventsAndReturnNothingWhenVisitorReleasesFramer() {
        SseEventFramer[] framer = new SseEventFramer[1];
        framer[0] = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
            out.emit(event("x"));
            if (data.getByte(index) == 'S') {
                framer[0].release();
                ByteBuf late = event("late");
                assertThatThrownBy(() -> out.emit(late)).isInstanceOf(IllegalStateException.class);
            }
            return Decision.REPLACE;
        });
        ByteBuf chunk = TestBuffers.of(TestBuffers.Kind.DIRECT,
                "data: a\n\ndata: b\ndata: c\n\ndata: STOP\n\ndata: d\n\n");
        try {
            assertThat(TestBuffers.drain(framer[0].frame(chunk))).isEmpty();
            assertThat(chunk.refCnt()).isEqualTo(1);
        } finally {
            chunk.release();
        }
        assertThat(emitted).hasSize(4);
        assertThatThrownBy(() -> SseEventFramerTest.frame(framer[0], "x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReleaseEmittedEventsWhenVisitorFinishesFramerDuringSplitEvent() {
        SseEventFramer[] framer = new SseEventFramer[1];
        framer[0] = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
            out.emit(event("x"));
            if (data.getByte(index) == 'S') {
                assertThat(TestBuffers.drain(framer[0].finish())).isEmpty();
            }
            return Decision.REPLACE;
        });
        assertThat(SseEventFramerTest.frame(framer[0], "data: a\n\ndata: ST")).isEqualTo("data: x\n\n");
        assertThat(SseEventFramerTest.frame(framer[0], "OP\n\ndata: b\n\n")).isEmpty();
        assertThat(emitted).hasSize(2);
    }

    @Test
    void shouldThrowWhenVisitorCallsFrame() {
        SseEventFramer[] framer = new SseEventFramer[1];
        framer[0] = new SseEventFramer(TestBuffers.ALLOC, MAX, (data, index, length, out) -> {
            SseEventFramerTest.frame(framer[0], "data: again\n\n");
            return Decision.FORWARD;
        });
        assertThatThrownBy(() -> SseEventFramerTest.frame(framer[0], "data: a\n\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("its own visitor");
        framer[0].release();
    }

    /** Drops {@code DROP}, replaces {@code REPLACE w1 w2 ...} with one event per word, forwards the rest. */
    private RewritingVisitor rewriter(List<String> seen) {
        return (data, index, length, out) -> {
            String text = data.toString(index, length, StandardCharsets.UTF_8);
            seen.add(text);
            if (text.equals("DROP")) {
                return Decision.DROP;
            }
            if (!text.startsWith("REPLACE")) {
                return Decision.FORWARD;
            }
            for (String word : text.substring("REPLACE".length()).trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    out.emit(event(word));
                }
            }
            return Decision.REPLACE;
        };
    }

    private ByteBuf event(String data) {
        ByteBuf payload = TestBuffers.of(TestBuffers.Kind.HEAP, data);
        try {
            return track(SseEvents.data(TestBuffers.ALLOC, payload));
        } finally {
            payload.release();
        }
    }

    private ByteBuf track(ByteBuf buf) {
        emitted.add(buf);
        return buf;
    }
}
