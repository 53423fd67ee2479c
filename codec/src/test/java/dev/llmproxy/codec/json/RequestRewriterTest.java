package dev.llmproxy.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class RequestRewriterTest {
    private static final String INJECTED = ",\"stream_options\":{\"include_usage\":true}";

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldReplaceModelWhenNewValueDiffers(TestBuffers.Kind kind) {
        String body = "{\"model\":\"gpt\",\"messages\":[]}";
        assertThat(rewrite(kind, body, "openai/gpt-4o \"x\"", true))
                .isEqualTo("{\"model\":\"openai/gpt-4o \\\"x\\\"\",\"messages\":[]}");
    }

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldReplaceModelAndInjectUsageWhenStreamingWithoutOptions(TestBuffers.Kind kind) {
        String body = "{\"stream\":true,\"model\":\"a\",\"messages\":[] }";
        assertThat(rewrite(kind, body, "b", true))
                .isEqualTo("{\"stream\":true,\"model\":\"b\",\"messages\":[] " + INJECTED + "}");
    }

    @Test
    void shouldInjectOnlyWhenModelIsKept() {
        String body = "{\"model\":\"a\",\"stream\":true}";
        assertThat(rewrite(TestBuffers.Kind.HEAP, body, null, true)).isEqualTo("{\"model\":\"a\",\"stream\":true" + INJECTED + "}");
    }

    @Test
    void shouldInjectWhenBodyHasNoModel() {
        String body = "{\"stream\":true,\"messages\":[]}";
        assertThat(rewrite(TestBuffers.Kind.HEAP, body, "ignored", true))
                .isEqualTo("{\"stream\":true,\"messages\":[]" + INJECTED + "}");
    }

    @Test
    void shouldNotInjectWhenStreamOptionsExistOrNotStreaming() {
        String withOptions = "{\"model\":\"a\",\"stream\":true,\"stream_options\":{}}";
        assertThat(rewrite(TestBuffers.Kind.HEAP, withOptions, null, true)).isEqualTo(withOptions);
        String notStreaming = "{\"model\":\"a\",\"stream\":false}";
        assertThat(rewrite(TestBuffers.Kind.HEAP, notStreaming, null, true)).isEqualTo(notStreaming);
        String disabled = "{\"model\":\"a\",\"stream\":true}";
        assertThat(rewrite(TestBuffers.Kind.HEAP, disabled, null, false)).isEqualTo(disabled);
    }

    @Test
    void shouldReturnRetainedDuplicateWhenNothingChanges() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, "{\"model\":\"same\",\"stream\":true,\"stream_options\":null}");
        try {
            RequestInfo info = RequestScanner.scan(body);
            ByteBuf out = RequestRewriter.rewrite(TestBuffers.ALLOC, body, info, JsonStrings.quote("same"), true);
            assertThat(out).isNotInstanceOf(CompositeByteBuf.class);
            assertThat(body.refCnt()).isEqualTo(2);
            assertThat(TestBuffers.drain(out)).isEqualTo(body.toString(StandardCharsets.UTF_8));
        } finally {
            body.release();
        }
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void shouldSliceLongRangesAndCopyOnlyShortGapsWhenRewritingLargeBody() {
        String head = "{\"messages\":[{\"content\":\"" + "a".repeat(5000) + "\"}],\"model\":";
        String tail = ",\"stream\":true,\"user\":\"" + "u".repeat(80) + "\"}";
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, head + "\"a\"" + tail);
        try {
            ByteBuf out = RequestRewriter.rewrite(TestBuffers.ALLOC, body, RequestScanner.scan(body),
                    JsonStrings.quote("bb"), true);
            assertThat(((CompositeByteBuf) out).numComponents()).isEqualTo(4);
            body.setByte(30, 'X');
            body.setByte(body.writerIndex() - 10, 'Y');
            String expected = head.substring(0, 30) + "X" + head.substring(31) + "\"bb\"" + tail;
            expected = expected.substring(0, expected.length() - 1 - 9) + "Y" + expected.substring(expected.length() - 9);
            expected = expected.substring(0, expected.length() - 1) + INJECTED + "}";
            assertThat(TestBuffers.drain(out)).isEqualTo(expected);
        } finally {
            body.release();
        }
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void shouldCopyIntoOneBufferWhenBodyIsSmall() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{\"model\":\"a\",\"stream\":true}");
        try {
            ByteBuf out = RequestRewriter.rewrite(TestBuffers.ALLOC, body, RequestScanner.scan(body),
                    JsonStrings.quote("b"), true);
            assertThat(out).isNotInstanceOf(CompositeByteBuf.class);
            assertThat(TestBuffers.drain(out)).isEqualTo("{\"model\":\"b\",\"stream\":true" + INJECTED + "}");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldRejectInvalidScan() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "{");
        try {
            RequestInfo info = RequestScanner.scan(body);
            assertThatThrownBy(() -> RequestRewriter.rewrite(TestBuffers.ALLOC, body, info, null, true))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            body.release();
        }
    }

    @Test
    void shouldQuoteStringsAsJsonLiterals() {
        assertThat(new String(JsonStrings.quote("a\"b\\c\n\u0001\u00e9"), StandardCharsets.UTF_8))
                .isEqualTo("\"a\\\"b\\\\c\\n\\u0001\u00e9\"");
    }

    private static String rewrite(TestBuffers.Kind kind, String text, String newModel, boolean inject) {
        ByteBuf body = TestBuffers.of(kind, text);
        int readerIndex = body.readerIndex();
        String result;
        try {
            RequestInfo info = RequestScanner.scan(body);
            ByteBuf out = RequestRewriter.rewrite(TestBuffers.ALLOC, body, info,
                    newModel == null ? null : JsonStrings.quote(newModel), inject);
            assertThat(body.readerIndex()).isEqualTo(readerIndex);
            assertThat(RequestScanner.scan(out).isValid()).isTrue();
            result = TestBuffers.drain(out);
            assertThat(out.refCnt()).isZero();
            assertThat(body.refCnt()).isEqualTo(1);
        } finally {
            body.release();
        }
        assertThat(body.refCnt()).isZero();
        return result;
    }
}
