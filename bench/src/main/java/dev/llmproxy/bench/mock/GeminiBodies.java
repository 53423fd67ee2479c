package dev.llmproxy.bench.mock;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * Writes Gemini API bodies (https://ai.google.dev/api/generate-content): {@code GenerateContentResponse} objects
 * (whole answers and stream chunks), {@code batchEmbedContents} answers and Google's error objects, with Jackson's
 * streaming generator. Used with {@link OpenAiBodies#toBuffer}.
 *
 * <p>Thread-safety: stateless.
 */
final class GeminiBodies {
    static final String RESPONSE_ID = "mock-gemini-01";
    /** The prompt tokens a TTS answer reports. */
    static final int SPEECH_PROMPT_TOKENS = 9;

    private GeminiBodies() {
    }

    /**
     * A response with one candidate: {@code text} (omitted when {@code null}) or, when {@code toolName} is set, a
     * {@code functionCall} with {@code toolArgs} (JSON); {@code finishReason} when not {@code null}; usage when
     * {@code promptTokens >= 0} (thought tokens counted apart, as Gemini 2.5 does).
     */
    static Consumer<JsonGenerator> response(String model, @Nullable String text, @Nullable String toolName,
            String toolArgs, @Nullable String finishReason, int promptTokens, int candidateTokens,
            int thoughtTokens) {
        return g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("candidates");
            g.writeStartObject();
            g.writeObjectPropertyStart("content");
            g.writeArrayPropertyStart("parts");
            if (toolName != null) {
                g.writeStartObject();
                g.writeObjectPropertyStart("functionCall");
                g.writeStringProperty("name", toolName);
                g.writeName("args");
                g.writeRawValue(toolArgs);
                g.writeEndObject();
                g.writeEndObject();
            } else if (text != null) {
                g.writeStartObject();
                g.writeStringProperty("text", text);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringProperty("role", "model");
            g.writeEndObject();
            if (finishReason != null) {
                g.writeStringProperty("finishReason", finishReason);
            }
            g.writeNumberProperty("index", 0);
            g.writeEndObject();
            g.writeEndArray();
            if (promptTokens >= 0) {
                g.writeObjectPropertyStart("usageMetadata");
                g.writeNumberProperty("promptTokenCount", promptTokens);
                g.writeNumberProperty("candidatesTokenCount", candidateTokens);
                g.writeNumberProperty("totalTokenCount", promptTokens + candidateTokens + thoughtTokens);
                if (thoughtTokens > 0) {
                    g.writeNumberProperty("thoughtsTokenCount", thoughtTokens);
                }
                g.writeEndObject();
            }
            g.writeStringProperty("modelVersion", model);
            g.writeStringProperty("responseId", RESPONSE_ID);
            g.writeEndObject();
        };
    }

    /**
     * A TTS answer: one {@code inlineData} part with {@code bytes} of 24 kHz PCM16 ({@link AudioStream#expected}) in
     * base64, and the usage Gemini reports for it.
     */
    static Consumer<JsonGenerator> speech(int bytes) {
        return g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("candidates");
            g.writeStartObject();
            g.writeObjectPropertyStart("content");
            g.writeArrayPropertyStart("parts");
            g.writeStartObject();
            g.writeObjectPropertyStart("inlineData");
            g.writeStringProperty("mimeType", "audio/L16;codec=pcm;rate=24000");
            g.writeStringProperty("data", Base64.getEncoder().encodeToString(AudioStream.expected(bytes)));
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeStringProperty("role", "model");
            g.writeEndObject();
            g.writeStringProperty("finishReason", "STOP");
            g.writeNumberProperty("index", 0);
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectPropertyStart("usageMetadata");
            g.writeNumberProperty("promptTokenCount", SPEECH_PROMPT_TOKENS);
            g.writeNumberProperty("candidatesTokenCount", bytes / 1920);
            g.writeNumberProperty("totalTokenCount", SPEECH_PROMPT_TOKENS + bytes / 1920);
            g.writeEndObject();
            g.writeStringProperty("modelVersion", "gemini-2.5-flash-preview-tts");
            g.writeEndObject();
        };
    }

    /** {@code {"embeddings": [{"values": [...]}, ...]}}: {@code inputs} vectors of {@code dimensions} values. */
    static Consumer<JsonGenerator> embeddings(int inputs, int dimensions) {
        return g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("embeddings");
            for (int i = 0; i < inputs; i++) {
                g.writeStartObject();
                g.writeArrayPropertyStart("values");
                for (int d = 0; d < dimensions; d++) {
                    g.writeNumber((d % 10) * 0.125 - 0.5);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }

    /**
     * Vertex AI's {@code :predict} answer for a text embedding model: {@code {"predictions": [{"embeddings":
     * {"values": [...], "statistics": {"token_count", "truncated"}}}], "metadata"}}, 3 tokens per input.
     */
    static Consumer<JsonGenerator> predictions(int inputs, int dimensions) {
        return g -> {
            g.writeStartObject();
            g.writeArrayPropertyStart("predictions");
            for (int i = 0; i < inputs; i++) {
                g.writeStartObject();
                g.writeObjectPropertyStart("embeddings");
                g.writeObjectPropertyStart("statistics");
                g.writeBooleanProperty("truncated", false);
                g.writeNumberProperty("token_count", 3);
                g.writeEndObject();
                g.writeArrayPropertyStart("values");
                for (int d = 0; d < dimensions; d++) {
                    g.writeNumber((d % 10) * 0.125 - 0.5);
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectPropertyStart("metadata");
            g.writeNumberProperty("billableCharacterCount", 12 * inputs);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** Google's error object, {@code {"error": {"code", "message", "status"}}}. */
    static Consumer<JsonGenerator> error(int code, String message) {
        return g -> {
            g.writeStartObject();
            g.writeObjectPropertyStart("error");
            g.writeNumberProperty("code", code);
            g.writeStringProperty("message", message);
            g.writeStringProperty("status", status(code));
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** The token endpoint's reply, {@code {"access_token", "expires_in", "token_type"}}. */
    static Consumer<JsonGenerator> token(String token, long expiresInSeconds) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("access_token", token);
            g.writeNumberProperty("expires_in", expiresInSeconds);
            g.writeStringProperty("token_type", "Bearer");
            g.writeEndObject();
        };
    }

    /** The token endpoint's refusal, {@code {"error", "error_description"}} (RFC 6749 section 5.2). */
    static Consumer<JsonGenerator> tokenError(String description) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("error", "invalid_grant");
            g.writeStringProperty("error_description", description);
            g.writeEndObject();
        };
    }

    /** Google's canonical error code name for an HTTP status. */
    static String status(int code) {
        return switch (code) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> "INTERNAL";
        };
    }

    /** The message Google sends with a status, for errors the request did not word itself. */
    static String defaultMessage(int code) {
        return switch (code) {
            case 429 -> "Resource has been exhausted (e.g. check quota).";
            case 503 -> "The model is overloaded. Please try again later.";
            default -> "Mock error " + code;
        };
    }

    /** Imagen's {@code :predict} answer: {@code count} PNG images, each a tiny base64 payload naming its index. */
    static Consumer<JsonGenerator> imagenPredictions(int count) {
        return g -> {
            g.writeStartObject();
            g.writeName("predictions");
            g.writeStartArray();
            for (int i = 0; i < count; i++) {
                g.writeStartObject();
                g.writeStringProperty("mimeType", "image/png");
                g.writeStringProperty("bytesBase64Encoded", Base64.getEncoder()
                        .encodeToString(("mock-image-" + i).getBytes(StandardCharsets.US_ASCII)));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }
}
