package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads the top-level fields of a request body the mock acts on, with one streaming pass that skips nested values
 * ({@code messages} and the like) without building a tree. The {@code mock_*} control fields are only looked at when
 * the bytes {@code "mock_} occur in the body, so ordinary benchmark traffic never pays for them.
 *
 * <p>Thread-safety: stateless apart from the shared, thread-safe {@link JsonFactory}; callable from any thread.
 */
final class MockRequestParser {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ByteBuf CONTROL_MARKER =
            Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer("\"mock_".getBytes(StandardCharsets.US_ASCII)));

    private MockRequestParser() {}

    /**
     * Parses {@code body} into {@code into}. Does not release or move the reader index of {@code body} (the caller
     * keeps ownership).
     *
     * @throws JacksonException when the body is not a JSON object
     */
    static void parse(ByteBuf body, MockRequest into) {
        if (!body.isReadable()) {
            return;
        }
        boolean controls = ByteBufUtil.indexOf(CONTROL_MARKER.duplicate(), body) >= 0;
        try (JsonParser parser = open(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("request body is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (!readStandard(name, parser, into) && !(controls && readControl(name, parser, into))) {
                    parser.skipChildren();
                }
            }
        }
    }

    private static JsonParser open(ByteBuf body) {
        if (body.hasArray()) {
            int offset = body.arrayOffset() + body.readerIndex();
            return JSON.createParser(ObjectReadContext.empty(), body.array(), offset, body.readableBytes());
        }
        InputStream in = new ByteBufInputStream(body.duplicate());
        return JSON.createParser(ObjectReadContext.empty(), in);
    }

    private static boolean readStandard(String name, JsonParser parser, MockRequest into) {
        switch (name) {
            case "model":
                into.model = parser.getValueAsString("");
                return true;
            case "stream":
                into.stream = parser.getValueAsBoolean();
                return true;
            case "stream_options":
                readStreamOptions(parser, into);
                return true;
            case "input":
                into.embeddingInputs = countInputs(parser);
                return true;
            case "previous_response_id":
                into.previousResponseId = parser.getValueAsString();
                return true;
            case "dimensions":
                into.dimensions = parser.getValueAsInt(MockRequest.UNSET);
                return true;
            case "encoding_format":
                into.base64 = "base64".equals(parser.getValueAsString());
                return true;
            case "response_format":
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    return false;
                }
                into.responseFormat = parser.getString();
                return true;
            case "voice":
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    return false;
                }
                into.voice = parser.getString();
                return true;
            case "n":
                into.images = Math.max(1, parser.getValueAsInt(1));
                return true;
            case "documents":
                into.documents = countInputs(parser);
                return true;
            case "top_n":
                into.topN = parser.getValueAsInt(MockRequest.UNSET);
                return true;
            case "top_k":
                into.topN = parser.getValueAsInt(MockRequest.UNSET);
                into.voyage = true;
                return true;
            case "return_documents":
                into.returnDocuments = parser.getValueAsBoolean();
                return true;
            default:
                return false;
        }
    }

    private static boolean readControl(String name, JsonParser parser, MockRequest into) {
        switch (name) {
            case "mock_chunks":
                into.chunks = Math.max(0, parser.getValueAsInt(into.chunks));
                return true;
            case "mock_chunk_interval_ms":
                into.chunkIntervalMillis = Math.max(0, parser.getValueAsLong(into.chunkIntervalMillis));
                return true;
            case "mock_first_chunk_delay_ms":
                into.firstChunkDelayMillis = Math.max(0, parser.getValueAsLong(into.firstChunkDelayMillis));
                return true;
            case "mock_delay_ms":
                into.delayMillis = Math.max(0, parser.getValueAsLong(0));
                return true;
            case "mock_status":
                into.status = parser.getValueAsInt(MockRequest.UNSET);
                return true;
            case "mock_error_message":
                into.errorMessage = parser.getValueAsString();
                return true;
            case "mock_hang":
                into.hang = parser.getValueAsBoolean();
                return true;
            case "mock_cut_after_chunks":
                into.cutAfterChunks = Math.max(0, parser.getValueAsInt(MockRequest.UNSET));
                return true;
            case "mock_error_after_chunks":
                into.errorAfterChunks = Math.max(0, parser.getValueAsInt(MockRequest.UNSET));
                return true;
            case "mock_hold_after_chunks":
                into.holdAfterChunks = parser.getValueAsInt(MockRequest.UNSET);
                return true;
            case "mock_hold_ms":
                into.holdMillis = Math.max(0, parser.getValueAsLong(0));
                return true;
            case "mock_content":
                into.content = parser.getValueAsString();
                return true;
            case "mock_usage":
                readUsage(parser, into);
                return true;
            case "mock_tool_call":
                readToolCall(parser, into);
                return true;
            case "mock_finish_reason":
                into.finishReason = parser.getValueAsString();
                return true;
            case "mock_audio_bytes":
                into.audioBytes = Math.max(0, parser.getValueAsInt(0));
                return true;
            case "mock_thought_tokens":
                into.thoughtTokens = Math.max(0, parser.getValueAsInt(0));
                return true;
            default:
                return false;
        }
    }

    private static void readStreamOptions(JsonParser parser, MockRequest into) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if ("include_usage".equals(name)) {
                into.includeUsage = parser.getValueAsBoolean();
            } else {
                parser.skipChildren();
            }
        }
    }

    /** {@code {"name": n, "arguments": {...}}}: the tool call an Anthropic answer makes. */
    private static void readToolCall(JsonParser parser, MockRequest into) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if ("name".equals(name)) {
                into.toolName = parser.getValueAsString();
            } else if ("arguments".equals(name) && parser.currentToken() == JsonToken.START_OBJECT) {
                java.io.StringWriter arguments = new java.io.StringWriter();
                try (tools.jackson.core.JsonGenerator g =
                        JSON.createGenerator(tools.jackson.core.ObjectWriteContext.empty(), arguments)) {
                    g.copyCurrentStructure(parser);
                }
                into.toolArguments = arguments.toString();
            } else {
                parser.skipChildren();
            }
        }
    }

    private static void readUsage(JsonParser parser, MockRequest into) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if ("prompt_tokens".equals(name)) {
                into.promptTokens = Math.max(0, parser.getValueAsInt(0));
            } else if ("completion_tokens".equals(name)) {
                into.completionTokens = Math.max(0, parser.getValueAsInt(0));
            } else if ("cache_read_input_tokens".equals(name)) {
                into.cacheReadTokens = Math.max(0, parser.getValueAsInt(0));
            } else if ("cache_creation_input_tokens".equals(name)) {
                into.cacheWriteTokens = Math.max(0, parser.getValueAsInt(0));
            } else {
                parser.skipChildren();
            }
        }
    }

    /** An embeddings {@code input} is one string, one token array, or an array of strings or token arrays. */
    private static int countInputs(JsonParser parser) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            return 1;
        }
        JsonToken first = parser.nextToken();
        if (first == JsonToken.END_ARRAY) {
            return 0;
        }
        boolean tokenArray = first == JsonToken.VALUE_NUMBER_INT;
        int count = 0;
        for (JsonToken token = first; token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            parser.skipChildren();
            count++;
        }
        return tokenArray ? 1 : count;
    }
}
