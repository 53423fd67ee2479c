package dev.llmproxy.codec.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BatchOutputUsageTest {
    /** Two answers of OpenAI's batch output format, a failed request, and a Responses API answer. */
    private static final String OUTPUT = """
            {"id":"batch_req_1","custom_id":"r1","response":{"status_code":200,"request_id":"req_1","body":{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"\\"usage\\":{\\"prompt_tokens\\":99} h\u00e9"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":3}}}},"error":null}
            {"id":"batch_req_2","custom_id":"r2","response":{"status_code":400,"request_id":"req_2","body":{"error":{"message":"bad","usage":{"prompt_tokens":50}}}},"error":null}
            {"id":"batch_req_3","custom_id":"r3","response":{"status_code":200,"request_id":"req_3","body":{"object":"response","model":"gpt-4.1","usage":{"input_tokens":5,"output_tokens":2,"total_tokens":7}}},"error":null}
            {"id":"batch_req_4","custom_id":"r4","response":null,"error":{"code":"batch_expired","message":"expired"}}
            """;

    @Test
    void shouldSumTheAnswersUsageWhereverThePartsSplit() {
        byte[] bytes = OUTPUT.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at <= bytes.length; at++) {
            BatchOutputUsage usage = new BatchOutputUsage();
            ByteBuf first = TestBuffers.of(TestBuffers.Kind.HEAP, java.util.Arrays.copyOfRange(bytes, 0, at));
            ByteBuf second = TestBuffers.of(TestBuffers.Kind.DIRECT,
                    java.util.Arrays.copyOfRange(bytes, at, bytes.length));
            try {
                usage.feed(first);
                usage.feed(second);
            } finally {
                first.release();
                second.release();
            }
            assertThat(usage.usage()).as("split at %d", at).isEqualTo(Usage.of(17, 9));
            assertThat(usage.answers()).isEqualTo(2);
            assertThat(usage.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        }
    }

    @Test
    void shouldReadABigFileFedInOnePart() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            lines.append(OUTPUT);
        }
        ByteBuf whole = TestBuffers.of(TestBuffers.Kind.COMPOSITE, lines.toString());
        try {
            BatchOutputUsage usage = new BatchOutputUsage();
            usage.feed(whole);
            assertThat(usage.usage()).isEqualTo(Usage.of(17 * 2000, 9 * 2000));
            assertThat(whole.readerIndex()).isZero();
        } finally {
            whole.release();
        }
    }

    @Test
    void shouldReportNoUsageForOtherFiles() {
        for (String other : new String[] {"not json at all\n", "{\"custom_id\":\"x\",\"method\":\"POST\"}\n", "",
                "{\"response\":{\"body\":{\"usage\":{\"prompt_tokens\":\"ten\"}}}}\n{broken"}) {
            ByteBuf part = TestBuffers.of(TestBuffers.Kind.HEAP, other);
            try {
                BatchOutputUsage usage = new BatchOutputUsage();
                usage.feed(part);
                assertThat(usage.usage()).as(other).isNull();
            } finally {
                part.release();
            }
        }
    }

    @Test
    void shouldKeepTheUsageReadBeforeMalformedInput() {
        String good = OUTPUT.lines().findFirst().orElseThrow() + "\n";
        ByteBuf part = TestBuffers.of(TestBuffers.Kind.HEAP, good + "{\"id\":]\n" + good);
        try {
            BatchOutputUsage usage = new BatchOutputUsage();
            usage.feed(part);
            assertThat(usage.usage()).isEqualTo(Usage.of(12, 7));
        } finally {
            part.release();
        }
    }
}
