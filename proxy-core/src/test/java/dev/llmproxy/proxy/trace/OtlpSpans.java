package dev.llmproxy.proxy.trace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder of OTLP {@code ExportTraceServiceRequest} protobuf bodies, written from the field numbers of
 * opentelemetry-proto ({@code trace/v1/trace.proto}, {@code common/v1/common.proto}), so that the tests check the
 * bytes on the wire without the SDK's own classes reading them back.
 */
public final class OtlpSpans {
    private OtlpSpans() {}

    /** The spans of one export request, each with its resource's attributes. */
    public static List<Span> decode(byte[] body) {
        List<Span> spans = new ArrayList<>();
        Reader request = new Reader(body);
        while (request.more()) {
            int field = request.tag();
            if (field == 1) {
                resourceSpans(request.message(), spans);
            } else {
                request.skip();
            }
        }
        return spans;
    }

    private static void resourceSpans(Reader reader, List<Span> spans) {
        Map<String, Object> resource = new LinkedHashMap<>();
        List<Reader> scopes = new ArrayList<>();
        while (reader.more()) {
            int field = reader.tag();
            if (field == 1) {
                Reader r = reader.message();
                while (r.more()) {
                    if (r.tag() == 1) {
                        keyValue(r.message(), resource);
                    } else {
                        r.skip();
                    }
                }
            } else if (field == 2) {
                scopes.add(reader.message());
            } else {
                reader.skip();
            }
        }
        for (Reader scope : scopes) {
            while (scope.more()) {
                if (scope.tag() == 2) {
                    spans.add(span(scope.message(), resource));
                } else {
                    scope.skip();
                }
            }
        }
    }

    private static Span span(Reader reader, Map<String, Object> resource) {
        String traceId = "";
        String spanId = "";
        String parentSpanId = "";
        String name = "";
        int kind = 0;
        long start = 0;
        long end = 0;
        int status = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        while (reader.more()) {
            switch (reader.tag()) {
                case 1 -> traceId = HexFormat.of().formatHex(reader.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(reader.bytes());
                case 4 -> parentSpanId = HexFormat.of().formatHex(reader.bytes());
                case 5 -> name = reader.string();
                case 6 -> kind = (int) reader.varint();
                case 7 -> start = reader.fixed64();
                case 8 -> end = reader.fixed64();
                case 9 -> keyValue(reader.message(), attributes);
                case 15 -> {
                    Reader s = reader.message();
                    while (s.more()) {
                        if (s.tag() == 3) {
                            status = (int) s.varint();
                        } else {
                            s.skip();
                        }
                    }
                }
                default -> reader.skip();
            }
        }
        return new Span(traceId, spanId, parentSpanId, name, kind, start, end, status, attributes, resource);
    }

    private static void keyValue(Reader reader, Map<String, Object> into) {
        String key = "";
        Object value = null;
        while (reader.more()) {
            int field = reader.tag();
            if (field == 1) {
                key = reader.string();
            } else if (field == 2) {
                value = anyValue(reader.message());
            } else {
                reader.skip();
            }
        }
        into.put(key, value == null ? "" : value);
    }

    private static Object anyValue(Reader reader) {
        Object value = "";
        while (reader.more()) {
            switch (reader.tag()) {
                case 1 -> value = reader.string();
                case 2 -> value = reader.varint() != 0;
                case 3 -> value = reader.varint();
                case 4 -> value = Double.longBitsToDouble(reader.fixed64());
                case 5 -> value = arrayValue(reader.message());
                default -> reader.skip();
            }
        }
        return value;
    }

    /** An {@code ArrayValue} as a list of its values. */
    private static List<Object> arrayValue(Reader reader) {
        List<Object> values = new ArrayList<>();
        while (reader.more()) {
            if (reader.tag() == 1) {
                values.add(anyValue(reader.message()));
            } else {
                reader.skip();
            }
        }
        return values;
    }

    /**
     * One span as received.
     *
     * @param kind 1 internal, 2 server, 3 client
     * @param status 0 unset, 1 ok, 2 error
     */
    public record Span(String traceId, String spanId, String parentSpanId, String name, int kind, long startEpochNanos,
            long endEpochNanos, int status, Map<String, Object> attributes, Map<String, Object> resource) {
        public static final int SERVER = 2;
        public static final int CLIENT = 3;
        public static final int ERROR = 2;
    }

    /** Protobuf wire format: tags, varints, fixed64 and length-delimited fields. */
    private static final class Reader {
        private final ByteBuffer buffer;
        private int wireType;

        Reader(byte[] bytes) {
            this(ByteBuffer.wrap(bytes));
        }

        private Reader(ByteBuffer buffer) {
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return buffer.hasRemaining();
        }

        int tag() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }

        long fixed64() {
            return buffer.getLong();
        }

        byte[] bytes() {
            byte[] bytes = new byte[(int) varint()];
            buffer.get(bytes);
            return bytes;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            int length = (int) varint();
            ByteBuffer slice = buffer.slice();
            slice.limit(length);
            buffer.position(buffer.position() + length);
            return new Reader(slice);
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> {
                    int length = (int) varint();
                    buffer.position(buffer.position() + length);
                }
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalStateException("wire type " + wireType);
            }
        }
    }
}
