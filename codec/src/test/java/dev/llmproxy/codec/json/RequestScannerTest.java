package dev.llmproxy.codec.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RequestScannerTest {
    static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi \\\"model\\\": "
            + "\u00e9\u20ac\"}],\"stream\":true,\"temperature\":0.5}";

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldFindTopLevelFieldsWhenBodyIsChatRequest(TestBuffers.Kind kind) {
        RequestInfo info = scan(kind, CHAT);
        assertThat(info.error()).isNull();
        assertThat(info.model()).isEqualTo("gpt-4o");
        assertThat(info.modelStart()).isEqualTo(9);
        assertThat(info.modelEnd()).isEqualTo(17);
        assertThat(info.stream()).isTrue();
        assertThat(info.hasMessages()).isTrue();
        assertThat(info.hasPrompt()).isFalse();
        assertThat(info.hasInput()).isFalse();
        assertThat(info.hasStreamOptions()).isFalse();
        assertThat(info.closingBrace()).isEqualTo(CHAT.getBytes(StandardCharsets.UTF_8).length - 1);
    }

    @Test
    void shouldGiveSameAnswerWhenCompositeIsSplitAtEveryByte() {
        byte[] bytes = CHAT.getBytes(StandardCharsets.UTF_8);
        RequestInfo expected = scan(TestBuffers.Kind.HEAP, CHAT);
        for (int at = 0; at <= bytes.length; at++) {
            ByteBuf buf = TestBuffers.split(bytes, at);
            try {
                assertThat(RequestScanner.scan(buf)).as("split at %d", at).isEqualTo(expected);
                assertThat(buf.readerIndex()).isZero();
                assertThat(buf.writerIndex()).isEqualTo(bytes.length);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void shouldNotTakeEscapedOrNestedKeysAsModelWhenScanning() {
        RequestInfo info = scan("{\"mo\\\"del\":\"a\",\"x\":{\"model\":\"b\"},\"input\":[\"model\"],\"prompt\":\"p\"}");
        assertThat(info.error()).isNull();
        assertThat(info.model()).isNull();
        assertThat(info.modelStart()).isEqualTo(-1);
        assertThat(info.modelEnd()).isEqualTo(-1);
        assertThat(info.hasInput()).isTrue();
        assertThat(info.hasPrompt()).isTrue();
    }

    @Test
    void shouldReadTopLevelUserAsTheEndUserWhenItIsAString() {
        assertThat(scan(CHAT).user()).isNull();
        assertThat(scan("{\"model\":\"m\",\"user\":\"cust-\\u00e9 1\"}").user()).isEqualTo("cust-\u00e9 1");
        assertThat(scan("{\"user\":\"a\",\"x\":{\"user\":\"b\"},\"messages\":[{\"user\":\"c\"}]}").user())
                .isEqualTo("a");
        assertThat(scan("{\"user\":\"a\",\"user\":7}").user()).isNull();
        assertThat(scan("{\"user\":{\"id\":\"a\"}}").user()).isNull();
        assertThat(scan("{\"users\":\"a\",\"usr\":\"b\"}").user()).isNull();
        byte[] bytes = "{\"user\":\"c\\u00fcst \u00e9\",\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at <= bytes.length; at++) {
            ByteBuf buf = TestBuffers.split(bytes, at);
            try {
                assertThat(RequestScanner.scan(buf).user()).as("split at %d", at).isEqualTo("c\u00fcst \u00e9");
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void shouldReadSamplingParametersAsWrittenWhenTheyAreNumbers() {
        RequestInfo chat = scan(CHAT);
        assertThat(chat.temperature()).isEqualTo(0.5);
        assertThat(chat.topP()).isNaN();
        assertThat(chat.maxTokens()).isEqualTo(RequestInfo.NO_MAX_TOKENS);
        RequestInfo all = scan("{\"top_p\":0.95,\"max_tokens\":1024,\"temperature\":1,\"model\":\"m\"}");
        assertThat(all.temperature()).isEqualTo(1.0);
        assertThat(all.topP()).isEqualTo(0.95);
        assertThat(all.maxTokens()).isEqualTo(1024);
        RequestInfo written = scan("{\"temperature\":7E-1,\"top_p\":-0.0,\"max_tokens\":-9223372036854775807}");
        assertThat(written.temperature()).isEqualTo(0.7);
        assertThat(written.topP()).isEqualTo(-0.0);
        assertThat(written.maxTokens()).isEqualTo(-9223372036854775807L);
        RequestInfo long17 = scan("{\"temperature\":0.12345678901234567890123,\"top_p\":1e-400}");
        assertThat(long17.temperature()).isEqualTo(0.12345678901234567890123);
        assertThat(long17.topP()).isEqualTo(0.0);
    }

    @Test
    void shouldLeaveSamplingParametersOutWhenNotTopLevelNumbers() {
        RequestInfo info = scan("{\"temperature\":\"0.5\",\"top_p\":null,\"max_tokens\":100.0,"
                + "\"x\":{\"temperature\":0.1},\"messages\":[{\"top_p\":0.2}]}");
        assertThat(info.temperature()).isNaN();
        assertThat(info.topP()).isNaN();
        assertThat(info.maxTokens()).isEqualTo(RequestInfo.NO_MAX_TOKENS);
        assertThat(scan("{\"max_tokens\":1e3}").maxTokens()).isEqualTo(RequestInfo.NO_MAX_TOKENS);
        assertThat(scan("{\"max_tokens\":9223372036854775808}").maxTokens()).isEqualTo(RequestInfo.NO_MAX_TOKENS);
        assertThat(scan("{\"temperature\":0.5,\"temperature\":[1]}").temperature()).isNaN();
        assertThat(scan("{\"temperature\":[1],\"temperature\":0.25}").temperature()).isEqualTo(0.25);
        assertThat(scan("{\"temperatures\":0.5,\"top_q\":1,\"max_token\":3}"))
                .satisfies(i -> assertThat(i.temperature()).isNaN())
                .satisfies(i -> assertThat(i.topP()).isNaN())
                .satisfies(i -> assertThat(i.maxTokens()).isEqualTo(RequestInfo.NO_MAX_TOKENS));
    }

    @Test
    void shouldReadSamplingParametersWhenSplitAtEveryByte() {
        byte[] bytes = "{\"temperature\":0.725,\"max_tokens\":4096,\"top_p\":1.5e-1}"
                .getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at <= bytes.length; at++) {
            ByteBuf buf = TestBuffers.split(bytes, at);
            try {
                RequestInfo info = RequestScanner.scan(buf);
                assertThat(info.temperature()).as("split at %d", at).isEqualTo(0.725);
                assertThat(info.maxTokens()).as("split at %d", at).isEqualTo(4096);
                assertThat(info.topP()).as("split at %d", at).isEqualTo(0.15);
            } finally {
                buf.release();
            }
        }
        assertThat(scan(" 0.5 ").error()).isNotNull();
    }

    @Test
    void shouldDecodeModelWhenValueHasEscapesAndUnicode() {
        RequestInfo info = scan("{\"m\\u006fdel\" : \"a\\/b\\u00e9\\uD83D\\uDE00\u00fc\\n\"}");
        assertThat(info.model()).isEqualTo("a/b\u00e9\uD83D\uDE00\u00fc\n");
        assertThat(info.modelStart()).isEqualTo(16);
    }

    @Test
    void shouldReadStreamOptionsWhenPresent() {
        RequestInfo on = scan("{\"stream\":true,\"stream_options\":{\"x\":{\"include_usage\":false},\"include_usage\":true}}");
        assertThat(on.hasStreamOptions()).isTrue();
        assertThat(on.includeUsage()).isTrue();
        RequestInfo off = scan("{\"stream_options\":{\"include_usage\":false},\"stream\":false}");
        assertThat(off.hasStreamOptions()).isTrue();
        assertThat(off.includeUsage()).isFalse();
        assertThat(off.stream()).isFalse();
        RequestInfo nested = scan("{\"a\":{\"stream_options\":{\"include_usage\":true}},\"stream\":\"true\"}");
        assertThat(nested.hasStreamOptions()).isFalse();
        assertThat(nested.includeUsage()).isFalse();
        assertThat(nested.stream()).isFalse();
    }

    @Test
    void shouldTakeLastValueWhenKeysRepeat() {
        RequestInfo info = scan("{\"model\":1,\"stream\":true,\"model\":\"b\",\"stream\":null}");
        assertThat(info.error()).isNull();
        assertThat(info.model()).isEqualTo("b");
        assertThat(info.stream()).isFalse();
    }

    @Test
    void shouldReportErrorWhenModelIsNotString() {
        assertThat(scan("{\"model\":42}").error()).isEqualTo("model must be a string");
        assertThat(scan("{\"model\":null}").error()).isEqualTo("model must be a string");
        assertThat(scan("{\"model\":[\"a\"]}").error()).isEqualTo("model must be a string");
        assertThat(scan("{\"model\":{\"a\":1}}").error()).isEqualTo("model must be a string");
    }

    @Test
    void shouldReportErrorWhenTopLevelIsNotObject() {
        assertThat(scan("[{\"model\":\"a\"}]").error()).isEqualTo("Request body must be a JSON object");
        assertThat(scan("\"model\"").error()).isEqualTo("Request body must be a JSON object");
        assertThat(scan("  ").error()).isEqualTo("Request body is empty");
        assertThat(scan("").error()).isEqualTo("Request body is empty");
    }

    @Test
    void shouldReportBytePositionWhenJsonIsMalformed() {
        assertThat(scan("{\"model\":\"gpt\",\"x\":tru}").error()).isEqualTo("Invalid JSON in request body at byte 22");
        assertThat(scan("{\"model\":\"gpt\"").error()).isEqualTo("Invalid JSON in request body at byte 14");
        assertThat(scan("{\"model\":\"gpt\"} x").error()).isEqualTo("Invalid JSON in request body at byte 16");
        assertThat(scan("{\"a\":\"\u0001\"}").error()).isEqualTo("Invalid JSON in request body at byte 6");
        RequestInfo invalid = scan("{\"model\":\"gpt\",}");
        assertThat(invalid.isValid()).isFalse();
        assertThat(invalid.model()).isNull();
        assertThat(invalid.closingBrace()).isEqualTo(-1);
    }

    @Test
    void shouldReportErrorWhenUtf8IsInvalid() {
        byte[] bytes = {'{', '"', 'm', '"', ':', '"', (byte) 0xC3, '"', '}'};
        ByteBuf buf = TestBuffers.of(TestBuffers.Kind.DIRECT, bytes);
        try {
            assertThat(RequestScanner.scan(buf).error()).isEqualTo("Invalid JSON in request body at byte 7");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReportOffsetsRelativeToReaderIndexWhenBufferHasPrefix() {
        RequestInfo info = scan(TestBuffers.Kind.OFFSET, "{\"model\":\"m\"}");
        assertThat(info.modelStart()).isEqualTo(9);
        assertThat(info.modelEnd()).isEqualTo(12);
        assertThat(info.closingBrace()).isEqualTo(12);
    }

    @Test
    void shouldScanLargeDirectBodyWhenItSpansManyScratchWindows() {
        String big = "{\"messages\":[{\"content\":\"" + "x\u00e9".repeat(5000) + "\"}],\"model\":\"m\"}";
        RequestInfo info = scan(TestBuffers.Kind.DIRECT, big);
        assertThat(info.model()).isEqualTo("m");
        assertThat(info.closingBrace()).isEqualTo(big.getBytes(StandardCharsets.UTF_8).length - 1);
    }

    static RequestInfo scan(String body) {
        return scan(TestBuffers.Kind.HEAP, body);
    }

    static RequestInfo scan(TestBuffers.Kind kind, String body) {
        ByteBuf buf = TestBuffers.of(kind, body);
        int readerIndex = buf.readerIndex();
        try {
            RequestInfo info = RequestScanner.scan(buf);
            assertThat(buf.readerIndex()).isEqualTo(readerIndex);
            assertThat(buf.refCnt()).isEqualTo(1);
            return info;
        } finally {
            buf.release();
        }
    }
}
