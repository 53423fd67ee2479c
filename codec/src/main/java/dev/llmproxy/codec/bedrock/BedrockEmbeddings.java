package dev.llmproxy.codec.bedrock;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.openai.EmbeddingList;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * OpenAI embeddings on Bedrock's embedding models through InvokeModel, as LiteLLM sends them:
 *
 * <ul>
 *   <li>Amazon Titan text ({@code amazon.titan-embed-text-v1}, {@code -v2:0}) and multimodal
 *       ({@code amazon.titan-embed-image-v1}) take one input per call: {@code {"inputText": ...}}, so a request with
 *       n inputs is n calls ({@link #calls()}), whose answers ({@code embedding}, {@code inputTextTokenCount}) are put
 *       back together in input order, their tokens summed. v2 takes {@code dimensions} and {@code normalize} and is
 *       asked for {@code embeddingTypes: ["float"]}; multimodal takes {@code dimensions} as
 *       {@code embeddingConfig.outputEmbeddingLength} and an input that is an image data URL as {@code inputImage};
 *       v1 takes neither ({@code dimensions} is refused, or dropped with {@code drop_params}).
 *   <li>Cohere embed ({@code cohere.embed-*}) takes them all in one call: {@code {"texts": [...], "input_type"}},
 *       {@code input_type} from the request or {@code search_document}, {@code dimensions} as
 *       {@code output_dimension}, {@code truncate} passed on. Its answer has no token count: the
 *       {@code X-Amzn-Bedrock-Input-Token-Count} header is.
 * </ul>
 *
 * <p>{@code encoding_format: "base64"} (what the OpenAI SDKs ask by default) is answered as OpenAI does, the float
 * vectors packed by {@link EmbeddingList#base64}; the provider is always asked for floats. LiteLLM instead asks
 * Titan v2 for its binary embedding, which is not what an OpenAI client decodes.
 *
 * <p>Thread-safety: immutable once read.
 */
public final class BedrockEmbeddings {
    private static final String DATA_IMAGE = "data:image/";

    /** The model families, by how their InvokeModel bodies look. */
    public enum Family { TITAN_TEXT_V1, TITAN_TEXT_V2, TITAN_MULTIMODAL, COHERE }

    private final Family family;
    private final List<String> inputs;
    private final int dimensions;
    private final @Nullable Boolean normalize;
    private final String inputType;
    private final @Nullable String truncate;
    private final boolean base64;

    private BedrockEmbeddings(Family family, List<String> inputs, int dimensions, @Nullable Boolean normalize,
            String inputType, @Nullable String truncate, boolean base64) {
        this.family = family;
        this.inputs = inputs;
        this.dimensions = dimensions;
        this.normalize = normalize;
        this.inputType = inputType;
        this.truncate = truncate;
        this.base64 = base64;
    }

    /**
     * The family of a Bedrock model id (a cross-region profile or an ARN naming one included), or {@code null} when
     * it is not an embedding model llmproxy can call.
     */
    public static @Nullable Family family(String modelId) {
        if (modelId.contains("titan-embed-text-v1")) {
            return Family.TITAN_TEXT_V1;
        }
        if (modelId.contains("titan-embed-text-v2")) {
            return Family.TITAN_TEXT_V2;
        }
        if (modelId.contains("titan-embed-image")) {
            return Family.TITAN_MULTIMODAL;
        }
        return modelId.contains("cohere.embed") ? Family.COHERE : null;
    }

    /**
     * Reads an OpenAI embeddings request for {@code modelId}.
     *
     * @param body not taken, indexes unchanged
     * @param dropParams the deployment's {@code drop_params}: a parameter the model lacks is dropped, not refused
     * @throws InvalidRequestException when the model is not an embedding model, the body is not an embeddings
     *     request, or it has a parameter the model lacks
     */
    public static BedrockEmbeddings read(ByteBuf body, String modelId, boolean dropParams) {
        Family family = family(modelId);
        if (family == null) {
            throw new InvalidRequestException("Bedrock embeddings are supported for Amazon Titan "
                    + "(amazon.titan-embed-*) and Cohere (cohere.embed-*) models, not " + modelId, "model");
        }
        JsonInput json = JsonInput.of(body);
        List<String> inputs = null;
        int dimensions = -1;
        Boolean normalize = null;
        String inputType = "search_document";
        String truncate = null;
        boolean base64 = false;
        try (JsonParser p = json.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "input" -> inputs = readInputs(p);
                    case "dimensions" -> dimensions = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "encoding_format" -> base64 = value == JsonToken.VALUE_STRING
                            && p.getString().equals("base64");
                    case "input_type" -> inputType = value == JsonToken.VALUE_STRING ? p.getString() : inputType;
                    case "truncate" -> truncate = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "normalize" -> normalize = value.isBoolean() ? p.getBooleanValue() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        if (inputs == null) {
            throw new InvalidRequestException("Missing required field: input", "input");
        }
        if (inputs.isEmpty()) {
            throw new InvalidRequestException("input: must not be empty", "input");
        }
        if (dimensions >= 0 && family == Family.TITAN_TEXT_V1) {
            if (!dropParams) {
                throw InvalidRequestException.unsupportedParams("bedrock", List.of("dimensions"), modelId);
            }
            dimensions = -1;
        }
        return new BedrockEmbeddings(family, List.copyOf(inputs), dimensions, normalize, inputType, truncate, base64);
    }

    /** The model's family. */
    public Family family() {
        return family;
    }

    /** How many InvokeModel calls the request takes: one per input for Titan, one for Cohere. */
    public int calls() {
        return family == Family.COHERE ? 1 : inputs.size();
    }

    /**
     * The body of one InvokeModel call.
     *
     * @param call from 0 to {@link #calls()} (exclusive); for Titan, the index of its input
     * @return a new buffer owned by the caller
     */
    public ByteBuf encode(ByteBufAllocator alloc, int call) {
        ByteBuf out = alloc.buffer(family == Family.COHERE ? 64 + 16 * inputs.size() : 64 + inputs.get(call).length());
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            switch (family) {
                case COHERE -> writeCohere(g);
                case TITAN_MULTIMODAL -> writeMultimodal(g, inputs.get(call));
                case TITAN_TEXT_V2 -> {
                    g.writeStringProperty("inputText", inputs.get(call));
                    if (dimensions >= 0) {
                        g.writeNumberProperty("dimensions", dimensions);
                    }
                    if (normalize != null) {
                        g.writeBooleanProperty("normalize", normalize);
                    }
                    g.writeArrayPropertyStart("embeddingTypes");
                    g.writeString("float");
                    g.writeEndArray();
                }
                case TITAN_TEXT_V1 -> g.writeStringProperty("inputText", inputs.get(call));
            }
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    private void writeCohere(JsonGenerator g) {
        g.writeArrayPropertyStart("texts");
        for (String text : inputs) {
            g.writeString(text);
        }
        g.writeEndArray();
        g.writeStringProperty("input_type", inputType);
        if (truncate != null) {
            g.writeStringProperty("truncate", truncate);
        }
        if (dimensions >= 0) {
            g.writeNumberProperty("output_dimension", dimensions);
        }
    }

    private void writeMultimodal(JsonGenerator g, String input) {
        int comma = input.indexOf(',');
        if (input.startsWith(DATA_IMAGE) && comma > 0 && input.substring(0, comma).endsWith(";base64")) {
            g.writeStringProperty("inputImage", input.substring(comma + 1));
        } else {
            g.writeStringProperty("inputText", input);
        }
        if (dimensions >= 0) {
            g.writeObjectPropertyStart("embeddingConfig");
            g.writeNumberProperty("outputEmbeddingLength", dimensions);
            g.writeEndObject();
        }
    }

    /**
     * Puts the calls' successful answers together into OpenAI's embeddings list. An answer without an embedding
     * makes the whole an error with status 500 quoting it.
     *
     * @param answers each call's body, in call order; not taken, indexes unchanged
     * @param headerTokens each call's {@code X-Amzn-Bedrock-Input-Token-Count}, or -1 when it had none
     * @param model the model the list names
     * @return the answer, its body a new buffer owned by the caller
     */
    public TranslatedBody aggregate(ByteBufAllocator alloc, List<ByteBuf> answers, long[] headerTokens,
            String model) {
        List<String> vectors = new ArrayList<>(inputs.size());
        long tokens = 0;
        for (int i = 0; i < answers.size(); i++) {
            ByteBuf answer = answers.get(i);
            long bodyTokens;
            try {
                bodyTokens = family == Family.COHERE ? readCohere(answer, vectors) : readTitan(answer, vectors);
            } catch (JacksonException | IllegalStateException e) {
                return BedrockErrors.translate(alloc, 500, answer);
            }
            tokens += bodyTokens >= 0 ? bodyTokens : Math.max(0, headerTokens[i]);
        }
        if (vectors.size() != inputs.size()) {
            return BedrockErrors.of(alloc, 500, "Bedrock answered " + vectors.size() + " embeddings for "
                    + inputs.size() + " inputs");
        }
        return new TranslatedBody(EmbeddingList.write(alloc, vectors, model, tokens), 200, Usage.of(tokens, 0));
    }

    /** {@code {"embedding": [...], "embeddingsByType": {"float": [...]}, "inputTextTokenCount": n}}. */
    private long readTitan(ByteBuf answer, List<String> vectors) {
        JsonInput json = JsonInput.of(answer);
        String vector = null;
        long tokens = -1;
        try (JsonParser p = json.parser()) {
            requireObject(p.nextToken());
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("embedding") && value == JsonToken.START_ARRAY) {
                    vector = vector(json, p);
                } else if (name.equals("embeddingsByType") && value == JsonToken.START_OBJECT && vector == null) {
                    vector = floatMember(json, p);
                } else if (name.equals("inputTextTokenCount") && value.isNumeric()) {
                    tokens = Math.max(0, p.getValueAsLong(0));
                } else {
                    p.skipChildren();
                }
            }
        }
        if (vector == null) {
            throw new IllegalStateException("no embedding");
        }
        vectors.add(vector);
        return tokens;
    }

    /** {@code {"embeddings": [[...], ...] | {"float": [[...], ...]}, "id", "response_type", "texts"}}. */
    private long readCohere(ByteBuf answer, List<String> vectors) {
        JsonInput json = JsonInput.of(answer);
        boolean found = false;
        long tokens = -1;
        try (JsonParser p = json.parser()) {
            requireObject(p.nextToken());
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("embeddings") && value == JsonToken.START_ARRAY) {
                    found = true;
                    readVectors(json, p, vectors);
                } else if (name.equals("embeddings") && value == JsonToken.START_OBJECT) {
                    found = readFloatVectors(json, p, vectors);
                } else if (name.equals("meta") && value == JsonToken.START_OBJECT) {
                    tokens = billedInputTokens(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        if (!found) {
            throw new IllegalStateException("no embeddings");
        }
        return tokens;
    }

    private static void requireObject(@Nullable JsonToken token) {
        if (token != JsonToken.START_OBJECT) {
            throw new IllegalStateException("not an object");
        }
    }

    private @Nullable String floatMember(JsonInput json, JsonParser p) {
        String vector = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.START_ARRAY && name.equals("float")) {
                vector = vector(json, p);
            } else {
                p.skipChildren();
            }
        }
        return vector;
    }

    private boolean readFloatVectors(JsonInput json, JsonParser p, List<String> vectors) {
        boolean found = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.START_ARRAY && name.equals("float")) {
                found = true;
                readVectors(json, p, vectors);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    private void readVectors(JsonInput json, JsonParser p, List<String> vectors) {
        while (p.nextToken() == JsonToken.START_ARRAY) {
            vectors.add(vector(json, p));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new IllegalStateException("embeddings is not an array of arrays");
        }
    }

    /** The array {@code p} is at, as the JSON the client gets: the array itself, or its base64 packing. */
    private String vector(JsonInput json, JsonParser p) {
        if (!base64) {
            return json.capture(p).json();
        }
        float[] values = new float[64];
        int count = 0;
        while (p.nextToken().isNumeric()) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = p.getFloatValue();
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new IllegalStateException("an embedding holds something other than numbers");
        }
        return EmbeddingList.base64(Arrays.copyOf(values, count));
    }

    /** Cohere's own {@code meta.billed_units.input_tokens}, or -1. */
    private static long billedInputTokens(JsonParser p) {
        long tokens = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.START_OBJECT && name.equals("billed_units")) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String unit = p.currentName();
                    JsonToken value = p.nextToken();
                    if (unit.equals("input_tokens") && value.isNumeric()) {
                        tokens = Math.max(0, p.getValueAsLong(0));
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return tokens;
    }

    private static List<String> readInputs(JsonParser p) {
        List<String> into = new ArrayList<>();
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            into.add(p.getString());
            return into;
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                into.add(p.getString());
            }
            if (p.currentToken() == JsonToken.END_ARRAY) {
                return into;
            }
        }
        throw new InvalidRequestException(
                "input: Bedrock embeddings take a string or an array of strings (token arrays are not supported)",
                "input");
    }
}
