package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import dev.llmproxy.codec.translate.ChunkWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes what a ConverseStream body can do to the decoder and the translation: whatever arrives (corrupt frames, cut
 * frames, lengths of any size, payloads that are not JSON), nothing throws, every buffer is released, the client's
 * stream ends with {@code [DONE]} or exactly one error event, and the output is the same wherever the bytes are split.
 *
 * <p>Input layout ({@link FuzzInput}): two bytes choosing where the stream is split, one byte choosing whether the
 * rest is used as it is or as the payload of valid frames (so that the fuzzer also reaches the translation), then the
 * bytes.
 */
class ConverseStreamTranslatorFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void translate(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        int split = data.nextShort();
        boolean framed = (data.nextByte() & 1) == 1;
        byte[] rest = data.rest();
        byte[] stream = framed ? frames(rest) : rest;
        TrackingAllocator alloc = new TrackingAllocator();

        String whole = run(alloc, stream, stream.length);
        String cut = run(alloc, stream, stream.length == 0 ? 0 : split % stream.length);

        assertThat(cut).isEqualTo(whole);
        assertThat(whole).satisfiesAnyOf(
                text -> assertThat(text).endsWith("data: [DONE]\n\n"),
                text -> assertThat(text).containsOnlyOnce("data: {\"error\":").endsWith("}}\n\n"));
        alloc.assertAllReleased("Bedrock translation");
    }

    /** Cuts the input at its 0xff bytes into payloads of valid frames, each event type picked by its first byte. */
    private static byte[] frames(byte[] input) {
        String[] types = {"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop",
            "messageStop", "metadata", "other"};
        byte[][] frames = new byte[0][];
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == (byte) 0xff) {
                byte[] part = Arrays.copyOfRange(input, start, i);
                String type = types[part.length == 0 ? 0 : (part[0] & 0x7f) % types.length];
                byte[] frame = part.length > 0 && (part[0] & 0x80) != 0
                        ? EventFrames.exception(type, new String(part, StandardCharsets.ISO_8859_1).replace("\"", ""))
                        : EventFrames.message(new String[] {":message-type", "event", ":event-type", type}, part);
                frames = Arrays.copyOf(frames, frames.length + 1);
                frames[frames.length - 1] = frame;
                start = i + 1;
            }
        }
        return EventFrames.concat(frames);
    }

    private static String run(TrackingAllocator alloc, byte[] stream, int at) {
        return EventFrames.translate(alloc, new ConverseStreamTranslator(new ChunkWriter(alloc, 1), "id", "m", true),
                stream, at);
    }
}
