package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads a Gemini request body ({@code generateContent} or {@code batchEmbedContents}) for the mock: the number of
 * embedding requests and their {@code outputDimensionality}, and the {@code mock_*} controls.
 *
 * <p>A Gemini request has no room for extra top-level fields (Google refuses unknown names, and llmproxy drops them
 * as LiteLLM does), so a test steers the mock from inside the prompt: any {@code text} part that is a JSON object
 * with {@code mock_*} members (for example a user message {@code {"mock_status": 429}}) is read like the top-level
 * controls of an OpenAI request. Keys are accepted in camelCase and snake_case, as Google's parser does.
 *
 * <p>Thread-safety: stateless.
 */
final class GeminiRequestParser {
    private static final JsonFactory JSON = new JsonFactory();

    private GeminiRequestParser() {
    }

    /**
     * Parses {@code body} into {@code into}; the caller keeps ownership of {@code body}.
     *
     * @throws tools.jackson.core.JacksonException when the body is not JSON
     * @throws IllegalArgumentException when it is not a JSON object
     */
    static void parse(ByteBuf body, MockRequest into) {
        InputStream in = new ByteBufInputStream(body.duplicate());
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("request body is not a JSON object");
            }
            walk(p, into, "");
        }
    }

    /** Visits the object {@code p} is at the start of (left on its end token). */
    private static void walk(JsonParser p, MockRequest into, String parent) {
        int requests = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT) {
                walk(p, into, name);
            } else if (value == JsonToken.START_ARRAY) {
                int count = walkArray(p, into, name);
                if (parent.isEmpty() && (name.equals("requests") || name.equals("instances"))) {
                    requests = count;
                }
            } else if ((name.equals("text") || name.equals("content")) && value == JsonToken.VALUE_STRING) {
                readControls(p.getString(), into);
            } else if ((name.equals("sampleCount") || name.equals("numberOfImages"))
                    && value == JsonToken.VALUE_NUMBER_INT) {
                into.images = p.getValueAsInt(1);
            } else if ((name.equals("inputText") || name.equals("prompt")) && value == JsonToken.VALUE_STRING) {
                into.embedTexts.add(p.getString());
                readControls(p.getString(), into);
            } else if (name.equals("voiceName") && value == JsonToken.VALUE_STRING) {
                into.voice = p.getString();
            } else if ((name.equals("outputDimensionality") || name.equals("output_dimensionality")
                    || name.equals("dimensions") || name.equals("output_dimension")
                    || name.equals("outputEmbeddingLength"))
                    && value == JsonToken.VALUE_NUMBER_INT) {
                into.dimensions = p.getValueAsInt(MockRequest.UNSET);
            }
        }
        if (parent.isEmpty() && requests > 0) {
            into.embeddingInputs = requests;
        }
    }

    private static int walkArray(JsonParser p, MockRequest into, String name) {
        int count = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            count++;
            if (p.currentToken() == JsonToken.START_OBJECT) {
                walk(p, into, name);
            } else if (p.currentToken() == JsonToken.START_ARRAY) {
                walkArray(p, into, name);
            } else if (name.equals("texts") && p.currentToken() == JsonToken.VALUE_STRING) {
                into.embedTexts.add(p.getString());
                readControls(p.getString(), into);
            } else if ((name.equals("responseModalities") || name.equals("response_modalities"))
                    && "AUDIO".equals(p.getValueAsString())) {
                into.audio = true;
            }
        }
        return count;
    }

    private static void readControls(String text, MockRequest into) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{") || !trimmed.contains("\"mock_")) {
            return;
        }
        ByteBuf controls = Unpooled.wrappedBuffer(trimmed.getBytes(StandardCharsets.UTF_8));
        try {
            MockRequestParser.parse(controls, into);
        } finally {
            controls.release();
        }
    }
}
