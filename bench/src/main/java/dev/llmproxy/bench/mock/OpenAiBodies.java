package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes OpenAI response bodies (chat.completion, chat.completion.chunk, text_completion, embeddings, models,
 * errors) with Jackson's streaming generator, either to a {@code byte[]} (precomputed answers) or to a pooled
 * {@link ByteBuf}.
 *
 * <p>Thread-safety: immutable; callable from any thread.
 */
final class OpenAiBodies {
    static final String CHAT_ID = "chatcmpl-mock";
    static final String TEXT_ID = "cmpl-mock";
    static final String FINGERPRINT = "fp_mock";
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] SSE_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSE_SUFFIX = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final long created;

    OpenAiBodies(long createdEpochSeconds) {
        this.created = createdEpochSeconds;
    }

    /** Returns the JSON written by {@code body} as bytes. */
    static byte[] toBytes(Consumer<JsonGenerator> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        write(out, body);
        return out.toByteArray();
    }

    /** Returns {@code data: <json>\n\n} as bytes. */
    static byte[] toSseBytes(Consumer<JsonGenerator> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.writeBytes(SSE_PREFIX);
        write(out, body);
        out.writeBytes(SSE_SUFFIX);
        return out.toByteArray();
    }

    /** Returns the JSON written by {@code body} in a buffer from {@code alloc}; the caller owns (releases) it. */
    static ByteBuf toBuffer(ByteBufAllocator alloc, Consumer<JsonGenerator> body) {
        ByteBuf buffer = alloc.buffer(512);
        try {
            write(new ByteBufOutputStream(buffer), body);
            return buffer;
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    /** Returns {@code data: <json>\n\n} in a buffer from {@code alloc}; the caller owns (releases) it. */
    static ByteBuf toSseBuffer(ByteBufAllocator alloc, Consumer<JsonGenerator> body) {
        ByteBuf buffer = alloc.buffer(512);
        try {
            buffer.writeBytes(SSE_PREFIX);
            write(new ByteBufOutputStream(buffer), body);
            buffer.writeBytes(SSE_SUFFIX);
            return buffer;
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    private static void write(OutputStream out, Consumer<JsonGenerator> body) {
        try (JsonGenerator generator = JSON.createGenerator(ObjectWriteContext.empty(), out, JsonEncoding.UTF8)) {
            body.accept(generator);
        }
    }

    Consumer<JsonGenerator> chatCompletion(String model, String content, int promptTokens, int completionTokens) {
        return g -> {
            header(g, CHAT_ID, "chat.completion", model);
            g.writeArrayPropertyStart("choices");
            g.writeStartObject();
            g.writeNumberProperty("index", 0);
            g.writeObjectPropertyStart("message");
            g.writeStringProperty("role", "assistant");
            g.writeStringProperty("content", content);
            g.writeNullProperty("refusal");
            g.writeArrayPropertyStart("annotations");
            g.writeEndArray();
            g.writeEndObject();
            g.writeNullProperty("logprobs");
            g.writeStringProperty("finish_reason", "stop");
            g.writeEndObject();
            g.writeEndArray();
            g.writeName("usage");
            chatUsage(g, promptTokens, completionTokens);
            g.writeStringProperty("service_tier", "default");
            g.writeEndObject();
        };
    }

    /**
     * A chat.completion.chunk with one choice. {@code content == null} writes an empty delta; {@code finish} sets
     * {@code finish_reason: "stop"}; {@code usageNull} adds {@code "usage": null} (as OpenAI does when the request
     * asked for {@code stream_options.include_usage}).
     */
    Consumer<JsonGenerator> chatChunk(
            String model, boolean withRole, @Nullable String content, boolean finish, boolean usageNull) {
        return g -> {
            header(g, CHAT_ID, "chat.completion.chunk", model);
            g.writeArrayPropertyStart("choices");
            g.writeStartObject();
            g.writeNumberProperty("index", 0);
            g.writeObjectPropertyStart("delta");
            if (withRole) {
                g.writeStringProperty("role", "assistant");
            }
            if (content != null) {
                g.writeStringProperty("content", content);
            }
            g.writeEndObject();
            g.writeNullProperty("logprobs");
            finishReason(g, finish);
            g.writeEndObject();
            g.writeEndArray();
            if (usageNull) {
                g.writeNullProperty("usage");
            }
            g.writeEndObject();
        };
    }

    /** The last chunk of a stream that asked for usage: {@code choices: []} plus usage. */
    Consumer<JsonGenerator> usageChunk(boolean chat, String model, int promptTokens, int completionTokens) {
        return g -> {
            header(g, chat ? CHAT_ID : TEXT_ID, chat ? "chat.completion.chunk" : "text_completion", model);
            g.writeArrayPropertyStart("choices");
            g.writeEndArray();
            g.writeName("usage");
            if (chat) {
                chatUsage(g, promptTokens, completionTokens);
            } else {
                plainUsage(g, promptTokens, completionTokens);
            }
            g.writeEndObject();
        };
    }

    Consumer<JsonGenerator> textCompletion(String model, String text, int promptTokens, int completionTokens) {
        return g -> {
            header(g, TEXT_ID, "text_completion", model);
            g.writeArrayPropertyStart("choices");
            textChoice(g, text, true);
            g.writeEndArray();
            g.writeName("usage");
            plainUsage(g, promptTokens, completionTokens);
            g.writeEndObject();
        };
    }

    /** One streamed text_completion event. */
    Consumer<JsonGenerator> textChunk(String model, String text, boolean finish, boolean usageNull) {
        return g -> {
            header(g, TEXT_ID, "text_completion", model);
            g.writeArrayPropertyStart("choices");
            textChoice(g, text, finish);
            g.writeEndArray();
            if (usageNull) {
                g.writeNullProperty("usage");
            }
            g.writeEndObject();
        };
    }

    Consumer<JsonGenerator> embeddings(String model, int inputs, int dimensions, boolean base64, int promptTokens) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("object", "list");
            g.writeArrayPropertyStart("data");
            for (int i = 0; i < inputs; i++) {
                g.writeStartObject();
                g.writeStringProperty("object", "embedding");
                g.writeNumberProperty("index", i);
                g.writeName("embedding");
                embeddingVector(g, i, dimensions, base64);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringProperty("model", model);
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("prompt_tokens", promptTokens);
            g.writeNumberProperty("total_tokens", promptTokens);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    Consumer<JsonGenerator> models(List<String> ids) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("object", "list");
            g.writeArrayPropertyStart("data");
            for (String id : ids) {
                modelObject(g, id);
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }

    Consumer<JsonGenerator> model(String id) {
        return g -> modelObject(g, id);
    }

    /**
     * A chat.completion whose output Azure OpenAI's content filter blocked: no content, {@code finish_reason:
     * "content_filter"}, the usage of a short prompt.
     */
    Consumer<JsonGenerator> contentFiltered() {
        return g -> {
            header(g, CHAT_ID, "chat.completion", "mock-filtered");
            g.writeArrayPropertyStart("choices");
            g.writeStartObject();
            g.writeNumberProperty("index", 0);
            g.writeObjectPropertyStart("message");
            g.writeStringProperty("role", "assistant");
            g.writeNullProperty("content");
            g.writeEndObject();
            g.writeStringProperty("finish_reason", "content_filter");
            g.writeEndObject();
            g.writeEndArray();
            g.writeName("usage");
            chatUsage(g, 10, 0);
            g.writeEndObject();
        };
    }

    /**
     * OpenAI's error envelope, {@code {"error": {"message", "type", "param", "code"}}}, with the type and code its API
     * sends for {@code status}.
     */
    static Consumer<JsonGenerator> error(int status, String message) {
        return error(status, message, errorCode(status));
    }

    /** The same with {@code code} as {@code error.code} (null writes null). */
    static Consumer<JsonGenerator> error(int status, String message, @Nullable String code) {
        String type = errorType(status);
        return g -> {
            g.writeStartObject();
            g.writeObjectPropertyStart("error");
            g.writeStringProperty("message", message);
            g.writeStringProperty("type", type);
            g.writeNullProperty("param");
            if (code == null) {
                g.writeNullProperty("code");
            } else {
                g.writeStringProperty("code", code);
            }
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** OpenAI's {@code error.type} for a status, as its API sends it. */
    private static String errorType(int status) {
        switch (status) {
            case 401:
                return "invalid_request_error";
            case 429:
                return "requests";
            default:
                return status >= 500 ? "server_error" : "invalid_request_error";
        }
    }

    private static @Nullable String errorCode(int status) {
        switch (status) {
            case 401:
                return "invalid_api_key";
            case 429:
                return "rate_limit_exceeded";
            default:
                return null;
        }
    }

    private void header(JsonGenerator g, String id, String object, String model) {
        g.writeStartObject();
        g.writeStringProperty("id", id);
        g.writeStringProperty("object", object);
        g.writeNumberProperty("created", created);
        g.writeStringProperty("model", model);
        g.writeStringProperty("system_fingerprint", FINGERPRINT);
    }

    private void modelObject(JsonGenerator g, String id) {
        g.writeStartObject();
        g.writeStringProperty("id", id);
        g.writeStringProperty("object", "model");
        g.writeNumberProperty("created", created);
        g.writeStringProperty("owned_by", "llmproxy-mock");
        g.writeEndObject();
    }

    private static void textChoice(JsonGenerator g, String text, boolean finish) {
        g.writeStartObject();
        g.writeStringProperty("text", text);
        g.writeNumberProperty("index", 0);
        g.writeNullProperty("logprobs");
        finishReason(g, finish);
        g.writeEndObject();
    }

    private static void finishReason(JsonGenerator g, boolean finish) {
        if (finish) {
            g.writeStringProperty("finish_reason", "stop");
        } else {
            g.writeNullProperty("finish_reason");
        }
    }

    private static void chatUsage(JsonGenerator g, int promptTokens, int completionTokens) {
        g.writeStartObject();
        g.writeNumberProperty("prompt_tokens", promptTokens);
        g.writeNumberProperty("completion_tokens", completionTokens);
        g.writeNumberProperty("total_tokens", promptTokens + completionTokens);
        g.writeObjectPropertyStart("prompt_tokens_details");
        g.writeNumberProperty("cached_tokens", 0);
        g.writeNumberProperty("audio_tokens", 0);
        g.writeEndObject();
        g.writeObjectPropertyStart("completion_tokens_details");
        g.writeNumberProperty("reasoning_tokens", 0);
        g.writeNumberProperty("audio_tokens", 0);
        g.writeNumberProperty("accepted_prediction_tokens", 0);
        g.writeNumberProperty("rejected_prediction_tokens", 0);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void plainUsage(JsonGenerator g, int promptTokens, int completionTokens) {
        g.writeStartObject();
        g.writeNumberProperty("prompt_tokens", promptTokens);
        g.writeNumberProperty("completion_tokens", completionTokens);
        g.writeNumberProperty("total_tokens", promptTokens + completionTokens);
        g.writeEndObject();
    }

    /** Deterministic values in [-0.1, 0.1) so that tests can compare answers. */
    private static void embeddingVector(JsonGenerator g, int input, int dimensions, boolean base64) {
        if (base64) {
            ByteBuffer floats = ByteBuffer.allocate(dimensions * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < dimensions; j++) {
                floats.putFloat(component(input, j));
            }
            g.writeString(Base64.getEncoder().encodeToString(floats.array()));
            return;
        }
        g.writeStartArray();
        for (int j = 0; j < dimensions; j++) {
            g.writeNumber(component(input, j));
        }
        g.writeEndArray();
    }

    private static float component(int input, int index) {
        return ((input * 31 + index * 17) % 200 - 100) / 1000f;
    }
}
