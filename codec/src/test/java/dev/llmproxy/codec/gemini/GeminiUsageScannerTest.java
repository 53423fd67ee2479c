package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GeminiUsageScannerTest {
    private static final String BODY = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"usageMetadata\"}]}}],"
            + "\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":5,\"thoughtsTokenCount\":7,"
            + "\"totalTokenCount\":24,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":12}]},"
            + "\"modelVersion\":\"gemini-2.5-flash\"}";

    @Test
    void shouldReadTheUsageOfABodySplitAtEveryByte() {
        byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            GeminiUsageScanner scanner = new GeminiUsageScanner();
            ByteBuf first = Unpooled.wrappedBuffer(bytes, 0, split);
            ByteBuf second = Unpooled.wrappedBuffer(bytes, split, bytes.length - split);

            scanner.feed(first);
            scanner.feed(second);

            assertThat(scanner.usage()).as("split at %d", split).isEqualTo(new Usage(12, 12, 24));
        }
    }

    @Test
    void shouldNotAddThoughtsTheTotalAlreadyCountsInTheCandidates() {
        GeminiUsageScanner scanner = new GeminiUsageScanner();

        scanner.feed(Unpooled.copiedBuffer("{\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":9,"
                + "\"thoughtsTokenCount\":4,\"totalTokenCount\":12}}", StandardCharsets.UTF_8));

        assertThat(scanner.usage()).isEqualTo(new Usage(3, 9, 12));
    }

    @Test
    void shouldKeepTheLastReportOfAStream() {
        GeminiUsageScanner scanner = new GeminiUsageScanner();
        ByteBuf early = Unpooled.copiedBuffer("{\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":1}}",
                StandardCharsets.UTF_8);
        ByteBuf none = Unpooled.copiedBuffer("{\"candidates\":[]}", StandardCharsets.UTF_8);
        ByteBuf late = Unpooled.copiedBuffer("{\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":6,"
                + "\"totalTokenCount\":10}}", StandardCharsets.UTF_8);

        scanner.readEvent(early, 0, early.readableBytes());
        scanner.readEvent(none, 0, none.readableBytes());
        scanner.readEvent(late, 0, late.readableBytes());

        assertThat(scanner.usage()).isEqualTo(new Usage(4, 6, 10));
    }

    @Test
    void shouldFindNoUsageInABodyThatIsNotJson() {
        GeminiUsageScanner scanner = new GeminiUsageScanner();

        scanner.feed(Unpooled.copiedBuffer("<html>usageMetadata</html>", StandardCharsets.UTF_8));

        assertThat(scanner.usage()).isNull();
    }
}
