package dev.llmproxy.codec.cohere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CohereUsageScannerTest {
    private static final String V2_CHAT = "{\"id\":\"c1\",\"finish_reason\":\"COMPLETE\",\"message\":{\"role\":"
            + "\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"usage\"}]},\"usage\":{\"billed_units\":"
            + "{\"input_tokens\":5,\"output_tokens\":8},\"tokens\":{\"input_tokens\":71,\"output_tokens\":8}}}";

    @Test
    void shouldReadTheBilledUnitsOfAV2ChatAnswerSplitAtEveryByte() {
        byte[] bytes = V2_CHAT.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            CohereUsageScanner scanner = new CohereUsageScanner();

            scanner.feed(Unpooled.wrappedBuffer(bytes, 0, split));
            scanner.feed(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));

            assertThat(scanner.usage()).as("split at %d", split).isEqualTo(new Usage(5, 8, 13));
        }
    }

    @Test
    void shouldReadAV1ChatAnswersMeta() {
        assertThat(usageOf("{\"text\":\"hi\",\"meta\":{\"api_version\":{\"version\":\"1\"},\"billed_units\":"
                + "{\"input_tokens\":3,\"output_tokens\":2},\"tokens\":{\"input_tokens\":60,\"output_tokens\":2}}}"))
                .isEqualTo(new Usage(3, 2, 5));
    }

    @Test
    void shouldCountAnEmbedAnswersInputTokensOnly() {
        assertThat(usageOf("{\"id\":\"e1\",\"embeddings\":{\"float\":[[0.1,0.2]]},\"texts\":[\"hi\"],\"meta\":"
                + "{\"billed_units\":{\"input_tokens\":4}}}")).isEqualTo(new Usage(4, 0, 4));
    }

    @Test
    void shouldCountTheTokensOfAnAnswerWithoutBilledUnits() {
        assertThat(usageOf("{\"usage\":{\"tokens\":{\"input_tokens\":9,\"output_tokens\":1}}}"))
                .isEqualTo(new Usage(9, 1, 10));
    }

    @Test
    void shouldFindNoUsageInARerankAnswersSearchUnits() {
        assertThat(usageOf("{\"results\":[{\"index\":0,\"relevance_score\":0.9}],\"meta\":{\"billed_units\":"
                + "{\"search_units\":1}}}")).isNull();
    }

    private static Usage usageOf(String body) {
        CohereUsageScanner scanner = new CohereUsageScanner();
        scanner.feed(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        return scanner.usage();
    }
}
