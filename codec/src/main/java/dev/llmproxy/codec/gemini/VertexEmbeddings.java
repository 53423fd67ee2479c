package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * OpenAI embeddings on Vertex AI's text embedding models ({@code text-embedding-005}, {@code gemini-embedding-001}),
 * through their {@code :predict} API as LiteLLM calls it (provider spec, section 4.1): one instance per input string,
 * {@code {"content": text, "task_type"?}}, with {@code dimensions} as {@code parameters.outputDimensionality}; the
 * answer's {@code predictions[].embeddings.values} become OpenAI's embeddings list and the sum of their
 * {@code statistics.token_count} the prompt tokens.
 *
 * <p>Thread-safety: stateless.
 */
public final class VertexEmbeddings {

    private VertexEmbeddings() {
    }

    /**
     * Encodes an embeddings request as a {@code :predict} request.
     *
     * @param body an OpenAI embeddings request; not taken, indexes unchanged
     * @return the Vertex AI request, a new buffer owned by the caller
     * @throws InvalidRequestException when {@code input} is not a string or an array of strings
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body) {
        JsonInput input = JsonInput.of(body);
        List<String> texts = new ArrayList<>();
        RawJson dimensions = null;
        String taskType = null;
        boolean hasInput = false;
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "input" -> {
                        hasInput = true;
                        readInputs(p, texts);
                    }
                    case "dimensions" -> dimensions = value == JsonToken.VALUE_NUMBER_INT ? input.capture(p) : null;
                    case "task_type", "taskType" -> taskType = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        if (!hasInput) {
            throw new InvalidRequestException("Missing required field: input", "input");
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 48 * (texts.size() + 1));
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayPropertyStart("instances");
            for (String text : texts) {
                g.writeStartObject();
                g.writeStringProperty("content", text);
                if (taskType != null) {
                    g.writeStringProperty("task_type", taskType);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (dimensions != null) {
                g.writeObjectPropertyStart("parameters");
                g.writeName("outputDimensionality");
                dimensions.write(g);
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * Translates a successful {@code :predict} answer into OpenAI's embeddings list; a body that is not one becomes an
     * OpenAI error with status 500, an {@code error} object the error it names.
     *
     * @param body not taken, indexes unchanged
     * @param model the model the list names
     * @param exceptionName {@code VertexAI}, for error messages
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, String model,
            String exceptionName) {
        return GoogleEmbeddingAnswers.translate(alloc, body, model, exceptionName, "predictions",
                VertexEmbeddings::readPrediction);
    }

    private static void readInputs(JsonParser p, List<String> into) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            into.add(p.getString());
            return;
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                into.add(p.getString());
            }
            if (p.currentToken() == JsonToken.END_ARRAY) {
                return;
            }
        }
        throw new InvalidRequestException(
                "input: Vertex AI embeddings take a string or an array of strings (token arrays are not supported)",
                "input");
    }

    /** {@code {"embeddings": {"values": [...], "statistics": {"token_count": n}}}}. */
    private static long readPrediction(JsonInput input, JsonParser p, List<String> vectors) {
        String values = "[]";
        long tokens = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT || !name.equals("embeddings")) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("values") && value == JsonToken.START_ARRAY) {
                    values = input.capture(p).json();
                } else if (field.equals("statistics") && value == JsonToken.START_OBJECT) {
                    tokens += tokenCount(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        vectors.add(values);
        return tokens;
    }

    private static long tokenCount(JsonParser p) {
        long count = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("token_count") && value.isNumeric()) {
                count = Math.max(0, (long) p.getValueAsDouble(0));
            } else {
                p.skipChildren();
            }
        }
        return count;
    }
}
