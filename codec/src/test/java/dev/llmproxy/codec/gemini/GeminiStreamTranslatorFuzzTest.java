package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes what a Gemini stream or body can do to the translation: whatever Google (or a proxy in between) sends, the
 * translator never throws, releases every buffer, ends the client's stream with {@code [DONE]} or an error event (its
 * last data line; lines without data the framer passes through as SSE allows), and gives the same output wherever
 * the bytes are split into reads; a whole body always becomes a JSON answer.
 *
 * <p>Input layout ({@link FuzzInput}): two bytes choosing where the stream is split, then the stream.
 */
class GeminiStreamTranslatorFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void translate(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        int split = data.nextShort();
        byte[] stream = data.rest();
        TrackingAllocator alloc = new TrackingAllocator();

        String whole = run(alloc, stream, stream.length);
        String cut = run(alloc, stream, stream.length == 0 ? 0 : split % stream.length);

        assertThat(cut).isEqualTo(whole);
        String last = lastDataLine(whole);
        assertThat(last).satisfiesAnyOf(
                line -> assertThat(line).isEqualTo("data: [DONE]"),
                line -> assertThat(line).startsWith("data: {\"error\":"));
        ByteBuf body = alloc.heapBuffer().writeBytes(stream);
        try {
            TranslatedBody translated = GeminiResponses.translate(alloc, body, 1, "m", "Gemini");
            assertThat(translated.body().toString(StandardCharsets.UTF_8)).startsWith("{").endsWith("}");
            translated.body().release();
        } finally {
            body.release();
        }
        alloc.assertAllReleased("Gemini translation");
    }

    private static String run(TrackingAllocator alloc, byte[] stream, int at) {
        GeminiStreamTranslator translator = new GeminiStreamTranslator(alloc, 1, "m", true, "Gemini");
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 16, translator);
        StringBuilder out = new StringBuilder();
        for (byte[] read : new byte[][] {Arrays.copyOfRange(stream, 0, at), Arrays.copyOfRange(stream, at,
                stream.length)}) {
            ByteBuf chunk = alloc.heapBuffer().writeBytes(read);
            try {
                out.append(drain(framer.frame(chunk)));
            } finally {
                chunk.release();
            }
        }
        // As the proxy does: a trailing incomplete event is not forwarded untranslated.
        framer.finish().release();
        ByteBuf end = translator.finish();
        if (end != null) {
            out.append(drain(end));
        }
        return out.toString();
    }

    private static String lastDataLine(String stream) {
        String last = "";
        for (String line : stream.split("\r\n|\r|\n")) {
            if (line.startsWith("data: [DONE]") || line.startsWith("data: {\"id\"")
                    || line.startsWith("data: {\"error\"")) {
                last = line;
            }
        }
        return last;
    }

    private static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
