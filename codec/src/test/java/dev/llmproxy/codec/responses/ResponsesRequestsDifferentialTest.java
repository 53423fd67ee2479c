package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.testing.Json.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.ChatRequests;
import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the request direction of the Responses bridge: random Responses requests (string and item
 * inputs, message items in both forms with every role and part type, function calls in runs and their outputs,
 * reasoning items, instructions, function and web search tools, tool choices, text formats, reasoning, sampling
 * parameters, Responses-only fields and provider fields) translated by {@link ResponsesRequests} and by a
 * straightforward reference written here on plain JSON trees from the provider spec (section 8); the two chat
 * requests must be equal as JSON.
 */
class ResponsesRequestsDifferentialTest {
    private static final Set<String> LEFT_OUT = Set.of("metadata", "previous_response_id", "store", "include",
            "truncation", "background", "service_tier", "prompt_cache_key", "safety_identifier");

    @Test
    void shouldTranslateAsTheReferenceWhenRequestsAreRandom() {
        Random random = new Random(23);
        for (int round = 0; round < 600; round++) {
            String json = Json.write(randomRequest(random));

            Object fast = Json.parse(translate(json));
            Object reference = reference(Json.parseObject(json));

            assertThat(fast).as("round %d: %s", round, json).isEqualTo(reference);
        }
    }

    private static String translate(String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return TestBuffers.drain(ResponsesRequests.toChat(TestBuffers.ALLOC, body, List.of()));
        } finally {
            body.release();
        }
    }

    // ---- the reference ----

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference(Map<String, Object> request) {
        Map<String, Object> chat = object("model", request.get("model"));
        List<Object> messages = new ArrayList<>();
        if (request.get("instructions") instanceof String instructions) {
            messages.add(object("role", "system", "content", instructions));
        }
        Object input = request.get("input");
        List<Object> items = input instanceof String text
                ? List.of(object("role", "user", "content", text)) : (List<Object>) input;
        Map<String, Object> openCalls = null;
        for (Object element : items) {
            Map<String, Object> item = (Map<String, Object>) element;
            String type = (String) item.getOrDefault("type", "message");
            if (type.equals("function_call")) {
                Map<String, Object> call = object("id", item.get("call_id"), "type", "function", "function",
                        object("name", item.get("name"), "arguments",
                                item.get("arguments") instanceof String a ? a : "{}"));
                if (openCalls == null) {
                    openCalls = object("role", "assistant", "content", Json.NULL, "tool_calls", new ArrayList<>());
                    messages.add(openCalls);
                }
                ((List<Object>) openCalls.get("tool_calls")).add(call);
                continue;
            }
            if (type.equals("reasoning")) {
                continue;
            }
            openCalls = null;
            if (type.equals("function_call_output")) {
                Object output = item.get("output");
                StringBuilder text = new StringBuilder();
                if (output instanceof String s) {
                    text.append(s);
                } else {
                    for (Object part : (List<Object>) output) {
                        text.append(((Map<String, Object>) part).get("text"));
                    }
                }
                messages.add(object("role", "tool", "tool_call_id", item.get("call_id"), "content", text.toString()));
                continue;
            }
            String role = item.get("role").equals("developer") ? "system" : (String) item.get("role");
            Object content = item.get("content");
            messages.add(object("role", role, "content",
                    content instanceof String ? content : parts((List<Object>) content, role)));
        }
        chat.put("messages", messages);
        for (String[] copied : new String[][] {{"max_output_tokens", "max_tokens"}, {"temperature", "temperature"},
                {"top_p", "top_p"}, {"parallel_tool_calls", "parallel_tool_calls"}, {"user", "user"}}) {
            Object value = request.get(copied[0]);
            if (value != null && value != Json.NULL) {
                chat.put(copied[1], value);
            }
        }
        if (request.get("tools") instanceof List<?> tools) {
            List<Object> functions = new ArrayList<>();
            for (Object element : tools) {
                Map<String, Object> tool = (Map<String, Object>) element;
                if (tool.get("type").equals("function")) {
                    Map<String, Object> function = object("name", tool.get("name"));
                    for (String field : new String[] {"description", "parameters", "strict"}) {
                        if (tool.containsKey(field)) {
                            function.put(field, tool.get(field));
                        }
                    }
                    functions.add(object("type", "function", "function", function));
                } else {
                    chat.put("web_search_options", object());
                }
            }
            if (!functions.isEmpty()) {
                chat.put("tools", functions);
            }
        }
        Object choice = request.get("tool_choice");
        if (choice instanceof String) {
            chat.put("tool_choice", choice);
        } else if (choice instanceof Map<?, ?> named) {
            chat.put("tool_choice", "function".equals(named.get("type"))
                    ? object("type", "function", "function", object("name", named.get("name"))) : "required");
        }
        if (request.get("text") instanceof Map<?, ?> text && text.get("format") instanceof Map<?, ?> format
                && !"text".equals(format.get("type"))) {
            if ("json_schema".equals(format.get("type"))) {
                Map<String, Object> schema = object();
                for (String field : new String[] {"name", "description", "schema", "strict"}) {
                    if (format.containsKey(field)) {
                        schema.put(field, format.get(field));
                    }
                }
                chat.put("response_format", object("type", "json_schema", "json_schema", schema));
            } else {
                chat.put("response_format", object("type", format.get("type")));
            }
        }
        if (request.get("reasoning") instanceof Map<?, ?> reasoning && reasoning.get("effort") instanceof String effort) {
            chat.put("reasoning_effort", reasoning.containsKey("summary") ? reasoning : effort);
        }
        if (Boolean.TRUE.equals(request.get("stream"))) {
            chat.put("stream", true);
            chat.put("stream_options", object("include_usage", true));
        }
        for (Map.Entry<String, Object> field : request.entrySet()) {
            String name = field.getKey();
            if (!LEFT_OUT.contains(name) && !chat.containsKey(name) && !Set.of("model", "input", "instructions",
                    "max_output_tokens", "reasoning", "stream", "temperature", "text", "tool_choice", "tools",
                    "top_p", "user", "parallel_tool_calls").contains(name)) {
                chat.put(name, field.getValue());
            }
        }
        return chat;
    }

    @SuppressWarnings("unchecked")
    private static Object parts(List<Object> parts, String role) {
        List<Object> chat = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean textOnly = true;
        for (Object element : parts) {
            Map<String, Object> part = (Map<String, Object>) element;
            switch ((String) part.get("type")) {
                case "input_image" -> {
                    textOnly = false;
                    Map<String, Object> image = object("url", part.get("image_url"));
                    if (part.containsKey("detail")) {
                        image.put("detail", part.get("detail"));
                    }
                    chat.add(object("type", "image_url", "image_url", image));
                }
                case "refusal" -> {
                    text.append((String) part.get("refusal"));
                    chat.add(object("type", "text", "text", part.get("refusal")));
                }
                default -> {
                    text.append((String) part.get("text"));
                    chat.add(object("type", "text", "text", part.get("text")));
                }
            }
        }
        return textOnly && !role.equals("user") ? text.toString() : chat;
    }

    // ---- random requests ----

    private static Map<String, Object> randomRequest(Random random) {
        Map<String, Object> request = object("model", "claude");
        if (random.nextInt(4) == 0) {
            request.put("input", ChatRequests.text(random));
        } else {
            List<Object> items = new ArrayList<>();
            int calls = 0;
            for (int i = random.nextInt(7); i >= 0; i--) {
                switch (random.nextInt(7)) {
                    case 0, 1, 2 -> items.add(message(random));
                    case 3, 4 -> {
                        Map<String, Object> call = object("type", "function_call", "call_id", "call_" + calls++,
                                "name", "get_weather");
                        if (random.nextInt(4) > 0) {
                            call.put("arguments", random.nextBoolean() ? "{\"city\":\"Paris\"}" : "");
                        }
                        items.add(call);
                    }
                    case 5 -> items.add(object("type", "function_call_output", "call_id", "call_" + calls,
                            "output", random.nextBoolean() ? ChatRequests.text(random)
                                    : List.of(object("type", "input_text", "text", ChatRequests.text(random)),
                                            object("type", "input_text", "text", "!"))));
                    default -> items.add(object("type", "reasoning", "id", "rs_1", "summary", List.of()));
                }
            }
            request.put("input", items);
        }
        switch (random.nextInt(3)) {
            case 0 -> request.put("instructions", ChatRequests.text(random));
            case 1 -> request.put("instructions", Json.NULL);
            default -> { }
        }
        if (random.nextBoolean()) {
            List<Object> tools = new ArrayList<>();
            for (int i = random.nextInt(3); i >= 0; i--) {
                if (random.nextInt(4) == 0) {
                    tools.add(object("type", random.nextBoolean() ? "web_search" : "web_search_preview"));
                } else {
                    Map<String, Object> tool = object("type", "function", "name", "tool_" + i);
                    optional(random, tool, "description", ChatRequests.text(random));
                    optional(random, tool, "parameters", object("type", "object", "properties", object()));
                    optional(random, tool, "strict", random.nextBoolean());
                    tools.add(tool);
                }
            }
            request.put("tools", tools);
        }
        switch (random.nextInt(6)) {
            case 0 -> request.put("tool_choice", new String[] {"auto", "none", "required"}[random.nextInt(3)]);
            case 1 -> request.put("tool_choice", object("type", "function", "name", "tool_0"));
            case 2 -> request.put("tool_choice", object("type", new String[] {"required", "any", "tool",
                "allowed_tools"}[random.nextInt(4)]));
            default -> { }
        }
        switch (random.nextInt(5)) {
            case 0 -> request.put("text", object("format", object("type", "text")));
            case 1 -> request.put("text", object("format", object("type", "json_object")));
            case 2 -> request.put("text", object("format", object("type", "json_schema", "name", "answer",
                    "schema", object("type", "object"), "strict", true)));
            case 3 -> request.put("text", object("verbosity", "low"));
            default -> { }
        }
        switch (random.nextInt(4)) {
            case 0 -> request.put("reasoning", object("effort", "high"));
            case 1 -> request.put("reasoning", object("effort", "low", "summary", "auto"));
            case 2 -> request.put("reasoning", object("summary", "auto"));
            default -> { }
        }
        optional(random, request, "max_output_tokens", 1 + random.nextInt(4096));
        optional(random, request, "temperature", random.nextBoolean() ? new BigDecimal("0.2") : Json.NULL);
        optional(random, request, "top_p", new BigDecimal("0.9"));
        optional(random, request, "parallel_tool_calls", random.nextBoolean());
        optional(random, request, "user", "user-7");
        optional(random, request, "stream", random.nextBoolean());
        optional(random, request, "store", false);
        optional(random, request, "metadata", object("k", "v"));
        optional(random, request, "truncation", "auto");
        optional(random, request, "include", List.of("reasoning.encrypted_content"));
        optional(random, request, "top_k", 40);
        optional(random, request, "safety_identifier", "s");
        return request;
    }

    private static Map<String, Object> message(Random random) {
        String role = new String[] {"user", "assistant", "system", "developer"}[random.nextInt(4)];
        Map<String, Object> message = random.nextBoolean() ? object("type", "message", "role", role)
                : object("role", role);
        if (random.nextInt(3) == 0) {
            message.put("content", ChatRequests.text(random));
            return message;
        }
        List<Object> parts = new ArrayList<>();
        for (int i = random.nextInt(3); i >= 0; i--) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    Map<String, Object> image = object("type", "input_image", "image_url",
                            random.nextBoolean() ? "https://example.com/cat.png" : "data:image/png;base64,iVBO");
                    optional(random, image, "detail", "low");
                    parts.add(image);
                }
                case 1 -> parts.add(object("type", "refusal", "refusal", "No."));
                case 2 -> parts.add(object("type", "output_text", "text", ChatRequests.text(random)));
                default -> parts.add(object("type", "input_text", "text", ChatRequests.text(random)));
            }
        }
        message.put("content", parts);
        return message;
    }

    private static void optional(Random random, Map<String, Object> request, String name, Object value) {
        if (random.nextBoolean()) {
            request.put(name, value);
        }
    }
}
