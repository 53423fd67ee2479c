package dev.llmproxy.codec.messages;

import static dev.llmproxy.codec.testing.Json.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.ChatRequests;
import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the request direction of {@code /v1/messages}: random Anthropic Messages requests (roles, text,
 * image and document blocks, tool uses and results, thinking blocks, system prompts as strings or blocks, tools with
 * long and missing names and hosted tools, tool choices, cache marks, sampling and thinking parameters) translated by
 * {@link MessagesRequest} and by a straightforward reference written here on plain JSON trees from the provider spec
 * (section 2.2); the two chat requests must be equal as JSON, for Bedrock (marks and thinking kept) and for the rest.
 */
class MessagesRequestDifferentialTest {
    private static final String[] TOOL_NAMES = {"get_weather", "lookup", "", "mcp__a_server_with_a_long_name__"
            + "and_a_tool_with_an_even_longer_name_than_that"};

    @Test
    void shouldTranslateAsTheReferenceWhenRequestsAreRandom() {
        Random random = new Random(11);
        for (int round = 0; round < 500; round++) {
            String json = Json.write(randomRequest(random));
            for (boolean bedrock : new boolean[] {false, true}) {
                Object fast = Json.parse(translate(json, bedrock));
                Object reference = reference(Json.parseObject(json), bedrock);

                assertThat(fast).as("round %d, bedrock %s: %s", round, bedrock, json).isEqualTo(reference);
            }
        }
    }

    private static String translate(String json, boolean bedrock) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return TestBuffers.drain(MessagesRequest.translate(TestBuffers.ALLOC, body, bedrock).body());
        } finally {
            body.release();
        }
    }

    // ---- the reference ----

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference(Map<String, Object> request, boolean bedrock) {
        Map<String, Object> chat = object();
        if (request.containsKey("model")) {
            chat.put("model", request.get("model"));
        }
        List<Object> messages = new ArrayList<>();
        Object system = request.get("system");
        if (system instanceof String text) {
            messages.add(object("role", "system", "content", text));
        } else if (system instanceof List<?> blocks && !blocks.isEmpty()) {
            List<Object> parts = new ArrayList<>();
            for (Object block : blocks) {
                Map<String, Object> b = (Map<String, Object>) block;
                if (b.get("text") instanceof String text) {
                    parts.add(mark(object("type", "text", "text", text), b, bedrock));
                }
            }
            messages.add(object("role", "system", "content", parts));
        }
        for (Object item : (List<Object>) request.get("messages")) {
            Map<String, Object> turn = (Map<String, Object>) item;
            String role = (String) turn.get("role");
            Object content = turn.get("content");
            if (content instanceof String text) {
                messages.add(object("role", role, "content", text));
            } else if (role.equals("assistant")) {
                messages.add(assistant((List<Object>) content, bedrock));
            } else {
                List<Object> parts = new ArrayList<>();
                for (Object block : (List<Object>) content) {
                    Map<String, Object> b = (Map<String, Object>) block;
                    switch ((String) b.get("type")) {
                        case "text" -> parts.add(mark(object("type", "text", "text", b.get("text")), b, bedrock));
                        case "image", "document" -> parts.add(mark(image(b.get("source")), b, bedrock));
                        case "tool_result" -> messages.add(mark(object("role", "tool", "tool_call_id",
                                b.get("tool_use_id"), "content", toolResult(b.get("content"))), b, bedrock));
                        default -> { }
                    }
                }
                if (!parts.isEmpty()) {
                    messages.add(object("role", role, "content", parts));
                }
            }
        }
        chat.put("messages", messages);
        for (String[] copied : new String[][] {{"max_tokens", "max_tokens"}, {"temperature", "temperature"},
                {"top_p", "top_p"}, {"top_k", "top_k"}, {"stop_sequences", "stop"}}) {
            if (request.containsKey(copied[0]) && request.get(copied[0]) != Json.NULL) {
                chat.put(copied[1], request.get(copied[0]));
            }
        }
        if (request.get("metadata") instanceof Map<?, ?> metadata && metadata.get("user_id") instanceof String user) {
            chat.put("user", user);
        }
        tools(request, chat, bedrock);
        if (request.get("thinking") instanceof Map<?, ?> thinking) {
            if ("adaptive".equals(thinking.get("type"))) {
                chat.put("reasoning_effort", "medium");
            } else if ("enabled".equals(thinking.get("type"))) {
                long budget = thinking.get("budget_tokens") instanceof BigDecimal n ? n.longValue() : 0;
                chat.put("reasoning_effort", budget >= 10_000 ? "high" : budget >= 5_000 ? "medium" : "low");
            }
        }
        if (request.get("output_format") instanceof Map<?, ?> format && "json_schema".equals(format.get("type"))
                && format.get("schema") != null) {
            chat.put("response_format", object("type", "json_schema", "json_schema",
                    object("name", "structured_output", "schema", format.get("schema"))));
        }
        if (Boolean.TRUE.equals(request.get("stream"))) {
            chat.put("stream", true);
            chat.put("stream_options", object("include_usage", true));
        }
        return chat;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> assistant(List<Object> blocks, boolean bedrock) {
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        Object textMark = null;
        List<Object> calls = new ArrayList<>();
        List<Object> thinking = new ArrayList<>();
        for (Object block : blocks) {
            Map<String, Object> b = (Map<String, Object>) block;
            switch ((String) b.get("type")) {
                case "text" -> {
                    text.append((String) b.get("text"));
                    hasText = true;
                    textMark = b.containsKey("cache_control") ? b.get("cache_control") : textMark;
                }
                case "tool_use" -> calls.add(mark(object("id", b.get("id"), "type", "function", "function",
                        object("name", shorten(name(b.get("name"), "litellm_unnamed_tool")),
                                "arguments", Json.write(b.get("input")))), b, bedrock));
                case "thinking" -> thinking.add(object("type", "thinking", "thinking", b.get("thinking"),
                        "signature", b.get("signature")));
                case "redacted_thinking" -> thinking.add(object("type", "redacted_thinking", "data", b.get("data")));
                default -> { }
            }
        }
        Map<String, Object> message = object("role", "assistant",
                "content", hasText || calls.isEmpty() ? text.toString() : Json.NULL);
        if (!calls.isEmpty()) {
            message.put("tool_calls", calls);
        }
        if (bedrock && !thinking.isEmpty()) {
            message.put("thinking_blocks", thinking);
        }
        if (bedrock && hasText && textMark != null) {
            message.put("cache_control", textMark);
        }
        return message;
    }

    @SuppressWarnings("unchecked")
    private static void tools(Map<String, Object> request, Map<String, Object> chat, boolean bedrock) {
        if (request.get("tools") instanceof List<?> tools) {
            List<Object> functions = new ArrayList<>();
            for (int i = 0; i < tools.size(); i++) {
                Map<String, Object> tool = (Map<String, Object>) tools.get(i);
                Object type = tool.get("type");
                if (type instanceof String t && t.startsWith("web_search")) {
                    chat.put("web_search_options", object());
                } else if (type == null || type.equals("custom") || tool.containsKey("input_schema")) {
                    Map<String, Object> function = object("name",
                            shorten(name(tool.get("name"), "litellm_unnamed_tool_" + i)));
                    if (tool.containsKey("description")) {
                        function.put("description", tool.get("description"));
                    }
                    function.put("parameters", tool.containsKey("input_schema") ? tool.get("input_schema")
                            : object("type", "object", "properties", object()));
                    functions.add(mark(object("type", "function", "function", function), tool, bedrock));
                }
            }
            if (!functions.isEmpty()) {
                chat.put("tools", functions);
            }
        }
        if (request.get("tool_choice") instanceof Map<?, ?> choice) {
            switch ((String) choice.get("type")) {
                case "any" -> chat.put("tool_choice", "required");
                case "auto" -> chat.put("tool_choice", "auto");
                case "none" -> chat.put("tool_choice", "none");
                case "tool" -> chat.put("tool_choice", object("type", "function", "function",
                        object("name", shorten((String) choice.get("name")))));
                default -> { }
            }
            if (Boolean.TRUE.equals(choice.get("disable_parallel_tool_use")) && chat.containsKey("tools")) {
                chat.put("parallel_tool_calls", false);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Object toolResult(Object content) {
        if (content == null || content == Json.NULL) {
            return "";
        }
        if (content instanceof String) {
            return content;
        }
        List<Object> parts = new ArrayList<>();
        for (Object item : (List<Object>) content) {
            Map<String, Object> b = (Map<String, Object>) item;
            if (b.get("text") instanceof String text) {
                parts.add(object("type", "text", "text", text));
            } else if ("image".equals(b.get("type"))) {
                parts.add(image(b.get("source")));
            }
        }
        if (parts.size() == 1) {
            Map<String, Object> only = (Map<String, Object>) parts.get(0);
            return only.containsKey("text") ? only.get("text") : ((Map<String, Object>) only.get("image_url")).get("url");
        }
        return parts.isEmpty() ? "" : parts;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> image(Object source) {
        Map<String, Object> s = (Map<String, Object>) source;
        String url = "url".equals(s.get("type")) ? (String) s.get("url")
                : "data:" + s.get("media_type") + ";base64," + s.get("data");
        return object("type", "image_url", "image_url", object("url", url));
    }

    private static Map<String, Object> mark(Map<String, Object> out, Map<String, Object> block, boolean bedrock) {
        if (bedrock && block.containsKey("cache_control")) {
            out.put("cache_control", block.get("cache_control"));
        }
        return out;
    }

    private static String name(Object name, String unnamed) {
        return name instanceof String s && !s.isBlank() ? s : unnamed;
    }

    /** LiteLLM's truncate_tool_name: the first 55 characters, "_", 8 hex digits of the name's SHA-256. */
    private static String shorten(String name) {
        if (name.codePointCount(0, name.length()) <= 64) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return name.substring(0, name.offsetByCodePoints(0, 55)) + "_"
                    + HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ---- random requests ----

    private static Map<String, Object> randomRequest(Random random) {
        Map<String, Object> request = object("model", "claude-sonnet-4-5", "max_tokens", 1 + random.nextInt(4096));
        switch (random.nextInt(3)) {
            case 0 -> request.put("system", ChatRequests.text(random));
            case 1 -> request.put("system", List.of(marked(random, object("type", "text", "text",
                    ChatRequests.text(random))), marked(random, object("type", "text", "text", "Be brief."))));
            default -> { }
        }
        List<Object> messages = new ArrayList<>();
        int turns = 1 + random.nextInt(6);
        for (int i = 0; i < turns; i++) {
            boolean user = i % 2 == 0;
            if (random.nextInt(4) == 0) {
                messages.add(object("role", user ? "user" : "assistant", "content", ChatRequests.text(random)));
            } else {
                messages.add(object("role", user ? "user" : "assistant",
                        "content", user ? userBlocks(random, i) : assistantBlocks(random, i)));
            }
        }
        request.put("messages", messages);
        if (random.nextBoolean()) {
            request.put("tools", tools(random));
        }
        switch (random.nextInt(6)) {
            case 0 -> request.put("tool_choice", object("type", "any"));
            case 1 -> request.put("tool_choice", object("type", "auto", "disable_parallel_tool_use", true));
            case 2 -> request.put("tool_choice", object("type", "none"));
            case 3 -> request.put("tool_choice", object("type", "tool",
                    "name", TOOL_NAMES[random.nextInt(TOOL_NAMES.length)]));
            default -> { }
        }
        optional(random, request, "temperature", new BigDecimal("0.7"));
        optional(random, request, "top_p", new BigDecimal("0.95"));
        optional(random, request, "top_k", 40);
        optional(random, request, "stop_sequences", List.of("END", "\n\nHuman:"));
        optional(random, request, "stream", random.nextBoolean());
        optional(random, request, "metadata", object("user_id", "user-" + random.nextInt(9)));
        switch (random.nextInt(5)) {
            case 0 -> request.put("thinking", object("type", "enabled", "budget_tokens",
                    new int[] {1024, 6000, 16000}[random.nextInt(3)]));
            case 1 -> request.put("thinking", object("type", "adaptive"));
            case 2 -> request.put("output_format", object("type", "json_schema", "schema",
                    object("type", "object", "properties", object("a", object("type", "string")))));
            default -> { }
        }
        return request;
    }

    private static List<Object> userBlocks(Random random, int turn) {
        List<Object> blocks = new ArrayList<>();
        if (turn > 0 && random.nextBoolean()) {
            Object content = switch (random.nextInt(4)) {
                case 0 -> ChatRequests.text(random);
                case 1 -> List.of(object("type", "text", "text", ChatRequests.text(random)));
                case 2 -> List.of(object("type", "text", "text", "a"), object("type", "image", "source",
                        object("type", "base64", "media_type", "image/png", "data", "iVBORw0KGgo=")));
                default -> List.of();
            };
            blocks.add(marked(random, object("type", "tool_result", "tool_use_id", "toolu_" + (turn - 1),
                    "content", content)));
        }
        for (int i = random.nextInt(3); i >= 0; i--) {
            switch (random.nextInt(4)) {
                case 0 -> blocks.add(marked(random, object("type", "image", "source", random.nextBoolean()
                        ? object("type", "base64", "media_type", "image/jpeg", "data", "/9j/4AAQ")
                        : object("type", "url", "url", "https://example.com/cat.jpg"))));
                case 1 -> blocks.add(marked(random, object("type", "document", "source",
                        object("type", "base64", "media_type", "application/pdf", "data", "JVBERi0x"))));
                default -> blocks.add(marked(random, object("type", "text", "text", ChatRequests.text(random))));
            }
        }
        return blocks;
    }

    private static List<Object> assistantBlocks(Random random, int turn) {
        List<Object> blocks = new ArrayList<>();
        if (random.nextInt(3) == 0) {
            blocks.add(random.nextBoolean() ? object("type", "thinking", "thinking", ChatRequests.text(random),
                    "signature", "sig" + turn) : object("type", "redacted_thinking", "data", "enc" + turn));
        }
        if (random.nextBoolean()) {
            blocks.add(marked(random, object("type", "text", "text", ChatRequests.text(random))));
        }
        if (random.nextBoolean()) {
            blocks.add(marked(random, object("type", "tool_use", "id", "toolu_" + turn,
                    "name", TOOL_NAMES[random.nextInt(TOOL_NAMES.length)],
                    "input", random.nextBoolean() ? object() : object("city", "Paris", "days", 3))));
        }
        return blocks;
    }

    private static List<Object> tools(Random random) {
        List<Object> tools = new ArrayList<>();
        for (int i = random.nextInt(4); i >= 0; i--) {
            switch (random.nextInt(6)) {
                case 0 -> tools.add(object("type", "web_search_20250305", "name", "web_search"));
                case 1 -> tools.add(object("type", "bash_20250124", "name", "bash"));
                default -> {
                    Map<String, Object> tool = object("name", TOOL_NAMES[random.nextInt(TOOL_NAMES.length)]);
                    if (random.nextBoolean()) {
                        tool.put("type", "custom");
                    }
                    if (random.nextBoolean()) {
                        tool.put("description", ChatRequests.text(random));
                    }
                    if (random.nextInt(4) > 0) {
                        tool.put("input_schema", object("type", "object", "properties",
                                object("city", object("type", "string"))));
                    }
                    tools.add(marked(random, tool));
                }
            }
        }
        return tools;
    }

    private static Map<String, Object> marked(Random random, Map<String, Object> block) {
        if (random.nextInt(4) == 0) {
            block.put("cache_control", random.nextBoolean() ? object("type", "ephemeral")
                    : object("type", "ephemeral", "ttl", "1h"));
        }
        return block;
    }

    private static void optional(Random random, Map<String, Object> request, String name, Object value) {
        if (random.nextBoolean()) {
            request.put(name, value);
        }
    }
}
