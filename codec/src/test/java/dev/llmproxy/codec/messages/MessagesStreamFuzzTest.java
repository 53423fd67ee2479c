package dev.llmproxy.codec.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes what an OpenAI-format stream can do to its translation into Anthropic's events: whatever the provider sends,
 * the translator never throws, releases every buffer, gives the same events wherever the bytes are split into reads,
 * and ends the client's stream with {@code message_stop} or an {@code error} event, after which nothing follows.
 *
 * <p>Input layout ({@link FuzzInput}): two bytes choosing where the stream is split, then the stream.
 */
class MessagesStreamFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void translate(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        int split = data.nextShort();
        String stream = new String(data.rest(), StandardCharsets.UTF_8);
        TrackingAllocator alloc = new TrackingAllocator();

        String whole = MessagesStreamTest.run(alloc, stream, stream.length()).output();
        String cut = MessagesStreamTest.run(alloc, stream,
                stream.isEmpty() ? 0 : split % (stream.getBytes(StandardCharsets.UTF_8).length + 1)).output();

        assertThat(cut).isEqualTo(whole);
        List<String> types = MessagesStreamTest.types(whole);
        assertThat(types).isNotEmpty();
        String last = types.get(types.size() - 1);
        assertThat(last).isIn("message_stop", "error");
        assertThat(types.indexOf(last)).isEqualTo(types.size() - 1);
        alloc.assertAllReleased("messages translation");
    }
}
