package dev.llmproxy.codec.gemini;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.json.DropParams;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * Encodes an OpenAI chat completions request as a Gemini {@code generateContent} request, following LiteLLM's rules
 * (provider spec, sections 3.2 to 3.4, and 7 for {@code drop_params}).
 *
 * <ul>
 *   <li>{@code messages} → {@code systemInstruction} and {@code contents} ({@link GeminiContents});
 *   <li>{@code generationConfig}: {@code temperature}, {@code top_p} → {@code topP}, {@code top_k} → {@code topK},
 *       {@code max_completion_tokens}/{@code max_tokens} → {@code maxOutputTokens}, {@code stop} →
 *       {@code stopSequences}, {@code n} → {@code candidateCount}, {@code seed}, the two penalties,
 *       {@code logprobs} → {@code responseLogprobs}, {@code top_logprobs} → {@code logprobs}, {@code modalities} →
 *       {@code responseModalities}, {@code audio.voice} → {@code speechConfig}, {@code response_format} →
 *       {@code responseMimeType} and {@code responseJsonSchema} ({@code responseSchema} on Gemini 1.x),
 *       {@code reasoning_effort}/{@code thinking} → {@code thinkingConfig};
 *   <li>{@code tools} (and legacy {@code functions}) → one {@code functionDeclarations} tool, other tool objects
 *       (Google's own, such as {@code googleSearch}) as they are, {@code web_search_options} → {@code googleSearch};
 *       {@code tool_choice} → {@code toolConfig.functionCallingConfig};
 *   <li>{@code safety_settings}, {@code cached_content} and {@code labels} passed on in Gemini's names.
 * </ul>
 *
 * <p>OpenAI parameters Gemini has no equivalent for ({@link #UNSUPPORTED}), and values it cannot express (a
 * {@code tool_choice} of another shape, {@code parallel_tool_calls: false} with several functions), are refused with
 * LiteLLM's {@code UnsupportedParamsError} unless {@code drop_params} is on, then left out. Parameters named in
 * {@code additional_drop_params} are always left out. Any other parameter LiteLLM does not map is left out too, as
 * LiteLLM does: Google refuses unknown fields.
 *
 * <p>Thread-safety: stateless.
 */
public final class GeminiRequestEncoder {
    /** OpenAI chat parameters that have no Gemini equivalent. */
    static final Set<String> UNSUPPORTED = Set.of("logit_bias", "prediction", "safety_identifier",
            "prompt_cache_key", "verbosity");

    private GeminiRequestEncoder() {
    }

    /**
     * Encodes a chat completions request.
     *
     * @param body an OpenAI chat request that is valid JSON (the proxy's request scan checked it); not taken, indexes
     *     unchanged
     * @return the Gemini request, a new buffer from {@code alloc} owned by the caller
     * @throws InvalidRequestException for an unsupported parameter (without {@code drop_params}) or a tool result
     *     that answers no tool call
     */
    public static ByteBuf encodeChat(ByteBufAllocator alloc, ByteBuf body, GeminiRequestOptions options) {
        requireNonNull(options, "options");
        JsonInput input = JsonInput.of(body);
        Params params = new Params(options, dropSettings(body, options));
        try (JsonParser p = input.parser()) {
            params.read(input, p);
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        params.check();
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            params.write(g);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * Encodes an embeddings request as a {@code batchEmbedContents} request: one request per input string, with
     * {@code dimensions} → {@code outputDimensionality} and {@code task_type} → {@code taskType}.
     *
     * @param body an OpenAI embeddings request; not taken, indexes unchanged
     * @return the Gemini request, a new buffer owned by the caller
     * @throws InvalidRequestException when {@code input} is not a string or an array of strings (token arrays have no
     *     Gemini form)
     */
    public static ByteBuf encodeEmbeddings(ByteBufAllocator alloc, ByteBuf body, GeminiRequestOptions options) {
        JsonInput input = JsonInput.of(body);
        List<String> texts = new ArrayList<>();
        RawJson dimensions = null;
        String taskType = null;
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "input" -> readInputs(p, texts);
                    case "dimensions" -> dimensions = value == JsonToken.VALUE_NUMBER_INT ? input.capture(p) : null;
                    case "task_type", "taskType" -> taskType = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 64 * (texts.size() + 1));
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayPropertyStart("requests");
            for (String text : texts) {
                g.writeStartObject();
                g.writeStringProperty("model", "models/" + options.model());
                g.writeObjectPropertyStart("content");
                g.writeArrayPropertyStart("parts");
                g.writeStartObject();
                g.writeStringProperty("text", text);
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
                if (dimensions != null) {
                    g.writeName("outputDimensionality");
                    dimensions.write(g);
                }
                if (taskType != null) {
                    g.writeStringProperty("taskType", taskType);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    private static void readInputs(JsonParser p, List<String> into) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            into.add(p.getString());
            return;
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    break;
                }
                into.add(p.getString());
            }
            if (p.currentToken() == JsonToken.END_ARRAY) {
                return;
            }
        }
        throw new InvalidRequestException(
                "input: Gemini embeddings take a string or an array of strings (token arrays are not supported)",
                "input");
    }

    /** The deployment's drop settings merged with the request's own ({@link DropParams#readRequest}). */
    private static DropSettings dropSettings(ByteBuf body, GeminiRequestOptions options) {
        Set<String> names = new HashSet<>(options.additionalDropParams());
        try {
            boolean drop = DropParams.readRequest(body, names) || options.dropParams();
            return new DropSettings(drop, names);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
    }

    /** Whether unsupported parameters are dropped, and the parameters always dropped. */
    private record DropSettings(boolean drop, Set<String> names) {
    }

    /** The request's parameters, as read. */
    private static final class Params {
        private final GeminiRequestOptions options;
        private final DropSettings drops;
        private final List<String> unsupported = new ArrayList<>(0);
        @Nullable GeminiContents contents;
        @Nullable RawJson temperature;
        @Nullable RawJson topP;
        @Nullable RawJson topK;
        @Nullable RawJson maxTokens;
        @Nullable RawJson maxCompletionTokens;
        @Nullable RawJson candidateCount;
        @Nullable RawJson seed;
        @Nullable RawJson presencePenalty;
        @Nullable RawJson frequencyPenalty;
        @Nullable Boolean logprobs;
        @Nullable RawJson topLogprobs;
        final List<String> stop = new ArrayList<>(0);
        final List<String> modalities = new ArrayList<>(0);
        @Nullable String voice;
        @Nullable String responseMimeType;
        @Nullable RawJson responseSchema;
        @Nullable String reasoningEffort;
        @Nullable RawJson thinking;
        @Nullable String thinkingType;
        long thinkingBudget = -1;
        final List<Function> functions = new ArrayList<>(0);
        final List<RawJson> otherTools = new ArrayList<>(0);
        boolean webSearch;
        @Nullable ToolChoice toolChoice;
        @Nullable Boolean parallelToolCalls;
        @Nullable RawJson safetySettings;
        @Nullable RawJson cachedContent;
        @Nullable RawJson labels;

        Params(GeminiRequestOptions options, DropSettings drops) {
            this.options = options;
            this.drops = drops;
        }

        void read(JsonInput input, JsonParser p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL || drops.names().contains(name)) {
                    p.skipChildren();
                    continue;
                }
                boolean string = value == JsonToken.VALUE_STRING;
                switch (name) {
                    case "messages" -> contents = GeminiContents.read(input, p);
                    case "temperature" -> temperature = number(input, p);
                    case "top_p" -> topP = number(input, p);
                    case "top_k" -> topK = number(input, p);
                    case "max_tokens" -> maxTokens = number(input, p);
                    case "max_completion_tokens" -> maxCompletionTokens = number(input, p);
                    case "n" -> candidateCount = number(input, p);
                    case "seed" -> seed = number(input, p);
                    case "presence_penalty" -> presencePenalty = number(input, p);
                    case "frequency_penalty" -> frequencyPenalty = number(input, p);
                    case "logprobs" -> logprobs = value.isBoolean() ? value == JsonToken.VALUE_TRUE : null;
                    case "top_logprobs" -> topLogprobs = number(input, p);
                    case "stop" -> readStrings(p, stop);
                    case "modalities" -> readStrings(p, modalities);
                    case "audio" -> voice = readVoice(p);
                    case "response_format" -> readResponseFormat(input, p);
                    case "response_schema" -> {
                        responseMimeType = "application/json";
                        responseSchema = value == JsonToken.START_OBJECT ? input.capture(p) : skip(p);
                    }
                    case "reasoning_effort" -> reasoningEffort = string ? p.getString() : null;
                    case "thinking" -> readThinking(input, p);
                    case "tools", "functions" -> readTools(input, p);
                    case "tool_choice", "function_call" -> toolChoice = ToolChoice.read(p);
                    case "parallel_tool_calls" ->
                        parallelToolCalls = value.isBoolean() ? value == JsonToken.VALUE_TRUE : null;
                    case "web_search_options" -> {
                        webSearch = true;
                        p.skipChildren();
                    }
                    case "safety_settings", "safetySettings" -> safetySettings = input.capture(p);
                    case "cached_content", "cachedContent" -> cachedContent = input.capture(p);
                    case "labels" -> labels = input.capture(p);
                    default -> {
                        if (UNSUPPORTED.contains(name)) {
                            unsupported.add(name);
                        }
                        p.skipChildren();
                    }
                }
            }
        }

        /** Refuses what Gemini cannot take, unless dropping is on (then what cannot be expressed is left out). */
        void check() {
            if (toolChoice != null && !toolChoice.isValid()) {
                unsupported.add("tool_choice");
                toolChoice = null;
            }
            if (Boolean.FALSE.equals(parallelToolCalls) && functions.size() > 1) {
                unsupported.add("parallel_tool_calls");
            }
            if (!unsupported.isEmpty() && !drops.drop()) {
                throw InvalidRequestException.unsupportedParams(options.provider(), unsupported, options.model());
            }
        }

        void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeName("contents");
            if (contents != null) {
                contents.writeContents(g);
            } else {
                g.writeStartArray();
                g.writeEndArray();
            }
            if (contents != null && contents.hasSystem()) {
                g.writeName("systemInstruction");
                contents.writeSystemInstruction(g);
            }
            writeTools(g);
            writeRaw(g, "safetySettings", safetySettings);
            writeRaw(g, "cachedContent", cachedContent);
            writeRaw(g, "labels", labels);
            if (hasGenerationConfig()) {
                g.writeObjectPropertyStart("generationConfig");
                writeGenerationConfig(g);
                g.writeEndObject();
            }
            g.writeEndObject();
        }

        private boolean hasGenerationConfig() {
            return temperature != null || topP != null || topK != null || maxTokens != null
                    || maxCompletionTokens != null || candidateCount != null || seed != null || presencePenalty != null
                    || frequencyPenalty != null || logprobs != null || topLogprobs != null || !stop.isEmpty()
                    || !modalities.isEmpty() || voice != null || responseMimeType != null || reasoningEffort != null
                    || thinking != null;
        }

        private void writeGenerationConfig(JsonGenerator g) {
            writeRaw(g, "temperature", temperature);
            writeRaw(g, "topP", topP);
            writeRaw(g, "topK", topK);
            writeRaw(g, "maxOutputTokens", maxCompletionTokens != null ? maxCompletionTokens : maxTokens);
            if (!stop.isEmpty()) {
                writeStrings(g, "stopSequences", stop);
            }
            writeRaw(g, "candidateCount", candidateCount);
            writeRaw(g, "seed", seed);
            writeRaw(g, "presencePenalty", presencePenalty);
            writeRaw(g, "frequencyPenalty", frequencyPenalty);
            if (logprobs != null) {
                g.writeBooleanProperty("responseLogprobs", logprobs);
            }
            writeRaw(g, "logprobs", topLogprobs);
            List<String> responseModalities = new ArrayList<>(modalities.size() + 1);
            for (String modality : modalities) {
                responseModalities.add(modality.toUpperCase(Locale.ROOT));
            }
            if (voice != null) {
                if (!responseModalities.contains("AUDIO")) {
                    responseModalities.add("AUDIO");
                }
                g.writeObjectPropertyStart("speechConfig");
                g.writeObjectPropertyStart("voiceConfig");
                g.writeObjectPropertyStart("prebuiltVoiceConfig");
                g.writeStringProperty("voiceName", voice);
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            if (!responseModalities.isEmpty()) {
                writeStrings(g, "responseModalities", responseModalities);
            }
            if (responseMimeType != null) {
                g.writeStringProperty("responseMimeType", responseMimeType);
            }
            if (responseSchema != null) {
                if (options.usesOpenApiSchema()) {
                    g.writeName("responseSchema");
                    Schemas.writeFiltered(g, responseSchema);
                } else {
                    g.writeName("responseJsonSchema");
                    responseSchema.write(g);
                }
            }
            writeThinkingConfig(g);
        }

        /**
         * {@code thinking} as the client gave it ({@code enabled} with a budget, or {@code disabled}), else
         * {@code reasoning_effort}: Gemini 3 gets a {@code thinkingLevel}, older models LiteLLM's budgets (minimal
         * 128, or 512 for Flash Lite, Google's minimum there; low 1024, medium 2048, high 4096; none 0).
         */
        private void writeThinkingConfig(JsonGenerator g) {
            if (thinking != null) {
                boolean enabled = "enabled".equals(thinkingType);
                g.writeObjectPropertyStart("thinkingConfig");
                g.writeNumberProperty("thinkingBudget", enabled ? Math.max(thinkingBudget, 0) : 0);
                g.writeBooleanProperty("includeThoughts", enabled);
                g.writeEndObject();
                return;
            }
            String effort = reasoningEffort;
            if (effort == null) {
                return;
            }
            boolean off = effort.equals("none") || effort.equals("disable");
            g.writeObjectPropertyStart("thinkingConfig");
            if (options.usesThinkingLevel()) {
                g.writeStringProperty("thinkingLevel", off ? "low" : effort);
            } else {
                long budget = switch (effort) {
                    case "minimal" -> options.model().contains("flash-lite") ? 512 : 128;
                    case "low" -> 1024;
                    case "medium" -> 2048;
                    case "high" -> 4096;
                    default -> 0;
                };
                g.writeNumberProperty("thinkingBudget", budget);
            }
            g.writeBooleanProperty("includeThoughts", !off);
            g.writeEndObject();
        }

        private void writeTools(JsonGenerator g) {
            if (!functions.isEmpty() || !otherTools.isEmpty() || webSearch) {
                g.writeArrayPropertyStart("tools");
                if (!functions.isEmpty()) {
                    g.writeStartObject();
                    g.writeArrayPropertyStart("functionDeclarations");
                    for (Function function : functions) {
                        function.write(g);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                for (RawJson tool : otherTools) {
                    tool.write(g);
                }
                if (webSearch) {
                    g.writeStartObject();
                    g.writeObjectPropertyStart("googleSearch");
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (toolChoice != null) {
                g.writeName("toolConfig");
                toolChoice.write(g);
            }
        }

        private void readResponseFormat(JsonInput input, JsonParser p) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            String type = "";
            RawJson schema = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                    type = p.getString();
                } else if (name.equals("json_schema") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String field = p.currentName();
                        JsonToken inner = p.nextToken();
                        if (field.equals("schema") && inner == JsonToken.START_OBJECT) {
                            schema = input.capture(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (name.equals("response_schema") && value == JsonToken.START_OBJECT) {
                    schema = input.capture(p);
                } else {
                    p.skipChildren();
                }
            }
            if (type.equals("json_object") || type.equals("json_schema")) {
                responseMimeType = "application/json";
                responseSchema = schema;
            }
        }

        private void readThinking(JsonInput input, JsonParser p) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            int start = JsonInput.tokenStart(p);
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                    thinkingType = p.getString();
                } else if (name.equals("budget_tokens") && value == JsonToken.VALUE_NUMBER_INT) {
                    thinkingBudget = p.getValueAsLong(0);
                } else {
                    p.skipChildren();
                }
            }
            thinking = input.slice(start, JsonInput.tokenEnd(p));
        }

        private void readTools(JsonInput input, JsonParser p) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                int start = JsonInput.tokenStart(p);
                Function tool = Function.read(input, p);
                if (tool != null) {
                    functions.add(tool);
                } else {
                    otherTools.add(input.slice(start, JsonInput.tokenEnd(p)));
                }
            }
        }

        private static @Nullable String readVoice(JsonParser p) {
            String voice = null;
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("voice") && value == JsonToken.VALUE_STRING) {
                    voice = p.getString();
                } else {
                    p.skipChildren();
                }
            }
            return voice;
        }

        private static void readStrings(JsonParser p, List<String> into) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                into.add(p.getString());
                return;
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    into.add(p.getString());
                } else {
                    p.skipChildren();
                }
            }
        }

        private static @Nullable RawJson number(JsonInput input, JsonParser p) {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                return input.capture(p);
            }
            p.skipChildren();
            return null;
        }

        private static @Nullable RawJson skip(JsonParser p) {
            p.skipChildren();
            return null;
        }

        private static void writeStrings(JsonGenerator g, String name, List<String> values) {
            g.writeArrayPropertyStart(name);
            for (String value : values) {
                g.writeString(value);
            }
            g.writeEndArray();
        }

        private static void writeRaw(JsonGenerator g, String name, @Nullable RawJson value) {
            if (value != null) {
                g.writeName(name);
                value.write(g);
            }
        }
    }
}
