package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.internal.JsonTree.map;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Translates a Responses API request into an OpenAI chat completions request, as LiteLLM does for providers without a
 * Responses API (provider spec, section 8):
 *
 * <ul>
 *   <li>{@code instructions} → a leading system message; a string {@code input} → one user message;
 *   <li>input items: {@code message} (and the short {@code {role, content}} form; parts {@code input_text} and
 *       {@code output_text} → text, {@code input_image} → {@code image_url}) → chat messages, {@code developer} →
 *       {@code system}; consecutive {@code function_call} items → one assistant message with {@code tool_calls};
 *       {@code function_call_output} → a {@code tool} message; {@code reasoning} items are left out;
 *   <li>function {@code tools} → chat function tools, {@code web_search}/{@code web_search_preview} →
 *       {@code web_search_options}; {@code tool_choice} strings as they are, {@code {type: function, name}} → the chat
 *       form, {@code {type: required|any|tool}} → {@code "required"};
 *   <li>{@code max_output_tokens} → {@code max_tokens}, {@code text.format} → {@code response_format},
 *       {@code reasoning.effort} → {@code reasoning_effort}; {@code temperature}, {@code top_p},
 *       {@code parallel_tool_calls}, {@code user}, {@code stream} copied; a stream asks for usage
 *       ({@code stream_options.include_usage}).
 * </ul>
 *
 * <p>Responses fields chat has no equivalent for ({@code store}, {@code include}, {@code truncation},
 * {@code metadata}, ...) are left out; any other field (a provider's own parameter) is passed through as it is, as
 * LiteLLM passes extra parameters on to the chat call. Thread-safety: stateless.
 */
public final class ResponsesRequests {
    /** The Responses API's own fields: translated above, or left out because chat has no equivalent. */
    private static final Set<String> RESPONSES_FIELDS = Set.of("model", "input", "instructions", "max_output_tokens",
            "metadata", "parallel_tool_calls", "previous_response_id", "reasoning", "stream", "stream_options",
            "temperature", "text", "tool_choice", "tools", "top_p", "user", "store", "include", "truncation",
            "background", "service_tier", "prompt_cache_key", "safety_identifier", "top_logprobs", "conversation",
            "prompt", "max_tool_calls");

    private ResponsesRequests() {
    }

    /**
     * Translates {@code body}.
     *
     * @param body a Responses request that is a valid JSON object (the proxy's request scan checked it); not taken,
     *     indexes unchanged
     * @param earlier the input and output items of the earlier turns ({@code previous_response_id} expanded by the
     *     caller), put before the request's own input; empty when there are none
     * @return the chat request, a new buffer from {@code alloc} owned by the caller
     * @throws InvalidRequestException when the request cannot be expressed as a chat request (an unknown input item,
     *     a hosted tool chat has no equivalent for, a malformed field)
     */
    public static ByteBuf toChat(ByteBufAllocator alloc, ByteBuf body, List<Object> earlier) {
        Object tree;
        try {
            tree = JsonTree.read(body);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("The request body is not valid JSON", null);
        }
        Map<String, Object> request = JsonTree.object(tree);
        if (request == null) {
            throw new InvalidRequestException("The request body must be a JSON object", null);
        }
        return JsonTree.encode(alloc, chatRequest(request, earlier));
    }

    /** The value of {@code previous_response_id} in {@code body}, or {@code null} (also for a body that is not JSON). */
    public static @Nullable String previousResponseId(ByteBuf body) {
        try {
            Map<String, Object> request = JsonTree.object(JsonTree.read(body));
            return request == null ? null : JsonTree.string(request.get("previous_response_id"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@code body} with its {@code previous_response_id} set to {@code id}: the provider's own id, when the client sent
     * the gateway's ({@link ManagedResponseIds}).
     *
     * @param body a Responses request that is a valid JSON object; not taken, indexes unchanged
     * @return a new buffer from {@code alloc} owned by the caller
     */
    public static ByteBuf withPreviousResponseId(ByteBufAllocator alloc, ByteBuf body, String id) {
        Map<String, Object> request = JsonTree.object(JsonTree.read(body));
        if (request == null) {
            throw new IllegalArgumentException("body: not a JSON object");
        }
        request.put("previous_response_id", id);
        return JsonTree.encode(alloc, request);
    }

    /**
     * The items of {@code body}'s {@code input} (a string becomes one user message item), for storing a turn.
     *
     * @throws InvalidRequestException when {@code input} is neither a string nor an array
     */
    static List<Object> inputItems(Map<String, Object> request) {
        Object input = request.get("input");
        if (input instanceof String text) {
            return List.of(map("type", "message", "role", "user", "content", text));
        }
        List<Object> items = JsonTree.array(input);
        if (items == null) {
            throw new InvalidRequestException("input must be a string or an array of input items", "input");
        }
        return items;
    }

    static Map<String, Object> chatRequest(Map<String, Object> request, List<Object> earlier) {
        Map<String, Object> chat = new LinkedHashMap<>();
        Object model = request.get("model");
        if (model != null) {
            chat.put("model", model);
        }
        List<Object> messages = new ArrayList<>();
        String instructions = JsonTree.string(request.get("instructions"));
        if (instructions != null) {
            messages.add(map("role", "system", "content", instructions));
        }
        Messages builder = new Messages(messages);
        for (Object item : earlier) {
            builder.add(item);
        }
        if (!request.containsKey("input")) {
            throw new InvalidRequestException("Missing required field: input", "input");
        }
        for (Object item : inputItems(request)) {
            builder.add(item);
        }
        chat.put("messages", messages);
        copyScalars(request, chat);
        Object tools = request.get("tools");
        if (tools != null && tools != JsonTree.NULL) {
            tools(tools, chat);
        }
        Object toolChoice = request.get("tool_choice");
        if (toolChoice != null && toolChoice != JsonTree.NULL) {
            chat.put("tool_choice", toolChoice(toolChoice));
        }
        Map<String, Object> text = JsonTree.object(request.get("text"));
        if (text != null) {
            Object format = responseFormat(JsonTree.object(text.get("format")));
            if (format != null) {
                chat.put("response_format", format);
            }
        }
        Map<String, Object> reasoning = JsonTree.object(request.get("reasoning"));
        if (reasoning != null && JsonTree.string(reasoning.get("effort")) != null) {
            Object summary = reasoning.get("summary");
            chat.put("reasoning_effort", summary != null && summary != JsonTree.NULL ? reasoning
                    : reasoning.get("effort"));
        }
        if (Boolean.TRUE.equals(request.get("stream"))) {
            chat.put("stream", Boolean.TRUE);
            chat.put("stream_options", map("include_usage", Boolean.TRUE));
        }
        for (Map.Entry<String, Object> field : request.entrySet()) {
            if (!RESPONSES_FIELDS.contains(field.getKey())) {
                chat.putIfAbsent(field.getKey(), field.getValue());
            }
        }
        return chat;
    }

    private static void copyScalars(Map<String, Object> request, Map<String, Object> chat) {
        Object max = request.get("max_output_tokens");
        if (max != null && max != JsonTree.NULL) {
            chat.put("max_tokens", max);
        }
        for (String name : new String[] {"temperature", "top_p", "parallel_tool_calls", "user"}) {
            Object value = request.get(name);
            if (value != null && value != JsonTree.NULL) {
                chat.put(name, value);
            }
        }
    }

    private static void tools(Object value, Map<String, Object> chat) {
        List<Object> tools = JsonTree.array(value);
        if (tools == null) {
            throw new InvalidRequestException("tools must be an array", "tools");
        }
        List<Object> functions = new ArrayList<>();
        for (Object element : tools) {
            Map<String, Object> tool = JsonTree.object(element);
            String type = tool == null ? null : JsonTree.string(tool.get("type"));
            if (tool == null || type == null) {
                throw new InvalidRequestException("each tool must be an object with a type", "tools");
            }
            switch (type) {
                case "function" -> {
                    String name = JsonTree.string(tool.get("name"));
                    if (name == null) {
                        throw new InvalidRequestException("a function tool needs a name", "tools");
                    }
                    Map<String, Object> function = map("name", name);
                    for (String field : new String[] {"description", "parameters", "strict"}) {
                        Object v = tool.get(field);
                        if (v != null && v != JsonTree.NULL) {
                            function.put(field, v);
                        }
                    }
                    functions.add(map("type", "function", "function", function));
                }
                case "web_search", "web_search_preview" -> chat.put("web_search_options", new LinkedHashMap<>());
                default -> throw new InvalidRequestException("The tool type '" + type
                        + "' is not supported for this model: only function and web_search tools are bridged to"
                        + " chat completions", "tools");
            }
        }
        if (!functions.isEmpty()) {
            chat.put("tools", functions);
        }
    }

    private static Object toolChoice(Object value) {
        if (value instanceof String) {
            return value;
        }
        Map<String, Object> choice = JsonTree.object(value);
        String type = choice == null ? null : JsonTree.string(choice.get("type"));
        if (choice == null || type == null) {
            throw new InvalidRequestException("tool_choice must be a string or an object with a type", "tool_choice");
        }
        if (type.equals("function")) {
            String name = JsonTree.string(choice.get("name"));
            if (name == null) {
                throw new InvalidRequestException("tool_choice of type function needs a name", "tool_choice");
            }
            return map("type", "function", "function", map("name", name));
        }
        return "required";
    }

    private static @Nullable Object responseFormat(@Nullable Map<String, Object> format) {
        String type = format == null ? null : JsonTree.string(format.get("type"));
        if (format == null || type == null || type.equals("text")) {
            return null;
        }
        if (type.equals("json_schema")) {
            Map<String, Object> schema = new LinkedHashMap<>();
            for (String field : new String[] {"name", "description", "schema", "strict"}) {
                Object v = format.get(field);
                if (v != null && v != JsonTree.NULL) {
                    schema.put(field, v);
                }
            }
            return map("type", "json_schema", "json_schema", schema);
        }
        return map("type", type);
    }

    /** Appends input items as chat messages; consecutive function calls become one assistant message. */
    private static final class Messages {
        private final List<Object> messages;
        private @Nullable List<Object> openToolCalls;

        Messages(List<Object> messages) {
            this.messages = messages;
        }

        void add(Object element) {
            Map<String, Object> item = JsonTree.object(element);
            if (item == null) {
                throw new InvalidRequestException("each input item must be an object", "input");
            }
            String type = JsonTree.string(item.get("type"));
            if (type == null && item.containsKey("role")) {
                type = "message";
            }
            if (type == null) {
                throw new InvalidRequestException("each input item needs a type", "input");
            }
            switch (type) {
                case "message" -> message(item);
                case "function_call" -> functionCall(item);
                case "function_call_output" -> functionOutput(item);
                case "reasoning" -> {
                    // Chat has no place for an earlier turn's reasoning; LiteLLM leaves it out too.
                }
                default -> throw new InvalidRequestException("The input item type '" + type
                        + "' is not supported for this model (bridged to chat completions)", "input");
            }
        }

        private void message(Map<String, Object> item) {
            openToolCalls = null;
            String role = JsonTree.string(item.get("role"));
            if (role == null) {
                throw new InvalidRequestException("a message item needs a role", "input");
            }
            if (role.equals("developer")) {
                role = "system";
            }
            Object content = item.get("content");
            if (content instanceof String) {
                messages.add(map("role", role, "content", content));
                return;
            }
            List<Object> parts = JsonTree.array(content);
            if (parts == null) {
                throw new InvalidRequestException("a message's content must be a string or an array of parts",
                        "input");
            }
            messages.add(map("role", role, "content", chatParts(parts, role)));
        }

        private static Object chatParts(List<Object> parts, String role) {
            List<Object> chat = new ArrayList<>(parts.size());
            StringBuilder text = new StringBuilder();
            boolean textOnly = true;
            for (Object element : parts) {
                Map<String, Object> part = JsonTree.object(element);
                String type = part == null ? null : JsonTree.string(part.get("type"));
                if (part == null || type == null) {
                    throw new InvalidRequestException("each content part must be an object with a type", "input");
                }
                switch (type) {
                    case "input_text", "output_text", "text" -> {
                        String value = JsonTree.string(part.get("text"));
                        if (value == null) {
                            throw new InvalidRequestException("a text part needs its text", "input");
                        }
                        text.append(value);
                        chat.add(map("type", "text", "text", value));
                    }
                    case "input_image" -> {
                        textOnly = false;
                        Object url = part.get("image_url");
                        if (!(url instanceof String)) {
                            throw new InvalidRequestException("an input_image part needs an image_url (file_id is not"
                                    + " supported for this model)", "input");
                        }
                        Map<String, Object> image = map("url", url);
                        Object detail = part.get("detail");
                        if (detail instanceof String) {
                            image.put("detail", detail);
                        }
                        chat.add(map("type", "image_url", "image_url", image));
                    }
                    case "refusal" -> {
                        String value = JsonTree.string(part.get("refusal"));
                        text.append(value == null ? "" : value);
                        chat.add(map("type", "text", "text", value == null ? "" : value));
                    }
                    default -> throw new InvalidRequestException("The content part type '" + type
                            + "' is not supported for this model (bridged to chat completions)", "input");
                }
            }
            // Assistant turns and system prompts read best as one string on every provider.
            return textOnly && !role.equals("user") ? text.toString() : chat;
        }

        private void functionCall(Map<String, Object> item) {
            String callId = JsonTree.string(item.get("call_id"));
            String name = JsonTree.string(item.get("name"));
            if (callId == null || name == null) {
                throw new InvalidRequestException("a function_call item needs call_id and name", "input");
            }
            Object arguments = item.get("arguments");
            Map<String, Object> call = map("id", callId, "type", "function", "function",
                    map("name", name, "arguments", arguments instanceof String ? arguments : "{}"));
            List<Object> calls = openToolCalls;
            if (calls == null) {
                calls = new ArrayList<>();
                openToolCalls = calls;
                messages.add(map("role", "assistant", "content", JsonTree.NULL, "tool_calls", calls));
            }
            calls.add(call);
        }

        private void functionOutput(Map<String, Object> item) {
            openToolCalls = null;
            String callId = JsonTree.string(item.get("call_id"));
            if (callId == null) {
                throw new InvalidRequestException("a function_call_output item needs a call_id", "input");
            }
            Object output = item.get("output");
            String content;
            if (output instanceof String s) {
                content = s;
            } else {
                List<Object> parts = JsonTree.array(output);
                StringBuilder text = new StringBuilder();
                if (parts != null) {
                    for (Object element : parts) {
                        Map<String, Object> part = JsonTree.object(element);
                        String value = part == null ? null : JsonTree.string(part.get("text"));
                        if (value != null) {
                            text.append(value);
                        }
                    }
                }
                content = text.toString();
            }
            messages.add(map("role", "tool", "tool_call_id", callId, "content", content));
        }
    }
}
