package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Translates an Anthropic Messages request ({@code POST /v1/messages}) into an OpenAI chat completions request, for
 * models served by a provider that does not speak the Messages API. LiteLLM's adapter rules (provider spec, section
 * 2.2):
 *
 * <ul>
 *   <li>{@code system} (a string or text blocks) → a leading {@code system} message;
 *   <li>user blocks: {@code text} → text parts, {@code image}/{@code document} → {@code image_url} parts (a
 *       {@code data:} URL for base64 sources, the URL of a {@code url} source), {@code tool_result} → a {@code tool}
 *       message placed before the rest of that turn;
 *   <li>assistant blocks: text joined into {@code content}, {@code tool_use} → {@code tool_calls} (arguments as JSON
 *       text); {@code thinking} and {@code redacted_thinking} blocks → the message's {@code thinking_blocks}, their
 *       signatures kept, when the deployment reads them back (Bedrock's Converse takes them as reasoning content, so
 *       that Claude can go on with tool use after thinking), else left out: OpenAI refuses unknown message fields,
 *       and Gemini has its own signatures;
 *   <li>{@code cache_control} marks (on system, text, image and tool result blocks, tool uses and tools) are kept
 *       for Bedrock, whose Converse encoding makes them cache points, as LiteLLM keeps them for the providers that
 *       cache; other providers would refuse the unknown member;
 *   <li>tool names longer than 64 characters, in the tools, the tool choice and earlier tool calls, are shortened
 *       as LiteLLM shortens them ({@link ToolNames}); the answer's translation puts the client's names back;
 *   <li>{@code tools} → functions ({@code input_schema} → {@code parameters}); a web search tool →
 *       {@code web_search_options}; other hosted tools are left out; {@code tool_choice} {@code any|auto|none|tool} →
 *       {@code required|auto|none|function}, {@code disable_parallel_tool_use} → {@code parallel_tool_calls: false};
 *   <li>{@code stop_sequences} → {@code stop}; {@code max_tokens}, {@code temperature}, {@code top_p}, {@code top_k}
 *       copied; {@code metadata.user_id} → {@code user}; {@code thinking} → {@code reasoning_effort} by budget;
 *       {@code output_format} JSON schema → {@code response_format};
 *   <li>a stream asks for usage ({@code stream_options.include_usage}) so that the closing {@code message_delta}
 *       carries the token counts.
 * </ul>
 *
 * Anthropic-only members with no OpenAI counterpart ({@code container}, {@code mcp_servers}, {@code service_tier}...)
 * are not sent.
 *
 * <p>Thread-safety: stateless.
 */
public final class MessagesRequest {
    /** Budgets at or above these thinking budgets map to {@code high} and {@code medium} reasoning effort. */
    private static final long HIGH_EFFORT_BUDGET = 10_000;
    private static final long MEDIUM_EFFORT_BUDGET = 5_000;
    private static final String UNNAMED_TOOL = "litellm_unnamed_tool";

    private MessagesRequest() {
    }

    /**
     * Translates {@code body}.
     *
     * @param body the client's Anthropic request; not taken, indexes unchanged
     * @param bedrock whether the chat request goes on to Bedrock's Converse, which reads what other providers refuse:
     *     earlier assistant turns' thinking blocks (as {@code thinking_blocks}) and {@code cache_control} marks
     * @return the OpenAI chat request (its buffer owned by the caller; its {@code model} is the client's) and the tool
     *     names it shortened
     * @throws InvalidRequestException when the body is not an Anthropic request (not JSON, no {@code messages}
     *     array, a message that is not an object)
     */
    public static Chat translate(ByteBufAllocator alloc, ByteBuf body, boolean bedrock) {
        Map<String, @Nullable Object> request;
        try {
            request = JsonTree.object(JsonTree.read(body));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new InvalidRequestException("Invalid JSON in the request body", null);
        }
        if (request == null) {
            throw new InvalidRequestException("The request body must be a JSON object", null);
        }
        ToolNames.Builder names = new ToolNames.Builder();
        Map<String, @Nullable Object> chat = toChat(request, names, bedrock);
        return new Chat(JsonTree.encode(alloc, chat, body.readableBytes() + 128), names.build());
    }

    /**
     * The body of a {@code /v1/messages} request for Claude on Vertex AI ({@code :rawPredict}): as the client sent it,
     * without {@code model} (the URL names it) and with Vertex's {@code anthropic_version} unless the client gave one.
     *
     * @param body the client's Anthropic request; not taken, indexes unchanged
     * @param version the {@code anthropic_version} Vertex AI expects
     * @return the body to send, owned by the caller
     * @throws InvalidRequestException when the body is not a JSON object
     */
    public static ByteBuf forVertex(ByteBufAllocator alloc, ByteBuf body, String version) {
        Map<String, @Nullable Object> request;
        try {
            request = JsonTree.object(JsonTree.read(body));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new InvalidRequestException("Invalid JSON in the request body", null);
        }
        if (request == null) {
            throw new InvalidRequestException("The request body must be a JSON object", null);
        }
        request.remove("model");
        request.putIfAbsent("anthropic_version", version);
        return JsonTree.encode(alloc, request, body.readableBytes() + 48);
    }

    static Map<String, @Nullable Object> toChat(Map<String, @Nullable Object> request, ToolNames.Builder names,
            boolean bedrock) {
        Map<String, @Nullable Object> chat = new LinkedHashMap<>();
        if (request.containsKey("model")) {
            chat.put("model", request.get("model"));
        }
        List<@Nullable Object> messages = new ArrayList<>();
        addSystem(request.get("system"), messages, bedrock);
        List<@Nullable Object> turns = JsonTree.array(request.get("messages"));
        if (turns == null) {
            throw new InvalidRequestException("messages: an array of messages is required", "messages");
        }
        for (Object turn : turns) {
            addTurn(turn, messages, bedrock);
        }
        chat.put("messages", messages);
        copy(request, "max_tokens", chat, "max_tokens");
        copy(request, "temperature", chat, "temperature");
        copy(request, "top_p", chat, "top_p");
        copy(request, "top_k", chat, "top_k");
        copy(request, "stop_sequences", chat, "stop");
        Map<String, @Nullable Object> metadata = JsonTree.object(request.get("metadata"));
        if (metadata != null && metadata.get("user_id") instanceof String user) {
            chat.put("user", user);
        }
        addTools(request, chat, names, bedrock);
        addThinking(request.get("thinking"), chat);
        addOutputFormat(request, chat);
        if (Boolean.TRUE.equals(request.get("stream"))) {
            chat.put("stream", Boolean.TRUE);
            Map<String, @Nullable Object> options = new LinkedHashMap<>();
            options.put("include_usage", Boolean.TRUE);
            chat.put("stream_options", options);
        }
        return chat;
    }

    private static void copy(Map<String, @Nullable Object> from, String name, Map<String, @Nullable Object> to,
            String as) {
        if (present(from.get(name))) {
            to.put(as, from.get(name));
        }
    }

    private static void addSystem(@Nullable Object system, List<@Nullable Object> messages, boolean bedrock) {
        if (system instanceof String text) {
            messages.add(message("system", text));
            return;
        }
        List<@Nullable Object> blocks = JsonTree.array(system);
        if (blocks == null || blocks.isEmpty()) {
            return;
        }
        List<@Nullable Object> parts = new ArrayList<>();
        for (Object block : blocks) {
            Map<String, @Nullable Object> b = JsonTree.object(block);
            if (b != null && b.get("text") instanceof String text) {
                parts.add(marked(textPart(text), b, bedrock));
            }
        }
        messages.add(message("system", parts));
    }

    private static void addTurn(@Nullable Object turn, List<@Nullable Object> messages, boolean bedrock) {
        Map<String, @Nullable Object> t = JsonTree.object(turn);
        if (t == null || !(t.get("role") instanceof String role)) {
            throw new InvalidRequestException("messages: each message must be an object with a role", "messages");
        }
        Object content = t.get("content");
        if (content instanceof String text) {
            messages.add(message(role, text));
            return;
        }
        List<@Nullable Object> blocks = JsonTree.array(content);
        if (blocks == null) {
            throw new InvalidRequestException("messages: content must be a string or an array of content blocks",
                    "messages");
        }
        if ("assistant".equals(role)) {
            addAssistant(blocks, messages, bedrock);
        } else {
            addUser(role, blocks, messages, bedrock);
        }
    }

    private static void addUser(String role, List<@Nullable Object> blocks, List<@Nullable Object> messages,
            boolean bedrock) {
        List<@Nullable Object> parts = new ArrayList<>();
        for (Object block : blocks) {
            Map<String, @Nullable Object> b = JsonTree.object(block);
            if (b == null) {
                continue;
            }
            switch (String.valueOf(b.get("type"))) {
                case "text" -> {
                    if (b.get("text") instanceof String text) {
                        parts.add(marked(textPart(text), b, bedrock));
                    }
                }
                case "image", "document" -> {
                    Map<String, @Nullable Object> image = imagePart(b.get("source"));
                    if (image != null) {
                        parts.add(marked(image, b, bedrock));
                    }
                }
                case "tool_result" -> {
                    // LiteLLM places tool results before the rest of the turn: OpenAI wants them right after the
                    // assistant message that called the tools.
                    Map<String, @Nullable Object> tool = new LinkedHashMap<>();
                    tool.put("role", "tool");
                    tool.put("tool_call_id", b.get("tool_use_id"));
                    tool.put("content", toolResultContent(b.get("content")));
                    messages.add(marked(tool, b, bedrock));
                }
                default -> {
                    // Other blocks (server tool results, search results) have no chat counterpart.
                }
            }
        }
        if (!parts.isEmpty()) {
            messages.add(message(role, parts));
        }
    }

    private static @Nullable Object toolResultContent(@Nullable Object content) {
        if (!present(content)) {
            return "";
        }
        if (content instanceof String) {
            return content;
        }
        List<@Nullable Object> items = JsonTree.array(content);
        if (items == null) {
            return JsonTree.text(content);
        }
        List<@Nullable Object> parts = new ArrayList<>();
        for (Object item : items) {
            Map<String, @Nullable Object> b = JsonTree.object(item);
            if (b == null) {
                continue;
            }
            if (b.get("text") instanceof String text) {
                parts.add(textPart(text));
            } else if ("image".equals(b.get("type"))) {
                Map<String, @Nullable Object> image = imagePart(b.get("source"));
                if (image != null) {
                    parts.add(image);
                }
            }
        }
        if (parts.size() == 1) {
            Map<String, @Nullable Object> only = JsonTree.object(parts.get(0));
            if (only != null && only.get("text") instanceof String text) {
                return text;
            }
            Map<String, @Nullable Object> url = only == null ? null : JsonTree.object(only.get("image_url"));
            if (url != null) {
                return url.get("url");
            }
        }
        return parts.isEmpty() ? "" : parts;
    }

    private static @Nullable Map<String, @Nullable Object> imagePart(@Nullable Object source) {
        Map<String, @Nullable Object> s = JsonTree.object(source);
        if (s == null) {
            return null;
        }
        String url;
        if ("url".equals(s.get("type")) && s.get("url") instanceof String u) {
            url = u;
        } else if (s.get("data") instanceof String data) {
            Object mediaType = s.get("media_type");
            url = "data:" + (mediaType instanceof String m ? m : "application/octet-stream") + ";base64," + data;
        } else {
            return null;
        }
        Map<String, @Nullable Object> imageUrl = new LinkedHashMap<>();
        imageUrl.put("url", url);
        Map<String, @Nullable Object> part = new LinkedHashMap<>();
        part.put("type", "image_url");
        part.put("image_url", imageUrl);
        return part;
    }

    private static void addAssistant(List<@Nullable Object> blocks, List<@Nullable Object> messages,
            boolean bedrock) {
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        List<@Nullable Object> calls = new ArrayList<>();
        List<@Nullable Object> thinking = new ArrayList<>(0);
        @Nullable Object textMark = null;
        for (Object block : blocks) {
            Map<String, @Nullable Object> b = JsonTree.object(block);
            if (b == null) {
                continue;
            }
            Object type = b.get("type");
            if ("text".equals(type) && b.get("text") instanceof String t) {
                text.append(t);
                hasText = true;
                if (present(b.get("cache_control"))) {
                    textMark = b.get("cache_control");
                }
            } else if ("tool_use".equals(type)) {
                Map<String, @Nullable Object> function = new LinkedHashMap<>();
                function.put("name", ToolNames.shorten(toolName(b.get("name"), UNNAMED_TOOL)));
                Object input = b.get("input");
                function.put("arguments", JsonTree.text(present(input) ? input : new LinkedHashMap<>()));
                Map<String, @Nullable Object> call = new LinkedHashMap<>();
                call.put("id", b.get("id"));
                call.put("type", "function");
                call.put("function", function);
                calls.add(marked(call, b, bedrock));
            } else if (bedrock && ("thinking".equals(type) || "redacted_thinking".equals(type))) {
                thinking.add(thinkingBlock(b));
            }
        }
        Map<String, @Nullable Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", hasText || calls.isEmpty() ? text.toString() : null);
        if (!calls.isEmpty()) {
            message.put("tool_calls", calls);
        }
        if (!thinking.isEmpty()) {
            message.put("thinking_blocks", thinking);
        }
        if (bedrock && textMark != null && hasText) {
            // The text blocks are joined into one content string, so a mark on any of them marks the message.
            message.put("cache_control", textMark);
        }
        messages.add(message);
    }

    /** A thinking block as an OpenAI {@code thinking_blocks} entry: the same fields, signature or data kept. */
    private static Map<String, @Nullable Object> thinkingBlock(Map<String, @Nullable Object> block) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        if ("redacted_thinking".equals(block.get("type"))) {
            out.put("type", "redacted_thinking");
            out.put("data", block.get("data") instanceof String data ? data : "");
        } else {
            out.put("type", "thinking");
            out.put("thinking", block.get("thinking") instanceof String text ? text : "");
            out.put("signature", block.get("signature") instanceof String signature ? signature : "");
        }
        return out;
    }

    /** The tool's name, or LiteLLM's stand-in when it has none (OpenAI-shaped providers refuse an empty name). */
    private static String toolName(@Nullable Object name, String unnamed) {
        return name instanceof String s && !s.isBlank() ? s : unnamed;
    }

    private static void addTools(Map<String, @Nullable Object> request, Map<String, @Nullable Object> chat,
            ToolNames.Builder names, boolean bedrock) {
        List<@Nullable Object> tools = JsonTree.array(request.get("tools"));
        if (tools != null) {
            List<@Nullable Object> functions = new ArrayList<>();
            int position = -1;
            for (Object tool : tools) {
                position++;
                Map<String, @Nullable Object> t = JsonTree.object(tool);
                if (t == null) {
                    continue;
                }
                Object type = t.get("type");
                if (type instanceof String hosted && hosted.startsWith("web_search")) {
                    chat.put("web_search_options", new LinkedHashMap<String, @Nullable Object>());
                    continue;
                }
                if (present(type) && !"custom".equals(type) && !t.containsKey("input_schema")) {
                    // A hosted tool of Anthropic's (computer use, bash, text editor): no other provider runs it.
                    continue;
                }
                Map<String, @Nullable Object> function = new LinkedHashMap<>();
                function.put("name", names.add(toolName(t.get("name"), UNNAMED_TOOL + "_" + position)));
                if (present(t.get("description"))) {
                    function.put("description", t.get("description"));
                }
                Object schema = t.get("input_schema");
                function.put("parameters", present(schema) ? schema : emptySchema());
                Map<String, @Nullable Object> wrapped = new LinkedHashMap<>();
                wrapped.put("type", "function");
                wrapped.put("function", function);
                functions.add(marked(wrapped, t, bedrock));
            }
            if (!functions.isEmpty()) {
                chat.put("tools", functions);
            }
        }
        Map<String, @Nullable Object> choice = JsonTree.object(request.get("tool_choice"));
        if (choice == null) {
            return;
        }
        switch (String.valueOf(choice.get("type"))) {
            case "any" -> chat.put("tool_choice", "required");
            case "auto" -> chat.put("tool_choice", "auto");
            case "none" -> chat.put("tool_choice", "none");
            case "tool" -> {
                Map<String, @Nullable Object> function = new LinkedHashMap<>();
                function.put("name", choice.get("name") instanceof String name ? ToolNames.shorten(name) : null);
                Map<String, @Nullable Object> named = new LinkedHashMap<>();
                named.put("type", "function");
                named.put("function", function);
                chat.put("tool_choice", named);
            }
            default -> {
                // An unknown choice is left to the provider's default (auto).
            }
        }
        if (Boolean.TRUE.equals(choice.get("disable_parallel_tool_use")) && chat.containsKey("tools")) {
            chat.put("parallel_tool_calls", Boolean.FALSE);
        }
    }

    private static void addThinking(@Nullable Object thinking, Map<String, @Nullable Object> chat) {
        Map<String, @Nullable Object> t = JsonTree.object(thinking);
        if (t == null) {
            return;
        }
        Object type = t.get("type");
        if ("adaptive".equals(type)) {
            chat.put("reasoning_effort", "medium");
        } else if ("enabled".equals(type)) {
            long budget = t.get("budget_tokens") instanceof RawJson n ? JsonTree.number(n) : 0;
            chat.put("reasoning_effort", budget >= HIGH_EFFORT_BUDGET ? "high"
                    : budget >= MEDIUM_EFFORT_BUDGET ? "medium" : "low");
        }
    }

    private static void addOutputFormat(Map<String, @Nullable Object> request, Map<String, @Nullable Object> chat) {
        Map<String, @Nullable Object> format = JsonTree.object(request.get("output_format"));
        if (format == null) {
            Map<String, @Nullable Object> config = JsonTree.object(request.get("output_config"));
            format = config == null ? null : JsonTree.object(config.get("format"));
        }
        if (format == null || !"json_schema".equals(format.get("type")) || !present(format.get("schema"))) {
            return;
        }
        Map<String, @Nullable Object> schema = new LinkedHashMap<>();
        schema.put("name", "structured_output");
        schema.put("schema", format.get("schema"));
        Map<String, @Nullable Object> responseFormat = new LinkedHashMap<>();
        responseFormat.put("type", "json_schema");
        responseFormat.put("json_schema", schema);
        chat.put("response_format", responseFormat);
    }

    private static Map<String, @Nullable Object> emptySchema() {
        Map<String, @Nullable Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", new LinkedHashMap<String, @Nullable Object>());
        return schema;
    }

    private static Map<String, @Nullable Object> message(String role, @Nullable Object content) {
        Map<String, @Nullable Object> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return message;
    }

    /** {@code out} with the {@code cache_control} of {@code block}, when it has one and the target reads it. */
    private static Map<String, @Nullable Object> marked(Map<String, @Nullable Object> out,
            Map<String, @Nullable Object> block, boolean keep) {
        Object mark = block.get("cache_control");
        if (keep && present(mark)) {
            out.put("cache_control", mark);
        }
        return out;
    }

    /** Whether a member is there and not JSON {@code null}: Anthropic's clients send both for "none". */
    private static boolean present(@Nullable Object value) {
        return value != null && value != JsonTree.NULL;
    }

    private static Map<String, @Nullable Object> textPart(String text) {
        Map<String, @Nullable Object> part = new LinkedHashMap<>();
        part.put("type", "text");
        part.put("text", text);
        return part;
    }

    /**
     * A translated request.
     *
     * @param body the OpenAI chat request, owned by the caller
     * @param toolNames the tool names the translation shortened, for the answer's translation to put back
     */
    public record Chat(ByteBuf body, ToolNames toolNames) {
    }
}
