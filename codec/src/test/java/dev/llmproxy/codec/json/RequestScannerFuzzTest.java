package dev.llmproxy.codec.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.llmproxy.codec.testing.FuzzInput;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Fuzzes {@link RequestScanner} and {@link RequestRewriter}, the first code that reads a client's request body.
 *
 * <p>Properties checked on every input: the scan never throws; when Jackson also accepts the body as one JSON
 * object, both agree on the fields the proxy routes on (the last duplicate wins, as in Python's json); a valid body's
 * rewrite re-scans as valid with the new model and the injected {@code stream_options}, and leaves the rest alone;
 * the body's indexes and reference count are unchanged and every buffer the rewrite allocated is released with its
 * result. Bodies arrive heap, direct, composite (split at a fuzzed byte) and with a non-zero reader index.
 *
 * <p>Input layout ({@link FuzzInput}): a flags byte (bits 0-1 the buffer kind, bit 2 inject {@code include_usage},
 * bit 3 replace the model), a length byte and that many bytes of new model name (UTF-8), two bytes choosing the
 * composite's split, then the body.
 *
 * <p>Runs on the seed corpus in {@code RequestScannerFuzzTestInputs} with every build; the codec module's
 * {@code fuzz} execution and the README's command run it under the fuzzer.
 */
class RequestScannerFuzzTest {
    /** The reference's key for {@code stream_options.include_usage}: not a string, so no member name can collide. */
    private static final Object STREAM_OPTIONS_INCLUDE_USAGE = new Object();
    private static final JsonFactory JACKSON = new JsonFactory();

    @FuzzTest(maxDuration = "10s")
    void scanAndRewrite(byte[] input) {
        FuzzInput data = new FuzzInput(input);
        int flags = data.nextByte();
        int kind = flags & 3;
        boolean inject = (flags & 4) != 0;
        byte[] model = data.next(data.nextInt(41));
        @Nullable String newModel = (flags & 8) != 0 ? new String(model, StandardCharsets.UTF_8) : null;
        int splitSeed = data.nextShort();
        byte[] bytes = data.rest();

        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf body = body(alloc, kind, bytes, splitSeed);
        int readerIndex = body.readerIndex();
        try {
            RequestInfo info = RequestScanner.scan(body);
            assertUnchanged(body, readerIndex, bytes.length);
            if (!info.isValid()) {
                assertThat(info.error()).isNotBlank();
                return;
            }
            compareWithJackson(bytes, info);
            checkRewrite(alloc, body, bytes, info, newModel, inject);
            assertUnchanged(body, readerIndex, bytes.length);
        } finally {
            body.release();
        }
        alloc.assertAllReleased("RequestRewriter");
    }

    private static void checkRewrite(TrackingAllocator alloc, ByteBuf body, byte[] bytes, RequestInfo info,
            @Nullable String newModel, boolean inject) {
        byte @Nullable [] modelJson = newModel != null ? JsonStrings.quote(newModel) : null;
        ByteBuf out = RequestRewriter.rewrite(alloc, body, info, modelJson, inject);
        try {
            byte[] rewritten = ByteBufUtil.getBytes(out);
            RequestInfo again = RequestScanner.scan(out);
            assertThat(again.error()).as("re-scan of the rewrite").isNull();
            boolean replaced = newModel != null && info.hasModel();
            boolean injected = inject && info.stream() && !info.hasStreamOptions();
            assertThat(again.model()).isEqualTo(replaced ? newModel : info.model());
            assertThat(again.stream()).isEqualTo(info.stream());
            assertThat(again.hasStreamOptions()).isEqualTo(info.hasStreamOptions() || injected);
            assertThat(again.includeUsage()).isEqualTo(injected || info.includeUsage());
            assertThat(again.hasMessages()).isEqualTo(info.hasMessages());
            assertThat(again.hasPrompt()).isEqualTo(info.hasPrompt());
            assertThat(again.hasInput()).isEqualTo(info.hasInput());
            if (!replaced && !injected) {
                assertThat(rewritten).isEqualTo(bytes);
            }
        } finally {
            out.release();
        }
    }

    /** Compares the scan with Jackson's reading when Jackson accepts the body as exactly one JSON object. */
    private static void compareWithJackson(byte[] bytes, RequestInfo info) {
        @Nullable Map<Object, Object> top = jacksonTopLevel(bytes);
        if (top == null) {
            return;
        }
        Object model = top.get("model");
        assertThat(info.model()).as("model").isEqualTo(model instanceof String ? model : null);
        assertThat(info.stream()).as("stream").isEqualTo(Boolean.TRUE.equals(top.get("stream")));
        assertThat(info.hasStreamOptions()).as("stream_options").isEqualTo(top.containsKey("stream_options"));
        assertThat(info.includeUsage()).as("include_usage")
                .isEqualTo(Boolean.TRUE.equals(top.get(STREAM_OPTIONS_INCLUDE_USAGE)));
        assertThat(info.hasMessages()).as("messages").isEqualTo(top.containsKey("messages"));
        assertThat(info.hasPrompt()).as("prompt").isEqualTo(top.containsKey("prompt"));
        assertThat(info.hasInput()).as("input").isEqualTo(top.containsKey("input"));
        Object user = top.get("user");
        assertThat(info.user()).as("user").isEqualTo(user instanceof String ? user : null);
        // Compared bit for bit: NaN (absent) equals itself, and -0.0 is not 0.0.
        assertThat(Double.doubleToLongBits(info.temperature())).as("temperature")
                .isEqualTo(Double.doubleToLongBits(doubleOf(top.get("temperature"))));
        assertThat(Double.doubleToLongBits(info.topP())).as("top_p")
                .isEqualTo(Double.doubleToLongBits(doubleOf(top.get("top_p"))));
        assertThat(info.maxTokens()).as("max_tokens").isEqualTo(longOf(top.get("max_tokens")));
    }

    /** The value of a number as the JDK reads its text, NaN for anything else. */
    private static double doubleOf(@Nullable Object value) {
        return value instanceof JacksonNumber number ? Double.parseDouble(number.text()) : Double.NaN;
    }

    /** The value of an integer Jackson reads as an int or a long, else {@link RequestInfo#NO_MAX_TOKENS}. */
    private static long longOf(@Nullable Object value) {
        return value instanceof JacksonNumber number && number.longValue() != null
                ? number.longValue()
                : RequestInfo.NO_MAX_TOKENS;
    }

    /** A number member as Jackson read it: its text, and its value when it is an integer in the long range. */
    private record JacksonNumber(String text, @Nullable Long longValue) {}

    /**
     * Returns the last value of each top-level member (strings and booleans as themselves, anything else as a
     * marker), with {@code include_usage} lifted from the last {@code stream_options} object under its own key (a
     * top-level member named {@code include_usage} is not it); {@code null} when Jackson
     * rejects the body or it is not a single object.
     */
    private static @Nullable Map<Object, Object> jacksonTopLevel(byte[] bytes) {
        Map<Object, Object> top = new HashMap<>();
        try (JsonParser parser = JACKSON.createParser(ObjectReadContext.empty(), bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("stream_options")) {
                    top.remove(STREAM_OPTIONS_INCLUDE_USAGE);
                    if (value == JsonToken.START_OBJECT) {
                        readStreamOptions(parser, top);
                    }
                }
                top.put(name, valueOf(parser, value));
            }
            return parser.nextToken() == null ? top : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static void readStreamOptions(JsonParser parser, Map<Object, Object> top) {
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("include_usage")) {
                top.put(STREAM_OPTIONS_INCLUDE_USAGE, valueOf(parser, value));
            } else {
                parser.skipChildren();
            }
        }
    }

    private static Object valueOf(JsonParser parser, JsonToken value) {
        switch (value) {
            case VALUE_STRING:
                return parser.getString();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NUMBER_INT:
                JsonParser.NumberType type = parser.getNumberType();
                return new JacksonNumber(parser.getString(), type == JsonParser.NumberType.INT
                        || type == JsonParser.NumberType.LONG ? parser.getLongValue() : null);
            case VALUE_NUMBER_FLOAT:
                return new JacksonNumber(parser.getString(), null);
            default:
                parser.skipChildren();
                return value;
        }
    }

    private static ByteBuf body(TrackingAllocator alloc, int kind, byte[] bytes, int splitSeed) {
        switch (kind) {
            case 0:
                return alloc.heapBuffer(bytes.length).writeBytes(bytes);
            case 1:
                return alloc.directBuffer(bytes.length).writeBytes(bytes);
            case 2:
                int at = bytes.length == 0 ? 0 : Math.floorMod(splitSeed, bytes.length + 1);
                CompositeByteBuf composite = alloc.compositeBuffer();
                composite.addComponent(true, alloc.heapBuffer(at).writeBytes(bytes, 0, at));
                composite.addComponent(true, alloc.directBuffer().writeBytes(bytes, at, bytes.length - at));
                return composite;
            default:
                ByteBuf offset = alloc.heapBuffer(bytes.length + 3).writeBytes(new byte[] {'{', '"', ' '});
                offset.writeBytes(bytes).readerIndex(3);
                return offset;
        }
    }

    private static void assertUnchanged(ByteBuf body, int readerIndex, int length) {
        assertThat(body.readerIndex()).isEqualTo(readerIndex);
        assertThat(body.readableBytes()).isEqualTo(length);
        assertThat(body.refCnt()).isEqualTo(1);
    }
}
