package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BedrockUsageScannerTest {
    private static final String CONVERSE = "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":"
            + "\"usage\"}]}},\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":12,\"outputTokens\":5,"
            + "\"cacheReadInputTokens\":3,\"cacheWriteInputTokens\":2,\"totalTokens\":22},\"metrics\":"
            + "{\"latencyMs\":120}}";

    @Test
    void shouldReadAConverseBodySplitAtEveryByteWithItsCacheTokensInThePrompt() {
        byte[] bytes = CONVERSE.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            BedrockUsageScanner scanner = new BedrockUsageScanner();

            scanner.feed(Unpooled.wrappedBuffer(bytes, 0, split));
            scanner.feed(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));

            assertThat(scanner.usage()).as("split at %d", split).isEqualTo(new Usage(17, 5, 22));
        }
    }

    @Test
    void shouldReadAClaudeInvokeModelAnswerInAnthropicsFormat() {
        assertThat(usageOf("{\"type\":\"message\",\"content\":[],\"usage\":{\"input_tokens\":9,"
                + "\"cache_creation_input_tokens\":1,\"cache_read_input_tokens\":2,\"output_tokens\":4}}"))
                .isEqualTo(new Usage(12, 4, 16));
    }

    @Test
    void shouldReadLlamasTopLevelCounts() {
        assertThat(usageOf("{\"generation\":\"hi\",\"prompt_token_count\":7,\"generation_token_count\":2,"
                + "\"stop_reason\":\"stop\"}")).isEqualTo(new Usage(7, 2, 9));
    }

    @Test
    void shouldReadOnlyTheInvocationMetricsOfAStreamsChunkWhenAskedTo() {
        BedrockUsageScanner scanner = new BedrockUsageScanner(true);
        ByteBuf delta = Unpooled.copiedBuffer("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":6}}",
                StandardCharsets.UTF_8);
        ByteBuf last = Unpooled.copiedBuffer("{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":"
                + "{\"inputTokenCount\":11,\"outputTokenCount\":6,\"invocationLatency\":300}}", StandardCharsets.UTF_8);

        scanner.readEvent(delta, 0, delta.readableBytes());
        Usage beforeMetrics = scanner.usage();
        scanner.readEvent(last, 0, last.readableBytes());

        assertThat(beforeMetrics).isNull();
        assertThat(scanner.usage()).isEqualTo(new Usage(11, 6, 17));
    }

    @Test
    void shouldFindNoUsageInABodyThatIsNotJson() {
        assertThat(usageOf("<html>gateway error</html>")).isNull();
    }

    private static Usage usageOf(String body) {
        BedrockUsageScanner scanner = new BedrockUsageScanner();
        scanner.feed(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        return scanner.usage();
    }
}
