package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class StreamChunkInspectorTest {
    private static final String CONTENT = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"the \\\"usage\\\": {1}\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";
    private static final String USAGE_ONLY = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,"
            + "\"total_tokens\":21,\"prompt_tokens_details\":{\"cached_tokens\":0}}}";

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldExtractUsageWhenChunkIsUsageOnly(TestBuffers.Kind kind) {
        StreamChunk chunk = inspect(kind, USAGE_ONLY);
        assertThat(chunk).isEqualTo(new StreamChunk(false, new Usage(9, 12, 21), true));
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldReturnPlainWhenUsageIsNull(TestBuffers.Kind kind) {
        assertThat(inspect(kind, CONTENT)).isSameAs(StreamChunk.PLAIN);
    }

    @Test
    void shouldRecogniseDoneWhenPayloadIsSentinel() {
        assertThat(inspect(TestBuffers.Kind.HEAP, "[DONE]")).isSameAs(StreamChunk.DONE);
        assertThat(inspect(TestBuffers.Kind.DIRECT, " [DONE] ")).isSameAs(StreamChunk.DONE);
        assertThat(inspect(TestBuffers.Kind.DIRECT, "[DONE]x")).isSameAs(StreamChunk.PLAIN);
    }

    @Test
    void shouldExtractUsageWhenChunkAlsoHasChoices() {
        String text = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\" : {\"input_tokens\":3,\"output_tokens\":4}}";
        assertThat(inspect(TestBuffers.Kind.HEAP, text)).isEqualTo(new StreamChunk(false, new Usage(3, 4, 7), false));
    }

    @Test
    void shouldIgnoreNestedOrMalformedUsage() {
        assertThat(inspect(TestBuffers.Kind.HEAP, "{\"choices\":[{\"usage\":{\"prompt_tokens\":1}}]}"))
                .isSameAs(StreamChunk.PLAIN);
        assertThat(inspect(TestBuffers.Kind.HEAP, "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}"))
                .isSameAs(StreamChunk.PLAIN);
        assertThat(inspect(TestBuffers.Kind.HEAP, "{\"usage\":[1]}")).isSameAs(StreamChunk.PLAIN);
        assertThat(inspect(TestBuffers.Kind.HEAP, "")).isSameAs(StreamChunk.PLAIN);
        assertThat(inspect(TestBuffers.Kind.HEAP, "usage")).isSameAs(StreamChunk.PLAIN);
    }

    @Test
    void shouldTakeLastUsageWhenKeyRepeats() {
        assertThat(inspect(TestBuffers.Kind.HEAP, "{\"usage\":{\"prompt_tokens\":1},\"usage\":null}"))
                .isSameAs(StreamChunk.PLAIN);
        assertThat(inspect(TestBuffers.Kind.HEAP, "{\"usage\":null,\"usage\":{\"total_tokens\":5}}").usage())
                .isEqualTo(new Usage(0, 0, 5));
    }

    @Test
    void shouldInspectRangeWhenPayloadIsPartOfLargerBuffer() {
        ByteBuf buf = TestBuffers.of(TestBuffers.Kind.DIRECT, "data: " + USAGE_ONLY + "\n\n");
        try {
            StreamChunk chunk = StreamChunkInspector.inspect(buf, 6, buf.readableBytes() - 8);
            assertThat(chunk.usage()).isEqualTo(new Usage(9, 12, 21));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldCaptureModelAndFinishReasonOnlyFromTheChunkThatEndsAChoiceWhenAsked() {
        ResponseFacts facts = new ResponseFacts();
        for (String chunk : java.util.List.of(
                "{\"model\":\"m-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"finish_reason\"},"
                        + "\"finish_reason\":null}]}",
                "{\"model\":\"m-2\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}",
                "{\"model\":\"m-3\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}")) {
            ByteBuf buf = TestBuffers.of(TestBuffers.Kind.DIRECT, chunk);
            try {
                StreamChunkInspector.inspect(buf, buf.readerIndex(), buf.readableBytes(), facts);
                if (chunk.contains("m-1")) {
                    assertThat(facts.isEmpty()).as("a chunk whose finish_reason is null is not parsed").isTrue();
                }
            } finally {
                buf.release();
            }
        }
        assertThat(facts.model()).isEqualTo("m-3");
        assertThat(facts.finishReasons()).containsExactly("length");
    }

    @Test
    void shouldCaptureNothingWhenNoFactsAreAsked() {
        String finish = "{\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
        assertThat(inspect(TestBuffers.Kind.HEAP, finish)).isSameAs(StreamChunk.PLAIN);
    }

    private static StreamChunk inspect(TestBuffers.Kind kind, String text) {
        ByteBuf buf = TestBuffers.of(kind, text);
        int readerIndex = buf.readerIndex();
        try {
            StreamChunk chunk = StreamChunkInspector.inspect(buf);
            assertThat(buf.readerIndex()).isEqualTo(readerIndex);
            return chunk;
        } finally {
            buf.release();
        }
    }
}
