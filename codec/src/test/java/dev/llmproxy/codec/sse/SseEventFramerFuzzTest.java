package dev.llmproxy.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.sse.SseEventFramer.Emitter;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link SseEventFramer} with a rewriting visitor over a stream cut into fuzzed chunks, against a reference
 * framing of the whole stream written from the event-stream grammar (HTML Living Standard, "Parsing an event
 * stream"): lines end with CRLF, LF or CR, an event ends at a blank line, its data is its {@code data} lines (one
 * leading space dropped) joined with LF.
 *
 * <p>Properties checked on every input: the visitor sees the reference's events in order; the forwarded bytes equal
 * the reference's (kept events as they are, replaced ones by what the visitor emitted, the trailing incomplete event
 * from {@code finish()}), unless an event outgrew {@code maxEventBytes}; chunks are never taken; nothing the framer or
 * the visitor allocated outlives the stream.
 *
 * <p>Input layout ({@link FuzzInput}): a count byte (0-8) and that many decision bytes (each event's decision is
 * {@code decisions[n % count] % 5}: forward, drop, replace by zero, one or two events), a byte choosing
 * {@code maxEventBytes} (below 128 unlimited, else 1-64), a count byte (0-8) and that many two-byte chunk cuts, a byte
 * whose low bit makes the chunks direct, then the stream.
 */
class SseEventFramerFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void frameInChunks(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        byte[] decisions = data.next(data.nextInt(9));
        int limit = data.nextByte();
        int maxEventBytes = limit < 128 ? Integer.MAX_VALUE : (limit & 63) + 1;
        int[] cuts = new int[data.nextInt(9)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.nextShort();
        }
        boolean direct = (data.nextByte() & 1) != 0;
        byte[] stream = data.rest();

        TrackingAllocator alloc = new TrackingAllocator();
        RecordingVisitor visitor = new RecordingVisitor(alloc, decisions);
        SseEventFramer framer = new SseEventFramer(alloc, maxEventBytes, visitor);
        ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        int[] bounds = chunkBounds(cuts, stream.length);
        for (int c = 0; c + 1 < bounds.length; c++) {
            int length = bounds[c + 1] - bounds[c];
            ByteBuf chunk = (direct ? alloc.directBuffer(length) : alloc.heapBuffer(length))
                    .writeBytes(stream, bounds[c], length);
            try {
                drainInto(framer.frame(chunk), forwarded);
                assertThat(chunk.refCnt()).as("chunk taken").isEqualTo(1);
                assertThat(chunk.readableBytes()).isEqualTo(length);
            } finally {
                chunk.release();
            }
        }
        boolean overflowed = framer.isOverflowed();
        drainInto(framer.finish(), forwarded);
        alloc.assertAllReleased("SseEventFramer");
        if (overflowed) {
            return;
        }
        Reference expected = Reference.frame(stream, decisions);
        assertThat(visitor.seen).as("events shown to the visitor").containsExactlyElementsOf(expected.data);
        assertThat(forwarded.toByteArray()).as("forwarded bytes").isEqualTo(expected.output.toByteArray());
    }

    /** Returns sorted chunk boundaries from 0 to {@code length}, empty chunks included. */
    private static int[] chunkBounds(int[] cuts, int length) {
        int[] bounds = new int[cuts.length + 2];
        for (int i = 0; i < cuts.length; i++) {
            bounds[i + 1] = length == 0 ? 0 : cuts[i] % (length + 1);
        }
        bounds[bounds.length - 1] = length;
        Arrays.sort(bounds);
        return bounds;
    }

    private static void drainInto(ByteBuf out, ByteArrayOutputStream sink) {
        try {
            sink.writeBytes(ByteBufUtil.getBytes(out));
        } finally {
            out.release();
        }
    }

    /** What the visitor does with the n-th event: driven by the fuzzed decision bytes, the same for the reference. */
    private static int action(byte[] decisions, int ordinal) {
        return decisions.length == 0 ? 0 : (decisions[ordinal % decisions.length] & 0xFF) % 5;
    }

    /** The events that replace the n-th event with data {@code payload} under {@code action} 2, 3 or 4. */
    private static List<byte[]> replacement(int action, int ordinal, byte[] payload) {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < action - 2; i++) {
            ByteBuf event = SseEvents.data(UnpooledByteBufAllocator.DEFAULT,
                    Unpooled.wrappedBuffer(prefixed(ordinal, i, payload)));
            events.add(ByteBufUtil.getBytes(event));
            event.release();
        }
        return events;
    }

    private static byte[] prefixed(int ordinal, int part, byte[] payload) {
        byte[] prefix = (ordinal + "." + part + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + payload.length);
        System.arraycopy(payload, 0, out, prefix.length, payload.length);
        return out;
    }

    /** Forwards (0), drops (1), replaces with nothing (2), one event (3) or two (4), and records what it saw. */
    private static final class RecordingVisitor implements SseEventFramer.RewritingVisitor {
        private final ByteBufAllocator alloc;
        private final byte[] decisions;
        final List<byte[]> seen = new ArrayList<>();

        RecordingVisitor(ByteBufAllocator alloc, byte[] decisions) {
            this.alloc = alloc;
            this.decisions = decisions;
        }

        @Override
        public Decision onEvent(ByteBuf data, int index, int length, Emitter out) {
            int ordinal = seen.size();
            byte[] payload = ByteBufUtil.getBytes(data, index, length);
            seen.add(payload);
            int action = action(decisions, ordinal);
            if (action == 0) {
                return Decision.FORWARD;
            }
            if (action == 1) {
                return Decision.DROP;
            }
            for (int i = 0; i < action - 2; i++) {
                ByteBuf text = alloc.heapBuffer().writeBytes(prefixed(ordinal, i, payload));
                try {
                    out.emit(SseEvents.data(alloc, text));
                } finally {
                    text.release();
                }
            }
            return Decision.REPLACE;
        }
    }

    /** The whole stream framed line by line, the way the grammar reads. */
    private static final class Reference {
        final List<byte[]> data = new ArrayList<>();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();

        static Reference frame(byte[] stream, byte[] decisions) {
            Reference reference = new Reference();
            int eventStart = 0;
            int p = 0;
            List<int[]> lines = new ArrayList<>();
            while (p < stream.length) {
                int eol = p;
                while (eol < stream.length && stream[eol] != '\n' && stream[eol] != '\r') {
                    eol++;
                }
                if (eol == stream.length) {
                    break;
                }
                int next = stream[eol] == '\r' && eol + 1 < stream.length && stream[eol + 1] == '\n' ? eol + 2 : eol + 1;
                if (eol == p) {
                    reference.event(stream, eventStart, next, lines, decisions);
                    lines.clear();
                    eventStart = next;
                } else {
                    lines.add(new int[] {p, eol});
                }
                p = next;
            }
            reference.output.write(stream, eventStart, stream.length - eventStart);
            return reference;
        }

        private void event(byte[] stream, int start, int end, List<int[]> lines, byte[] decisions) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            int dataLines = 0;
            for (int[] line : lines) {
                int length = line[1] - line[0];
                String head = new String(stream, line[0], Math.min(length, 5), StandardCharsets.ISO_8859_1);
                if (!head.equals("data") && !head.equals("data:")) {
                    continue;
                }
                int value = Math.min(line[0] + 5, line[1]);
                if (value < line[1] && stream[value] == ' ') {
                    value++;
                }
                if (dataLines++ > 0) {
                    joined.write('\n');
                }
                joined.write(stream, value, line[1] - value);
            }
            if (dataLines == 0) {
                output.write(stream, start, end - start);
                return;
            }
            int ordinal = data.size();
            byte[] payload = joined.toByteArray();
            data.add(payload);
            int action = action(decisions, ordinal);
            if (action == 0) {
                output.write(stream, start, end - start);
            } else if (action >= 2) {
                for (byte[] event : replacement(action, ordinal, payload)) {
                    output.writeBytes(event);
                }
            }
        }
    }
}
