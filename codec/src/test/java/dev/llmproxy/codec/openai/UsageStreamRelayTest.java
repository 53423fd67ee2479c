package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.SseEventFramer.Decision;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy's use of the framer and the inspector together: hide the usage-only chunk it asked for, keep usage. */
class UsageStreamRelayTest {

    @Test
    void shouldHideUsageOnlyChunkAndKeepUsageWhenStreamIsSplitAtEveryByte() {
        String usageEvent = drain(OpenAiJson.chatUsageChunk(TestBuffers.ALLOC, "c", 1, "m", new Usage(5, 3, 8)));
        String visible = drain(OpenAiJson.chatRoleChunk(TestBuffers.ALLOC, "c", 1, "m"))
                + drain(OpenAiJson.chatContentChunk(TestBuffers.ALLOC, "c", 1, "m", "Hel"))
                + drain(OpenAiJson.chatContentChunk(TestBuffers.ALLOC, "c", 1, "m", "lo \"usage\""))
                + drain(OpenAiJson.chatFinishChunk(TestBuffers.ALLOC, "c", 1, "m", "stop"));
        String done = drain(OpenAiJson.done(TestBuffers.ALLOC));
        byte[] stream = (visible + usageEvent + done).getBytes(StandardCharsets.UTF_8);

        for (int at = 0; at <= stream.length; at++) {
            List<Usage> usages = new ArrayList<>();
            boolean[] doneSeen = {false};
            SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 4096, (data, index, length, emitter) -> {
                StreamChunk chunk = StreamChunkInspector.inspect(data, index, length);
                doneSeen[0] |= chunk.done();
                if (chunk.usage() != null) {
                    usages.add(chunk.usage());
                }
                return chunk.usageOnly() ? Decision.DROP : Decision.FORWARD;
            });
            String out = frame(framer, stream, 0, at) + frame(framer, stream, at, stream.length)
                    + drain(framer.finish());
            assertThat(out).as("split at %d", at).isEqualTo(visible + done);
            assertThat(usages).as("split at %d", at).containsExactly(new Usage(5, 3, 8));
            assertThat(doneSeen[0]).isTrue();
        }
    }

    private static String frame(SseEventFramer framer, byte[] bytes, int from, int to) {
        ByteBuf chunk = TestBuffers.ALLOC.directBuffer(to - from).writeBytes(bytes, from, to - from);
        try {
            return drain(framer.frame(chunk));
        } finally {
            chunk.release();
        }
    }

    private static String drain(ByteBuf buf) {
        return TestBuffers.drain(buf);
    }
}
