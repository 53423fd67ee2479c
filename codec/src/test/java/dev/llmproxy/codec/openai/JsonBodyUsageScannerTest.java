package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class JsonBodyUsageScannerTest {
    private static final String BODY = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"gpt\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"h\u00e9llo \\\"usage\\\":{}\",\"usage\":{\"prompt_tokens\":99}},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0}},\"system_fingerprint\":\"fp\"}";

    @Test
    void shouldFindTopLevelUsageWhenBodyIsSplitAtEveryByte() {
        byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at <= bytes.length; at++) {
            assertThat(scan(bytes, at)).as("split at %d", at).isEqualTo(new Usage(9, 12, 21));
        }
    }

    @Test
    void shouldFindSameUsageWhenWholeBodyIsScannedAtOnce() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, BODY);
        try {
            assertThat(JsonBodyUsageScanner.usageOf(body)).isEqualTo(new Usage(9, 12, 21));
            assertThat(body.readerIndex()).isZero();
        } finally {
            body.release();
        }
        ByteBuf error = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"error\":{\"message\":\"bad\"}}");
        try {
            assertThat(JsonBodyUsageScanner.usageOf(error)).isNull();
        } finally {
            error.release();
        }
    }

    @Test
    void shouldComputeTotalWhenAbsent() {
        byte[] bytes = "{\"usage\":{\"input_tokens\":5,\"output_tokens\":6}}".getBytes(StandardCharsets.UTF_8);
        assertThat(scan(bytes, 3)).isEqualTo(new Usage(5, 6, 11));
    }

    @Test
    void shouldReturnNullWhenBodyIsErrorOrNotJson() {
        assertThat(scan("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}".getBytes(
                StandardCharsets.UTF_8), 5)).isNull();
        assertThat(scan("<html>\"usage\":{\"prompt_tokens\":1}</html>".getBytes(StandardCharsets.UTF_8), 5)).isNull();
        assertThat(scan(new byte[0], 0)).isNull();
        assertThat(scan("{\"usage\":null}".getBytes(StandardCharsets.UTF_8), 2)).isNull();
    }

    @Test
    void shouldKeepUsageWhenBodyIsTruncatedAfterIt() {
        byte[] bytes = "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2},\"x\":[".getBytes(StandardCharsets.UTF_8);
        assertThat(scan(bytes, 10)).isEqualTo(new Usage(1, 2, 3));
    }

    @Test
    void shouldCaptureModelAndEachChoicesFinishReasonWhenAskedAndTheBodyArrivesWhole() {
        String body = "{\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":{\"content\":"
                + "\"x\",\"finish_reason\":\"nested\"},\"finish_reason\":\"stop\"},{\"index\":1,"
                + "\"finish_reason\":\"my_reason\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";
        for (TestBuffers.Kind kind : TestBuffers.Kind.values()) {
            ResponseFacts facts = new ResponseFacts();
            ByteBuf buf = TestBuffers.of(kind, body);
            try {
                assertThat(JsonBodyUsageScanner.usageOf(buf, facts)).as(kind.name()).isEqualTo(new Usage(1, 2, 3));
            } finally {
                buf.release();
            }
            assertThat(facts.model()).as(kind.name()).isEqualTo("gpt-4o-2024-08-06");
            assertThat(facts.finishReasons()).as(kind.name()).containsExactly("stop", "my_reason");
            assertThat(facts.finishReasons().get(0)).isSameAs("stop");
        }
    }

    @Test
    void shouldCaptureWhatLiesWhollyInOneChunkWhenTheBodyIsSplit() {
        byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
        int modelEnd = latin1.indexOf("\"gpt\"") + 5;
        int reasonStart = latin1.indexOf("\"stop\"");
        for (int at = 0; at <= bytes.length; at++) {
            ResponseFacts facts = new ResponseFacts();
            JsonBodyUsageScanner scanner = new JsonBodyUsageScanner(facts);
            ByteBuf first = TestBuffers.of(TestBuffers.Kind.HEAP, java.util.Arrays.copyOfRange(bytes, 0, at));
            ByteBuf second = TestBuffers.of(TestBuffers.Kind.DIRECT, java.util.Arrays.copyOfRange(bytes, at,
                    bytes.length));
            try {
                scanner.feed(first);
                scanner.feed(second);
            } finally {
                first.release();
                second.release();
            }
            assertThat(scanner.usage()).as("split at %d", at).isEqualTo(new Usage(9, 12, 21));
            boolean modelSplit = at > modelEnd - 5 && at < modelEnd;
            assertThat(facts.model()).as("split at %d", at).isEqualTo(modelSplit ? null : "gpt");
            boolean reasonSplit = at > reasonStart && at < reasonStart + 6;
            assertThat(facts.finishReasons()).as("split at %d", at)
                    .isEqualTo(reasonSplit ? java.util.List.of() : java.util.List.of("stop"));
        }
    }

    private static @Nullable Usage scan(byte[] bytes, int at) {
        JsonBodyUsageScanner scanner = new JsonBodyUsageScanner();
        ByteBuf first = TestBuffers.of(TestBuffers.Kind.DIRECT, java.util.Arrays.copyOfRange(bytes, 0, at));
        ByteBuf second = TestBuffers.of(TestBuffers.Kind.OFFSET, java.util.Arrays.copyOfRange(bytes, at, bytes.length));
        try {
            scanner.feed(first);
            scanner.feed(second);
            assertThat(first.readerIndex()).isZero();
            assertThat(second.readerIndex()).isEqualTo(7);
        } finally {
            first.release();
            second.release();
        }
        assertThat(first.refCnt()).isZero();
        return scanner.usage();
    }
}
