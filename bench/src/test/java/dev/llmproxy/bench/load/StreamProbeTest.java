package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probe, fed as a connection feeds it: each read's bytes through the {@link SseEventScanner} of the stream's
 * shape. Times are those of the mock's pacing at 20 ms: head at 0, four content events at 20, 40, 60 and 80 ms, the
 * closing events with the last one.
 */
class StreamProbeTest {

    private static final long MS = 1_000_000L;
    private static final String CHAT = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,";
    private static final String PLAIN = ",\"finish_reason\":null}]}";
    private static final String FINISH = "data: " + CHAT + "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n";

    /** The mock's OpenAI stream, relayed: role and first content in one chunk, the finish chunk with the last. */
    private static final Shape OPENAI = new Shape("OpenAI chat chunks", StreamShape.CHAT_CHUNKS, "",
            chat("{\"role\":\"assistant\",\"content\":\"Hel\"}"), chat("{\"content\":\"lo\"}"),
            FINISH);
    /** Anthropic's events translated: the role chunk comes of message_start, with the head. */
    private static final Shape ANTHROPIC_TRANSLATED = new Shape("Anthropic translated", StreamShape.CHAT_CHUNKS,
            chat("{\"role\":\"assistant\",\"content\":\"\"}"), chat("{\"content\":\"Hel\"}"),
            chat("{\"content\":\"lo\"}"), FINISH);
    /** Gemini's events translated: the role chunk comes of the first content event, with it. */
    private static final Shape GEMINI_TRANSLATED = new Shape("Gemini translated", StreamShape.CHAT_CHUNKS, "",
            chat("{\"role\":\"assistant\",\"content\":\"\"}") + chat("{\"content\":\"Hel\"}"),
            chat("{\"content\":\"lo\"}"), FINISH);
    /** Anthropic's events bridged to the Responses API: four events open the stream, four close it. */
    private static final Shape RESPONSES_BRIDGED = new Shape("Responses bridged", StreamShape.RESPONSES_EVENTS,
            responses("response.created", "\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"output\":[]}")
                    + responses("response.in_progress", "\"response\":{\"id\":\"resp_1\",\"output\":[]}"),
            responses("response.output_item.added", "\"item\":{\"type\":\"message\",\"content\":[]}")
                    + responses("response.content_part.added", "\"part\":{\"type\":\"output_text\",\"text\":\"\"}")
                    + responses("response.output_text.delta", "\"delta\":\"Hel\",\"logprobs\":[]"),
            responses("response.output_text.delta", "\"delta\":\"lo\",\"logprobs\":[]"),
            responses("response.output_text.done", "\"text\":\"Hello\"")
                    + responses("response.content_part.done", "\"part\":{\"type\":\"output_text\",\"text\":\"Hello\"}")
                    + responses("response.output_item.done", "\"item\":{\"type\":\"message\"}")
                    + responses("response.completed", "\"response\":{\"id\":\"resp_1\",\"output\":[{\"content\":["
                            + "{\"type\":\"output_text\",\"text\":\"Hello\"}]}]}"));
    /** The Anthropic mock's own events. */
    private static final Shape ANTHROPIC = new Shape("Anthropic events", StreamShape.ANTHROPIC_EVENTS,
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"content\":[]}}\n\n"
                    + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                    + "event: ping\ndata: {\"type\":\"ping\"}\n\n",
            anthropicDelta("Hel"), anthropicDelta("lo"),
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                    + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    /** The Gemini mock's own events: text in every one, the last one's empty, with the finish reason. */
    private static final Shape GEMINI = new Shape("Gemini events", StreamShape.GEMINI_EVENTS, "",
            gemini("Hel", ""), gemini("lo", ""), gemini("", ",\"finishReason\":\"STOP\""));

    private static final List<Shape> ALL =
            List.of(OPENAI, ANTHROPIC_TRANSLATED, GEMINI_TRANSLATED, RESPONSES_BRIDGED, ANTHROPIC, GEMINI);

    @Test
    void shouldCallPacedStreamsUnbufferedWhateverTheirShape() {
        for (Shape shape : ALL) {
            StreamProbe probe = probe(4);
            feed(shape, probe, 20, 40, 60, 80);

            assertThat(probe.isComplete()).as(shape.name()).isTrue();
            assertThat(probe.isPaced()).as(shape.name()).isTrue();
            assertThat(probe.firstEventNanos()).as(shape.name()).isEqualTo(20 * MS);
            assertThat(probe.largestGapNanos()).as(shape.name()).isEqualTo(20 * MS);
            assertThat(probe.maxEventsPerRead()).as(shape.name()).isEqualTo(1);
        }
    }

    /**
     * Why translated Gemini streams once scored below Anthropic's (99.6 % against 100 %) in the same run: the probe
     * anchored its pacing on the first event of any kind, Anthropic's role chunk, one interval ahead of any content,
     * while Gemini's came with its first content, so the same stall at a stream's start was forgiven up to 2.5
     * intervals for one and 1.5 for the other. Anchored on the first content event, it is judged the same.
     */
    @Test
    void shouldCallTheSameStartStallBufferedWhateverTheShape() {
        for (Shape shape : ALL) {
            StreamProbe probe = probe(4);
            // The proxy stalls from 10 to 60 ms: the first three content events leave together.
            feed(shape, probe, 60, 60, 60, 80);

            assertThat(probe.isComplete()).as(shape.name()).isTrue();
            assertThat(probe.isPaced()).as(shape.name()).isFalse();
        }
    }

    @Test
    void shouldCallAShortStartStallUnbufferedWhateverTheShape() {
        for (Shape shape : ALL) {
            StreamProbe probe = probe(4);
            // 9 ms late at the start (under half an interval), then on time.
            feed(shape, probe, 29, 40, 60, 80);

            assertThat(probe.isPaced()).as(shape.name()).isTrue();
            assertThat(probe.firstEventNanos()).as(shape.name()).isEqualTo(29 * MS);
        }
    }

    @Test
    void shouldCallAWholeStreamInOneReadBufferedWhateverTheShape() {
        for (Shape shape : ALL) {
            StreamProbe probe = probe(4);
            feed(shape, probe, 80, 80, 80, 80);

            assertThat(probe.isPaced()).as(shape.name()).isFalse();
            assertThat(probe.maxEventsPerRead()).as(shape.name()).isEqualTo(4);
        }
    }

    @Test
    void shouldCallLateEventsUnbufferedButShowThemInTheLargestGap() {
        StreamProbe probe = probe(4);
        feed(RESPONSES_BRIDGED, probe, 20, 40, 100, 110);

        assertThat(probe.isPaced()).isTrue();
        assertThat(probe.largestGapNanos()).isEqualTo(60 * MS);
    }

    @Test
    void shouldNotCallAShortStreamUnbuffered() {
        StreamProbe probe = probe(4);
        for (int k = 0; k < 3; k++) {
            probe.onEvents(1, (100 + 20 * k) * MS);
        }
        assertThat(probe.isComplete()).isFalse();
        assertThat(probe.isPaced()).isFalse();
    }

    @Test
    void shouldToleratePacedContentSplitIntoMoreEventsThanExpected() {
        StreamProbe probe = probe(4);
        probe.onEvents(2, 20 * MS);
        for (int k = 1; k < 4; k++) {
            probe.onEvents(1, (20 + 20 * k) * MS);
        }
        assertThat(probe.isPaced()).isTrue();
    }

    @Test
    void shouldKeepArrivalsBeyondItsInitialCapacity() {
        StreamProbe probe = probe(2);
        for (int k = 0; k < 20; k++) {
            probe.onEvents(1, (100 + 20 * k) * MS);
        }
        assertThat(probe.isPaced()).isTrue();
    }

    @Test
    void shouldTellEachPathsShape() {
        assertThat(StreamShape.of("/v1/chat/completions")).isEqualTo(StreamShape.CHAT_CHUNKS);
        assertThat(StreamShape.of("/v1/responses")).isEqualTo(StreamShape.RESPONSES_EVENTS);
        assertThat(StreamShape.of("/v1/messages")).isEqualTo(StreamShape.ANTHROPIC_EVENTS);
        assertThat(StreamShape.of("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"))
                .isEqualTo(StreamShape.GEMINI_EVENTS);
    }

    /**
     * Feeds one stream: the opening at 0 (with the head), content event {@code k} at {@code contentMillis[k]} (the
     * first one with the events that come with it, the last one with the closing events); events due at the same
     * time arrive in one read.
     */
    private static void feed(Shape shape, StreamProbe probe, long... contentMillis) {
        SseEventScanner scanner = new SseEventScanner(shape.shape);
        StringBuilder read = new StringBuilder(shape.opening);
        long readAt = 0;
        for (int k = 0; k < contentMillis.length; k++) {
            if (contentMillis[k] != readAt) {
                deliver(scanner, probe, read, readAt);
                readAt = contentMillis[k];
            }
            read.append(k == 0 ? shape.first : shape.next);
        }
        read.append(shape.closing);
        deliver(scanner, probe, read, readAt);
        assertThat(scanner.isDone()).isEqualTo(shape.closing.endsWith("data: [DONE]\n\n"));
    }

    private static void deliver(SseEventScanner scanner, StreamProbe probe, StringBuilder read, long atMillis) {
        ByteBuf bytes = Unpooled.copiedBuffer(read, UTF_8);
        scanner.scan(bytes, bytes.readerIndex(), bytes.readableBytes());
        bytes.release();
        read.setLength(0);
        int events = scanner.drainEvents();
        if (events > 0) {
            probe.onEvents(events, atMillis * MS);
        }
    }

    private static StreamProbe probe(int expected) {
        StreamProbe probe = new StreamProbe(expected, 20 * MS);
        probe.reset(0);
        return probe;
    }

    private static String chat(String delta) {
        return "data: " + CHAT + "\"delta\":" + delta + PLAIN + "\n\n";
    }

    private static String responses(String type, String fields) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":0," + fields + "}\n\n";
    }

    private static String anthropicDelta(String text) {
        return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n";
    }

    private static String gemini(String text, String finish) {
        return "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text + "\"}],\"role\":\"model\"}"
                + finish + ",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":7}}\r\n\r\n";
    }

    /**
     * One stream shape: what comes with the head, the first content event (with what comes with it), each next one,
     * and what closes the stream.
     */
    private record Shape(String name, StreamShape shape, String opening, String first, String next,
            String closing) {}
}
