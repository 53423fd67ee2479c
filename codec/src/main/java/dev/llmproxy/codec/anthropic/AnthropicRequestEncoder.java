package dev.llmproxy.codec.anthropic;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.json.DropParams;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * Encodes an OpenAI chat completions request as an Anthropic Messages request, following LiteLLM's rules (provider
 * spec, sections 1.2 and 1.3).
 *
 * <ul>
 *   <li>{@code messages} → {@code system} and alternating {@code messages} ({@link ChatMessages});
 *   <li>{@code max_completion_tokens} or {@code max_tokens} → {@code max_tokens}, else {@link #DEFAULT_MAX_TOKENS}
 *       (plus the thinking budget when thinking is on, so that the answer keeps its room);
 *   <li>{@code stop} → {@code stop_sequences}; {@code temperature}, {@code top_p}, {@code stream} copied;
 *   <li>{@code tools} (and legacy {@code functions}) → {@code {name, description, input_schema}}, tools already in
 *       Anthropic's shape (hosted tools, custom tools with {@code input_schema}) passed through; {@code tool_choice}
 *       {@code auto|required|none|{function}} → {@code auto|any|none|tool}; {@code parallel_tool_calls: false} →
 *       {@code disable_parallel_tool_use};
 *   <li>{@code response_format} {@code json_object|json_schema} → a forced {@code json_tool_call} tool whose input
 *       schema is the requested schema ({@link AnthropicResponses} turns its call back into content);
 *   <li>{@code reasoning_effort} → {@code thinking} with LiteLLM's budgets; {@code thinking} passed through;
 *   <li>{@code user} → {@code metadata.user_id} unless it looks like an e-mail address or a phone number;
 *   <li>OpenAI parameters Anthropic has no equivalent for ({@link #NOT_SENT}) are left out; any other parameter
 *       ({@code top_k}, {@code metadata}, Anthropic-only fields) is passed through as it is.
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
public final class AnthropicRequestEncoder {
    /** {@code max_tokens} when the client gave none: LiteLLM's {@code DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS}. */
    public static final int DEFAULT_MAX_TOKENS = 4096;
    /** The tool that carries a JSON-mode answer (LiteLLM's name, so that responses read the same). */
    public static final String JSON_TOOL_NAME = "json_tool_call";
    /** The {@code anthropic_version} Vertex AI expects in the body of a Claude request (LiteLLM's value). */
    public static final String VERTEX_VERSION = "vertex-2023-10-16";

    /** OpenAI parameters with no Anthropic equivalent, or consumed by the translation itself. */
    private static final Set<String> NOT_SENT = Set.of(
            "model", "messages", "max_tokens", "max_completion_tokens", "stop", "temperature", "top_p", "stream",
            "stream_options", "tools", "functions", "tool_choice", "function_call", "parallel_tool_calls",
            "response_format", "reasoning_effort", "thinking", "user", "metadata", "n", "presence_penalty",
            "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "service_tier", "store",
            "modalities", "audio", "prediction", "web_search_options", "verbosity", "safety_identifier",
            "prompt_cache_key", "extra_headers", "drop_params", "additional_drop_params", "allowed_openai_params");
    /**
     * The OpenAI parameters LiteLLM refuses for Anthropic without {@code drop_params} (those outside its supported
     * list; {@code n} only when it is not 1).
     */
    static final Set<String> UNSUPPORTED = Set.of("n", "presence_penalty", "frequency_penalty", "logit_bias",
            "logprobs", "top_logprobs", "seed", "modalities", "audio", "prediction");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern PHONE = Pattern.compile("^\\+?[\\d\\s()-]{7,}$");
    private static final String JSON_OBJECT_SCHEMA =
            "{\"type\":\"object\",\"additionalProperties\":true,\"properties\":{}}";
    private static final RawJson EMPTY_SCHEMA = new RawJson("{\"type\":\"object\",\"properties\":{}}");

    private AnthropicRequestEncoder() {
    }

    /**
     * Encodes {@code body}.
     *
     * @param body an OpenAI chat request that is valid JSON (the proxy's request scan checked it); not taken, indexes
     *     unchanged
     * @param modelJson the Anthropic model name as a JSON string literal, quotes included
     * @return the Anthropic request, a new buffer from {@code alloc} owned by the caller
     * @throws IllegalArgumentException if {@code body} is not valid JSON
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, byte[] modelJson) {
        requireNonNull(modelJson, "modelJson");
        return encodeWith(alloc, body, new String(modelJson, StandardCharsets.UTF_8), Drops.ALL);
    }

    /**
     * Encodes {@code body}, refusing OpenAI parameters Anthropic has no equivalent for ({@link #UNSUPPORTED}) with
     * LiteLLM's {@code UnsupportedParamsError} unless {@code drops} (or the request's own {@code drop_params}) says to
     * drop them, and leaving out the parameters {@code additional_drop_params} names.
     *
     * @param body as for {@link #encode(ByteBufAllocator, ByteBuf, byte[])}
     * @param modelJson the Anthropic model name as a JSON string literal, quotes included, or {@code null} for Claude
     *     on Vertex AI ({@code :rawPredict}), whose body names no model and carries
     *     {@code "anthropic_version": "vertex-2023-10-16"} instead (provider spec, section 4.4)
     * @return the request, a new buffer from {@code alloc} owned by the caller
     * @throws InvalidRequestException for an unsupported parameter when dropping is off
     * @throws IllegalArgumentException if {@code body} is not valid JSON
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, byte @Nullable [] modelJson, Drops drops) {
        Set<String> names = new HashSet<>(drops.additionalDropParams());
        boolean drop = DropParams.readRequest(body, names) || drops.dropParams();
        return encodeWith(alloc, body, modelJson == null ? null : new String(modelJson, StandardCharsets.UTF_8),
                new Drops(drop, names, drops.provider()));
    }

    private static ByteBuf encodeWith(ByteBufAllocator alloc, ByteBuf body, @Nullable String modelJson, Drops drops) {
        JsonInput input = JsonInput.of(body);
        Params params = new Params(drops);
        try (JsonParser p = input.parser()) {
            params.read(input, p);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("request body is not valid JSON", e);
        }
        if (!params.unsupported.isEmpty() && !drops.dropParams()) {
            String model = modelJson == null ? "" : modelJson.substring(1, Math.max(1, modelJson.length() - 1));
            throw InvalidRequestException.unsupportedParams(drops.provider(), params.unsupported, model);
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            params.write(g, modelJson);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /** The request's parameters, as read. */
    private static final class Params {
        private final Drops drops;
        final List<String> unsupported = new ArrayList<>(0);
        @Nullable ChatMessages messages;
        @Nullable RawJson maxTokens;
        @Nullable RawJson maxCompletionTokens;
        @Nullable RawJson temperature;
        @Nullable RawJson topP;
        @Nullable RawJson stream;
        final List<String> stop = new ArrayList<>(0);
        final List<Tool> tools = new ArrayList<>(0);
        @Nullable ToolChoice toolChoice;
        @Nullable Boolean parallelToolCalls;
        @Nullable RawJson jsonSchema;
        boolean jsonMode;
        @Nullable RawJson thinking;
        long thinkingBudget;
        @Nullable String reasoningEffort;
        @Nullable String user;
        @Nullable RawJson metadata;
        final List<String> otherNames = new ArrayList<>(0);
        final List<RawJson> otherValues = new ArrayList<>(0);

        Params(Drops drops) {
            this.drops = drops;
        }

        void read(JsonInput input, JsonParser p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL || drops.additionalDropParams().contains(name)) {
                    p.skipChildren();
                    continue;
                }
                switch (name) {
                    case "messages" -> messages = ChatMessages.read(input, p);
                    case "max_tokens" -> maxTokens = number(input, p);
                    case "max_completion_tokens" -> maxCompletionTokens = number(input, p);
                    case "temperature" -> temperature = number(input, p);
                    case "top_p" -> topP = number(input, p);
                    case "stream" -> stream = input.capture(p);
                    case "stop" -> readStop(p);
                    case "tools", "functions" -> Tool.readAll(input, p, tools);
                    case "tool_choice", "function_call" -> toolChoice = ToolChoice.read(p);
                    case "parallel_tool_calls" -> parallelToolCalls = value.isBoolean()
                            ? Boolean.valueOf(value == JsonToken.VALUE_TRUE) : null;
                    case "response_format" -> readResponseFormat(input, p);
                    case "thinking" -> readThinking(input, p);
                    case "reasoning_effort" -> reasoningEffort = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "user" -> user = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "metadata" -> metadata = input.capture(p);
                    default -> {
                        if (UNSUPPORTED.contains(name) && !(name.equals("n") && p.getValueAsInt(0) == 1)) {
                            unsupported.add(name);
                        }
                        if (NOT_SENT.contains(name)) {
                            p.skipChildren();
                        } else {
                            otherNames.add(name);
                            otherValues.add(input.capture(p));
                        }
                    }
                }
            }
        }

        void write(JsonGenerator g, @Nullable String modelJson) {
            g.writeStartObject();
            if (modelJson != null) {
                g.writeName("model");
                g.writeRawValue(modelJson);
            } else {
                g.writeStringProperty("anthropic_version", VERTEX_VERSION);
            }
            g.writeName("messages");
            if (messages != null) {
                messages.writeMessages(g);
            } else {
                g.writeStartArray();
                g.writeEndArray();
            }
            if (messages != null && messages.hasSystem()) {
                g.writeName("system");
                messages.writeSystem(g);
            }
            long budget = thinkingBudget();
            g.writeName("max_tokens");
            RawJson max = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
            if (max != null) {
                max.write(g);
            } else {
                g.writeNumber(DEFAULT_MAX_TOKENS + budget);
            }
            writeRaw(g, "temperature", temperature);
            writeRaw(g, "top_p", topP);
            writeRaw(g, "stream", stream);
            if (!stop.isEmpty()) {
                g.writeArrayPropertyStart("stop_sequences");
                for (String sequence : stop) {
                    g.writeString(sequence);
                }
                g.writeEndArray();
            }
            writeTools(g, budget > 0 || thinking != null);
            writeThinking(g, budget);
            writeMetadata(g);
            for (int i = 0; i < otherNames.size(); i++) {
                g.writeName(otherNames.get(i));
                otherValues.get(i).write(g);
            }
            g.writeEndObject();
        }

        private void writeTools(JsonGenerator g, boolean thinkingOn) {
            if (jsonMode) {
                tools.add(new Tool(null, JSON_TOOL_NAME, null,
                        jsonSchema != null ? jsonSchema : new RawJson(JSON_OBJECT_SCHEMA), null));
                if (!thinkingOn) {
                    toolChoice = new ToolChoice("tool", JSON_TOOL_NAME, null);
                }
            }
            if (!tools.isEmpty()) {
                g.writeArrayPropertyStart("tools");
                for (Tool tool : tools) {
                    tool.write(g, EMPTY_SCHEMA);
                }
                g.writeEndArray();
            }
            ToolChoice choice = toolChoice;
            if (parallelToolCalls != null && (choice == null || !choice.isNone())) {
                choice = (choice != null ? choice : new ToolChoice("auto", null, null))
                        .disableParallelToolUse(!parallelToolCalls);
            }
            if (choice != null) {
                g.writeName("tool_choice");
                choice.write(g);
            }
        }

        private void writeThinking(JsonGenerator g, long budget) {
            if (thinking != null) {
                g.writeName("thinking");
                thinking.write(g);
            } else if (budget > 0) {
                g.writeObjectPropertyStart("thinking");
                g.writeStringProperty("type", "enabled");
                g.writeNumberProperty("budget_tokens", budget);
                g.writeEndObject();
            }
        }

        private void writeMetadata(JsonGenerator g) {
            if (metadata != null) {
                g.writeName("metadata");
                metadata.write(g);
            } else if (user != null && !user.isEmpty() && !EMAIL.matcher(user).matches()
                    && !PHONE.matcher(user).matches()) {
                g.writeObjectPropertyStart("metadata");
                g.writeStringProperty("user_id", user);
                g.writeEndObject();
            }
        }

        /**
         * The thinking budget: the client's {@code thinking.budget_tokens}, else {@code reasoning_effort}'s budget
         * (LiteLLM: low 1024, medium 2048, high 4096; {@code minimal} is raised from LiteLLM's 128 to 1024, the least
         * Anthropic accepts), else 0.
         */
        private long thinkingBudget() {
            if (thinking != null) {
                return thinkingBudget;
            }
            if (reasoningEffort == null) {
                return 0;
            }
            return switch (reasoningEffort) {
                case "minimal", "low" -> 1024;
                case "medium" -> 2048;
                case "high" -> 4096;
                default -> 0;
            };
        }

        private void readStop(JsonParser p) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                stop.add(p.getString());
                return;
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    stop.add(p.getString());
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readResponseFormat(JsonInput input, JsonParser p) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            String type = "";
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                    type = p.getString();
                } else if (name.equals("json_schema") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String field = p.currentName();
                        JsonToken schema = p.nextToken();
                        if (field.equals("schema") && schema == JsonToken.START_OBJECT) {
                            jsonSchema = input.capture(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            jsonMode = type.equals("json_object") || type.equals("json_schema");
        }

        private void readThinking(JsonInput input, JsonParser p) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            int start = JsonInput.tokenStart(p);
            boolean enabled = false;
            long budget = 0;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                    enabled = p.getString().equals("enabled");
                } else if (name.equals("budget_tokens") && value == JsonToken.VALUE_NUMBER_INT) {
                    budget = Math.max(0, p.getValueAsLong(0));
                } else {
                    p.skipChildren();
                }
            }
            thinking = input.slice(start, JsonInput.tokenEnd(p));
            thinkingBudget = enabled ? budget : 0;
        }

        private static @Nullable RawJson number(JsonInput input, JsonParser p) {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                return input.capture(p);
            }
            p.skipChildren();
            return null;
        }

        private static void writeRaw(JsonGenerator g, String name, @Nullable RawJson value) {
            if (value != null) {
                g.writeName(name);
                value.write(g);
            }
        }
    }

    /**
     * What a deployment says about parameters Anthropic does not take.
     *
     * @param dropParams whether they are dropped rather than refused ({@code drop_params})
     * @param additionalDropParams parameters always left out ({@code additional_drop_params})
     * @param provider the provider name for the refusal ({@code anthropic}, {@code vertex_ai})
     */
    public record Drops(boolean dropParams, Set<String> additionalDropParams, String provider) {
        /** Drop every unsupported parameter silently. */
        public static final Drops ALL = new Drops(true, Set.of(), "anthropic");

        public Drops {
            additionalDropParams = Set.copyOf(additionalDropParams);
            requireNonNull(provider, "provider");
        }
    }
}
