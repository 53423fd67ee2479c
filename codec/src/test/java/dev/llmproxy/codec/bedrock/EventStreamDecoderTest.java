package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AWS event-stream framing, decoded incrementally: whole, split at every byte, corrupt, cut and oversized. */
class EventStreamDecoderTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @Test
    void shouldDecodeAwsPublishedEmptyMessage() {
        byte[] empty = {0, 0, 0, 0x10, 0, 0, 0, 0, 0x05, (byte) 0xc2, 0x48, (byte) 0xeb, 0x7d, (byte) 0x98,
            (byte) 0xc8, (byte) 0xff};
        Recorder recorder = new Recorder();
        decode(recorder, empty, empty.length).finish().release();
        assertThat(recorder.seen).containsExactly("||");
        assertThat(recorder.malformed).isEmpty();
    }

    @Test
    void shouldDecodeTheSameMessagesWhenSplitAtEveryByte() {
        byte[] stream = EventFrames.concat(
                EventFrames.event("messageStart", "{\"role\":\"assistant\"}"),
                EventFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hé\"}}"),
                EventFrames.exception("throttlingException", "Too many requests"));
        for (int at = 0; at <= stream.length; at++) {
            Recorder recorder = new Recorder();
            EventStreamDecoder decoder = decode(recorder, stream, at);
            assertThat(recorder.seen).as("split at %d", at).containsExactly(
                    "event|messageStart|{\"role\":\"assistant\"}",
                    "event|contentBlockDelta|{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hé\"}}",
                    "exception|throttlingException|{\"message\":\"Too many requests\"}");
            assertThat(decoder.endedCleanly()).isTrue();
            decoder.finish().release();
        }
        alloc.assertAllReleased("decoder");
    }

    @Test
    void shouldStopAtAPreludeCrcThatDoesNotMatch() {
        byte[] frame = EventFrames.event("messageStart", "{}");
        frame[8] ^= 1;
        Recorder recorder = new Recorder();
        EventStreamDecoder decoder = decode(recorder, EventFrames.concat(frame, EventFrames.event("x", "{}")), 3);
        assertThat(recorder.seen).isEmpty();
        assertThat(recorder.malformed).containsExactly("Invalid AWS event stream: the prelude CRC does not match");
        assertThat(decoder.endedCleanly()).isFalse();
        decoder.finish().release();
        alloc.assertAllReleased("decoder");
    }

    @Test
    void shouldStopAtAMessageCrcThatDoesNotMatch() {
        byte[] first = EventFrames.event("messageStart", "{}");
        byte[] second = EventFrames.event("contentBlockDelta", "{\"delta\":{\"text\":\"a\"}}");
        second[second.length - 6] ^= 0x20;
        Recorder recorder = new Recorder();
        decode(recorder, EventFrames.concat(first, second, EventFrames.event("messageStop", "{}")), first.length + 5)
                .finish().release();
        assertThat(recorder.seen).containsExactly("event|messageStart|{}");
        assertThat(recorder.malformed).containsExactly("Invalid AWS event stream: the message CRC does not match");
        alloc.assertAllReleased("decoder");
    }

    @Test
    void shouldRefuseALengthAboveTheBoundBeforeWaitingForIt() {
        byte[] frame = EventFrames.message(new String[0], new byte[100]);
        Recorder recorder = new Recorder();
        EventStreamDecoder decoder = new EventStreamDecoder(alloc, 64, recorder);
        ByteBuf prelude = Unpooled.wrappedBuffer(frame, 0, 12);
        decoder.frame(prelude).release();
        assertThat(recorder.malformed).containsExactly(
                "Invalid AWS event stream: a message length of 116 bytes (expected 16 to 64)");
        assertThat(decoder.endedCleanly()).isFalse();
        decoder.finish().release();
        alloc.assertAllReleased("decoder");
    }

    @Test
    void shouldRefuseALengthBelowTheMinimum() {
        byte[] frame = EventFrames.message(new String[0], new byte[0]);
        frame[3] = 8;
        long crc = EventFrames.crc(frame, 0, 8);
        frame[8] = (byte) (crc >> 24);
        frame[9] = (byte) (crc >> 16);
        frame[10] = (byte) (crc >> 8);
        frame[11] = (byte) crc;
        Recorder recorder = new Recorder();
        decode(recorder, frame, frame.length).finish().release();
        assertThat(recorder.malformed).containsExactly(
                "Invalid AWS event stream: a message length of 8 bytes (expected 16 to 65536)");
    }

    @Test
    void shouldRefuseHeadersThatOverrunTheirLength() {
        byte[] frame = EventFrames.message(new String[] {":event-type", "messageStart"}, new byte[0]);
        frame[12] = 100;
        long crc = EventFrames.crc(frame, 0, frame.length - 4);
        int end = frame.length;
        frame[end - 4] = (byte) (crc >> 24);
        frame[end - 3] = (byte) (crc >> 16);
        frame[end - 2] = (byte) (crc >> 8);
        frame[end - 1] = (byte) crc;
        Recorder recorder = new Recorder();
        decode(recorder, frame, 20).finish().release();
        assertThat(recorder.malformed).containsExactly("Invalid AWS event stream: a header that overruns the headers");
    }

    @Test
    void shouldSayTheStreamWasCutWhenItEndsInsideAMessage() {
        byte[] frame = EventFrames.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        for (int cut = 1; cut < frame.length; cut++) {
            Recorder recorder = new Recorder();
            EventStreamDecoder decoder = decode(recorder, Arrays.copyOf(frame, cut), cut / 2);
            assertThat(recorder.seen).isEmpty();
            assertThat(decoder.endedCleanly()).as("cut at %d", cut).isFalse();
            assertThat(decoder.finish().readableBytes()).isZero();
        }
        alloc.assertAllReleased("decoder");
    }

    @Test
    void shouldSkipHeadersOfEveryType() {
        byte[] payload = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] typed = EventFrames.message(new String[] {":message-type", "event"}, payload);
        // Insert headers of types 0-9 before the string one: the decoder must step over each value correctly.
        byte[] extra = {1, 'a', 0, 1, 'b', 1, 1, 'c', 2, 5, 1, 'd', 3, 0, 1, 1, 'e', 4, 0, 0, 0, 1,
            1, 'f', 5, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'g', 6, 0, 2, 9, 9, 1, 'h', 8, 0, 0, 0, 0, 0, 0, 0, 1,
            1, 'i', 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        String[] headers = {":message-type", "event", ":event-type", "metadata"};
        byte[] plain = EventFrames.message(headers, payload);
        int headersLength = plain.length - 16 - payload.length;
        byte[] withExtra = new byte[plain.length + extra.length];
        java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(withExtra);
        out.putInt(withExtra.length).putInt(headersLength + extra.length);
        out.putInt((int) EventFrames.crc(withExtra, 0, 8));
        out.put(extra).put(plain, 12, headersLength).put(payload);
        out.putInt((int) EventFrames.crc(withExtra, 0, withExtra.length - 4));
        Recorder recorder = new Recorder();
        decode(recorder, EventFrames.concat(withExtra, typed), 7).finish().release();
        assertThat(recorder.seen).containsExactly("event|metadata|{}", "event||{}");
        assertThat(recorder.malformed).isEmpty();
    }

    private EventStreamDecoder decode(Recorder recorder, byte[] stream, int at) {
        EventStreamDecoder decoder = new EventStreamDecoder(alloc, 1 << 16, recorder);
        for (byte[] read : new byte[][] {Arrays.copyOfRange(stream, 0, at), Arrays.copyOfRange(stream, at,
                stream.length)}) {
            ByteBuf chunk = alloc.heapBuffer().writeBytes(read);
            decoder.frame(chunk).release();
            chunk.release();
        }
        return decoder;
    }

    private static final class Recorder implements EventStreamDecoder.Visitor {
        final List<String> seen = new ArrayList<>();
        final List<String> malformed = new ArrayList<>();

        @Override
        public void onMessage(String messageType, String eventType, ByteBuf payload, int index, int length,
                SseEventFramer.Emitter out) {
            seen.add(messageType + "|" + eventType + "|" + payload.toString(index, length, StandardCharsets.UTF_8));
        }

        @Override
        public void onMalformed(String reason, SseEventFramer.Emitter out) {
            malformed.add(reason);
        }
    }
}
