package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

class MockRequestParserTest {
    private static final MockProviderConfig CONFIG = MockProviderConfig.defaults();

    @Test
    void shouldReadStandardFieldsAndSkipNestedValuesWhenNoControls() {
        MockRequest request = parseDirect(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"\\\"model\\\": \\\"x\\\"\"}],"
                + "\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"n\":1}");

        assertThat(request.model).isEqualTo("gpt-4o");
        assertThat(request.stream).isTrue();
        assertThat(request.includeUsage).isTrue();
        assertThat(request.isDefaultAnswer(CONFIG)).isTrue();
        assertThat(request.chunks).isEqualTo(CONFIG.streamChunks());
    }

    @Test
    void shouldReadEveryControlWhenBodyHasMockFields() {
        MockRequest request = parseDirect("{\"model\":\"m\",\"mock_chunks\":3,\"mock_chunk_interval_ms\":5,"
                + "\"mock_first_chunk_delay_ms\":6,\"mock_delay_ms\":7,\"mock_status\":500,"
                + "\"mock_error_message\":\"boom\",\"mock_hang\":true,\"mock_cut_after_chunks\":2,"
                + "\"mock_hold_after_chunks\":1,\"mock_hold_ms\":9,\"mock_content\":\"hi\","
                + "\"mock_usage\":{\"prompt_tokens\":4,\"completion_tokens\":8,\"other\":[1]},\"mock_unknown\":{}}");

        assertThat(request.chunks).isEqualTo(3);
        assertThat(request.chunkIntervalMillis).isEqualTo(5);
        assertThat(request.firstChunkDelayMillis).isEqualTo(6);
        assertThat(request.delayMillis).isEqualTo(7);
        assertThat(request.status).isEqualTo(500);
        assertThat(request.errorMessage).isEqualTo("boom");
        assertThat(request.hang).isTrue();
        assertThat(request.cutAfterChunks).isEqualTo(2);
        assertThat(request.holdAfterChunks).isEqualTo(1);
        assertThat(request.holdMillis).isEqualTo(9);
        assertThat(request.content).isEqualTo("hi");
        assertThat(request.promptTokens).isEqualTo(4);
        assertThat(request.completionTokens).isEqualTo(8);
        assertThat(request.isDefaultAnswer(CONFIG)).isFalse();
    }

    @Test
    void shouldCountEmbeddingInputsWhenInputIsArray() {
        assertThat(parseDirect("{\"input\":\"one\"}").embeddingInputs).isEqualTo(1);
        assertThat(parseDirect("{\"input\":[\"a\",\"b\"]}").embeddingInputs).isEqualTo(2);
        assertThat(parseDirect("{\"input\":[1,2,3]}").embeddingInputs).isEqualTo(1);
        assertThat(parseDirect("{\"input\":[[1,2],[3]],\"dimensions\":3,\"encoding_format\":\"base64\"}"))
                .satisfies(r -> assertThat(r.embeddingInputs).isEqualTo(2))
                .satisfies(r -> assertThat(r.dimensions).isEqualTo(3))
                .satisfies(r -> assertThat(r.base64).isTrue());
    }

    @Test
    void shouldParseSameWhenBodyIsOnHeap() {
        ByteBuf heap = Unpooled.copiedBuffer("xx{\"model\":\"heap\",\"mock_chunks\":2}", StandardCharsets.UTF_8);
        heap.skipBytes(2);
        MockRequest request = new MockRequest(CONFIG);

        MockRequestParser.parse(heap, request);

        assertThat(request.model).isEqualTo("heap");
        assertThat(request.chunks).isEqualTo(2);
        assertThat(heap.readerIndex()).isEqualTo(2);
        assertThat(heap.release()).isTrue();
    }

    @Test
    void shouldThrowWhenBodyIsNotAnObject() {
        assertThatThrownBy(() -> parseDirect("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parseDirect("{\"model\":")).isInstanceOf(JacksonException.class);
    }

    private static MockRequest parseDirect(String json) {
        MockRequest request = new MockRequest(CONFIG);
        withDirect(json, body -> MockRequestParser.parse(body, request));
        return request;
    }

    private static void withDirect(String json, Consumer<ByteBuf> action) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer();
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        try {
            action.accept(body);
            assertThat(body.readerIndex()).isZero();
        } finally {
            body.release();
        }
        assertThat(body.refCnt()).isZero();
    }
}
