package dev.llmproxy.bench.mock;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * The JSON Bedrock's Converse API answers with (AWS API reference, Converse and ConverseStream): a whole response, the
 * payloads of the stream's events, and error bodies with their {@code x-amzn-ErrorType}.
 *
 * <p>Thread-safety: stateless.
 */
final class BedrockBodies {
    private BedrockBodies() {
    }

    /** A Converse response: a text answer, or one {@code toolUse} when {@code toolName} is set. */
    static Consumer<JsonGenerator> response(String content, @org.jspecify.annotations.Nullable String toolName,
            String toolArguments, int input, int output, int cacheRead, int cacheWrite) {
        return g -> {
            g.writeStartObject();
            g.writeName("output");
            g.writeStartObject();
            g.writeName("message");
            g.writeStartObject();
            g.writeStringProperty("role", "assistant");
            g.writeName("content");
            g.writeStartArray();
            g.writeStartObject();
            if (toolName != null) {
                g.writeName("toolUse");
                g.writeStartObject();
                g.writeStringProperty("toolUseId", "tooluse_mock1");
                g.writeStringProperty("name", toolName);
                g.writeName("input");
                g.writeRawValue(toolArguments);
                g.writeEndObject();
            } else {
                g.writeStringProperty("text", content);
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
            g.writeStringProperty("stopReason", toolName != null ? "tool_use" : "end_turn");
            writeUsage(g, input, output, cacheRead, cacheWrite);
            g.writeName("metrics");
            g.writeStartObject();
            g.writeNumberProperty("latencyMs", 1);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** The {@code metadata} event's payload. */
    static Consumer<JsonGenerator> metadata(int input, int output, int cacheRead, int cacheWrite) {
        return g -> {
            g.writeStartObject();
            writeUsage(g, input, output, cacheRead, cacheWrite);
            g.writeName("metrics");
            g.writeStartObject();
            g.writeNumberProperty("latencyMs", 1);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** {@code {"message": …}}, Bedrock's error body and exception payload. */
    static Consumer<JsonGenerator> error(String message) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("message", message);
            g.writeEndObject();
        };
    }

    /** The {@code x-amzn-ErrorType} name of an error status (Bedrock's error reference). */
    static String errorType(int status) {
        return switch (status) {
            case 400 -> "ValidationException";
            case 403 -> "AccessDeniedException";
            case 404 -> "ResourceNotFoundException";
            case 408 -> "ModelTimeoutException";
            case 424 -> "ModelErrorException";
            case 429 -> "ThrottlingException";
            case 503 -> "ServiceUnavailableException";
            default -> "InternalServerException";
        };
    }

    static String defaultMessage(int status) {
        return switch (status) {
            case 429 -> "Too many requests, please wait before trying again.";
            case 403 -> "You don't have access to the model with the specified model ID.";
            case 400 -> "The provided request is not valid";
            default -> "The server encountered an internal error.";
        };
    }

    /** Bedrock's usage: {@code inputTokens} leaves the cache reads and writes out, {@code totalTokens} counts them. */
    private static void writeUsage(JsonGenerator g, int input, int output, int cacheRead, int cacheWrite) {
        g.writeName("usage");
        g.writeStartObject();
        g.writeNumberProperty("inputTokens", input);
        g.writeNumberProperty("outputTokens", output);
        g.writeNumberProperty("totalTokens", input + output + cacheRead + cacheWrite);
        if (cacheRead > 0 || cacheWrite > 0) {
            g.writeNumberProperty("cacheReadInputTokens", cacheRead);
            g.writeNumberProperty("cacheWriteInputTokens", cacheWrite);
        }
        g.writeEndObject();
    }

    /** Titan's InvokeModel answer: {@code embedding}, {@code inputTextTokenCount}, for v2 {@code embeddingsByType}. */
    static Consumer<JsonGenerator> titanEmbedding(String text, int dimensions, boolean v2, int tokens) {
        return g -> {
            g.writeStartObject();
            g.writeName("embedding");
            writeVector(g, text, dimensions);
            g.writeNumberProperty("inputTextTokenCount", tokens);
            if (v2) {
                g.writeObjectPropertyStart("embeddingsByType");
                g.writeName("float");
                writeVector(g, text, dimensions);
                g.writeEndObject();
            }
            g.writeEndObject();
        };
    }

    /** Cohere embed's InvokeModel answer (floats): one vector per text, and the texts. */
    static Consumer<JsonGenerator> cohereEmbeddings(List<String> texts, int dimensions) {
        return g -> {
            g.writeStartObject();
            g.writeName("embeddings");
            g.writeStartArray();
            for (String text : texts) {
                writeVector(g, text, dimensions);
            }
            g.writeEndArray();
            g.writeStringProperty("id", "mock-embed-1");
            g.writeStringProperty("response_type", "embeddings_floats");
            g.writeName("texts");
            g.writeStartArray();
            for (String text : texts) {
                g.writeString(text);
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }

    /** An image model's InvokeModel answer: {@code count} base64 images, each naming its index. */
    static Consumer<JsonGenerator> images(int count) {
        return g -> {
            g.writeStartObject();
            g.writeName("images");
            g.writeStartArray();
            for (int i = 0; i < count; i++) {
                g.writeString(Base64.getEncoder().encodeToString(
                        ("mock-image-" + i).getBytes(StandardCharsets.US_ASCII)));
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }

    /** A vector whose first value is the text's length, then quarters. */
    private static void writeVector(JsonGenerator g, String text, int dimensions) {
        g.writeStartArray();
        for (int i = 0; i < dimensions; i++) {
            g.writeNumber(i == 0 ? text.length() : 0.25 * (i % 4));
        }
        g.writeEndArray();
    }
}
