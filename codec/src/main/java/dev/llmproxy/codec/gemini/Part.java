package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.internal.StringLiteral;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * One element of a Gemini {@code Content}'s {@code parts}, built from the client's OpenAI message. Written in
 * camelCase, which Google's JSON parser reads as well as snake_case.
 *
 * <p>Thread-safety: immutable.
 */
sealed interface Part {

    void write(JsonGenerator g);

    /** Whether this is a {@code text} part. */
    default boolean isText() {
        return false;
    }

    /** {@code {"text": …}}, copied as the client escaped it. */
    record Text(StringLiteral text) implements Part {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeName("text");
            text.write(g);
            g.writeEndObject();
        }

        @Override
        public boolean isText() {
            return true;
        }
    }

    /** {@code {"inlineData": {mimeType, data}}}: base64 bytes in the request. */
    record InlineData(String mimeType, String data) implements Part {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeObjectPropertyStart("inlineData");
            g.writeStringProperty("mimeType", mimeType);
            g.writeStringProperty("data", data);
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** {@code {"fileData": {mimeType, fileUri}}}: a {@code gs://}, https or uploaded-file URI for Google to read. */
    record FileData(String mimeType, String fileUri) implements Part {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeObjectPropertyStart("fileData");
            g.writeStringProperty("mimeType", mimeType);
            g.writeStringProperty("fileUri", fileUri);
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /**
     * {@code {"functionCall": {name, args}, "thoughtSignature"?}}: an assistant's tool call. The signature is the one
     * Gemini gave the call, carried by the client in the tool call's id (see {@link GeminiResponses}).
     */
    record FunctionCall(String name, RawJson args, @Nullable String thoughtSignature) implements Part {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeObjectPropertyStart("functionCall");
            g.writeStringProperty("name", name);
            g.writeName("args");
            args.write(g);
            g.writeEndObject();
            if (thoughtSignature != null) {
                g.writeStringProperty("thoughtSignature", thoughtSignature);
            }
            g.writeEndObject();
        }
    }

    /** {@code {"functionResponse": {name, response: {content}}}}: a tool's result, as LiteLLM wraps it. */
    record FunctionResponse(String name, StringLiteral content) implements Part {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeObjectPropertyStart("functionResponse");
            g.writeStringProperty("name", name);
            g.writeObjectPropertyStart("response");
            g.writeName("content");
            content.write(g);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        }
    }
}
