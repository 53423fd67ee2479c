package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Fuzzes the Responses bridge: whatever a provider's chat stream holds, the rebuilt stream is the same wherever the
 * bytes are split, ends with a final event ({@code response.completed}, {@code .incomplete} or {@code .failed}), and
 * every buffer is released; any request body is translated or refused with {@link InvalidRequestException}; any body
 * becomes a response or a 502 error.
 *
 * <p>Input layout ({@link FuzzInput}): two bytes choosing where the stream is split, then the bytes.
 */
class ResponsesBridgeFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void bridge(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        int split = data.nextShort();
        byte[] bytes = data.rest();
        TrackingAllocator alloc = new TrackingAllocator();

        String whole = ChatStreams.bridge(alloc, translator(alloc), bytes, bytes.length);
        String cut = ChatStreams.bridge(alloc, translator(alloc), bytes, bytes.length == 0 ? 0 : split % bytes.length);
        assertThat(cut).isEqualTo(whole);
        List<String> types = ChatStreams.types(whole);
        assertThat(types.get(types.size() - 1)).isIn("response.completed", "response.incomplete", "response.failed");

        ByteBuf body = alloc.heapBuffer().writeBytes(bytes);
        try {
            ResponsesRequests.toChat(alloc, body, List.of()).release();
        } catch (InvalidRequestException expected) {
            // Refused cleanly: the client gets a 400 naming the problem.
        }
        TranslatedBody translated = ResponsesBodies.fromChat(alloc, body, new ResponseIds("f"), 1);
        assertThat(translated.status()).isIn(200, 502);
        translated.body().release();
        body.release();
        alloc.assertAllReleased("Responses bridge");
    }

    private static ResponsesStreamTranslator translator(TrackingAllocator alloc) {
        return new ResponsesStreamTranslator(alloc, new ResponseIds("f"), 1, () -> null);
    }
}
