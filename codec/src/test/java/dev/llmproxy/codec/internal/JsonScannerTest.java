package dev.llmproxy.codec.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class JsonScannerTest {
    private static final JsonFactory JACKSON = new JsonFactory();

    static Stream<String> documents() {
        return Stream.of(
                "{}", "[]", "0", "-0", "1.5e+3", "-12.25E-2", "true", "false", "null", "\"\"", " {\"a\" : [1, 2, {}]} ",
                "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}", "{\"k\":\"h\u00e9llo w\u00f6rld \u20ac \uD83D\uDE00\"}",
                "[[[[[[]]]]]]", " [ 1 ,  -2.50e+10 ,\n\t true , 0.000 , 12345678901 , 1E5 ]  ", "{ \"a\" :\n null }", "{\"a\":{\"b\":{\"c\":[true,false,null]}}}", "[1,2,3]", "123456789012345678901234567890",
                // invalid from here on
                "", "   ", "{", "}", "[", "]", "{]", "[}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[,1]", "{,}",
                "01", "-", "1.", "1e", "1e+", ".5", "+1", "tru", "truex", "nul", "True", "\"abc", "\"a\\x\"",
                "\"\\u12G4\"", "{} {}", "1 2", "{\"a\":1 \"b\":2}", "{a:1}", "'a'", "[1 2]", "{\"a\"::1}",
                "\"tab\there\"", "[\"a\"\"b\"]", "{\"a\":1]", "[1}", "nulll", "-a", "1.5.5", "{\"a\":tru}");
    }

    @ParameterizedTest
    @MethodSource("documents")
    void shouldAgreeWithJacksonWhenFedWholeOrSplitAtEveryByte(String document) {
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        boolean expected = jacksonAccepts(bytes);
        assertThat(scanWhole(bytes)).as("whole: %s", document).isEqualTo(expected);
        for (int at = 0; at <= bytes.length; at++) {
            Recorder scanner = new Recorder();
            scanner.feed(bytes, 0, at);
            scanner.feed(bytes, at, bytes.length);
            assertThat(scanner.finish()).as("split at %d: %s", at, document).isEqualTo(expected);
        }
    }

    @Test
    void shouldAgreeWithJacksonWhenSpecialByteSitsAnywhereInWordSkippedString() {
        String[] specials = {"\\\"", "\\n", "\u00e9", "\u20ac", "\uD83D\uDE00", "\u0001", "\u007f", "\"", "\\u0041"};
        for (String special : specials) {
            for (int before = 0; before < 20; before++) {
                for (int after = 0; after < 10; after++) {
                    String document = "{\"k\":\"" + "x".repeat(before) + special + "y".repeat(after) + "\"}";
                    byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
                    assertThat(scanWhole(bytes)).as(document).isEqualTo(jacksonAccepts(bytes));
                }
            }
        }
    }

    @Test
    void shouldRejectMalformedUtf8WhenInsideStrings() {
        int[][] bad = {
            {0x80}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF0, 0x80, 0x80, 0x80},
            {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0xC3}, {0xE2, 0x82}, {0xC3, 0x41}
        };
        for (int[] sequence : bad) {
            byte[] doc = new byte[sequence.length + 2];
            doc[0] = '"';
            for (int i = 0; i < sequence.length; i++) {
                doc[i + 1] = (byte) sequence[i];
            }
            doc[doc.length - 1] = '"';
            assertThat(scanWhole(doc)).as("bytes %s", java.util.Arrays.toString(sequence)).isFalse();
        }
        assertThat(scanWhole(new byte[] {'"', (byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF, '"'})).isTrue();
        assertThat(scanWhole(new byte[] {'"', (byte) 0xED, (byte) 0x9F, (byte) 0xBF, '"'})).isTrue();
    }

    @Test
    void shouldReportErrorPositionWhenSyntaxIsBroken() {
        Recorder scanner = new Recorder();
        byte[] doc = "{\"a\": [1, 2,, 3]}".getBytes(StandardCharsets.US_ASCII);
        scanner.feed(doc, 0, doc.length);
        assertThat(scanner.isFailed()).isTrue();
        assertThat(scanner.errorPosition()).isEqualTo(12);
    }

    @Test
    void shouldReportEndPositionWhenDocumentIsTruncated() {
        Recorder scanner = new Recorder();
        byte[] doc = "{\"a\": [1".getBytes(StandardCharsets.US_ASCII);
        scanner.feed(doc, 0, doc.length);
        assertThat(scanner.finish()).isFalse();
        assertThat(scanner.errorPosition()).isEqualTo(doc.length);
    }

    @Test
    void shouldLimitNestingWhenTooDeep() {
        String ok = "[".repeat(JsonScanner.MAX_DEPTH) + "]".repeat(JsonScanner.MAX_DEPTH);
        String deep = "[".repeat(JsonScanner.MAX_DEPTH + 1) + "]".repeat(JsonScanner.MAX_DEPTH + 1);
        assertThat(scanWhole(ok.getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(scanWhole(deep.getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void shouldReportHooksWithDecodedKeysAndPositionsWhenShallow() {
        String doc = "{\"m\\u006fdel\":\"x\",\"n\":[1,{\"deep\":2}],\"t\":true,\"o\":{\"k\":-7.5}}";
        for (TestBuffers.Kind kind : TestBuffers.Kind.values()) {
            Recorder scanner = new Recorder();
            ByteBuf buf = TestBuffers.of(kind, doc);
            try {
                scanner.feed(buf, buf.readerIndex(), buf.readableBytes());
            } finally {
                buf.release();
            }
            assertThat(scanner.finish()).isTrue();
            assertThat(scanner.log.toString()).as(kind.name()).isEqualTo(
                    "start0{@0 key1:model string1@14-17 key1:n start1[@22 num2:1 start2{@25 end2{@34 end1[@35"
                            + " key1:t lit1:0 key1:o start1{@50 key2:k num2:-7 end1{@59 end0{@60 ");
        }
    }

    private static boolean scanWhole(byte[] bytes) {
        Recorder scanner = new Recorder();
        scanner.feed(bytes, 0, bytes.length);
        return scanner.finish();
    }

    private static boolean jacksonAccepts(byte[] bytes) {
        try (JsonParser parser = JACKSON.createParser(ObjectReadContext.empty(), bytes)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static final class Recorder extends JsonScanner {
        final StringBuilder log = new StringBuilder();

        Recorder() {
            super(2);
            reset();
        }

        @Override
        protected void onKey(int depth, byte[] key, int length) {
            log.append("key").append(depth).append(':').append(new String(key, 0, length, StandardCharsets.US_ASCII))
                    .append(' ');
        }

        @Override
        protected void onString(int depth, long start, long end, boolean escaped) {
            log.append("string").append(depth).append('@').append(start).append('-').append(end).append(' ');
        }

        @Override
        protected void onNumber(int depth, long integerPart) {
            log.append("num").append(depth).append(':').append(integerPart).append(' ');
        }

        @Override
        protected void onLiteral(int depth, int kind) {
            log.append("lit").append(depth).append(':').append(kind).append(' ');
        }

        @Override
        protected void onStartContainer(int depth, boolean array, long position) {
            log.append("start").append(depth).append(array ? '[' : '{').append('@').append(position).append(' ');
        }

        @Override
        protected void onEndContainer(int depth, boolean array, long position, boolean empty) {
            log.append("end").append(depth).append(array ? '[' : '{').append('@').append(position).append(' ');
        }
    }
}
