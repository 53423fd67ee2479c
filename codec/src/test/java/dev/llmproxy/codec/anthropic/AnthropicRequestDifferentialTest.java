package dev.llmproxy.codec.anthropic;

import static dev.llmproxy.codec.testing.Json.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.ChatRequests;
import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random OpenAI chat requests encoded by {@link AnthropicRequestEncoder} and by a straightforward
 * reference written on plain JSON trees from the provider spec (sections 1.2 and 1.3); the two Anthropic requests
 * must be equal as JSON.
 */
class AnthropicRequestDifferentialTest {
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern PHONE = Pattern.compile("^\\+?[\\d\\s()-]{7,}$");

    @Test
    void shouldEncodeAsTheReferenceWhenRequestsAreRandom() {
        Random random = new Random(11);
        for (int round = 0; round < 400; round++) {
            Map<String, Object> request = ChatRequests.random(random);
            String json = Json.write(request);

            Object fast = Json.parse(encode(json));
            Object reference = reference(Json.parseObject(json));

            assertThat(fast).as("round %d: %s", round, json).isEqualTo(reference);
        }
    }

    private static String encode(String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            ByteBuf out = AnthropicRequestEncoder.encode(TestBuffers.ALLOC, body,
                    "\"claude-sonnet-4-5\"".getBytes(StandardCharsets.UTF_8));
            return TestBuffers.drain(out);
        } finally {
            body.release();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference(Map<String, Object> request) {
        Map<String, Object> out = object("model", "claude-sonnet-4-5");
        List<Object> system = new ArrayList<>();
        List<Map<String, Object>> turns = new ArrayList<>();
        for (Object item : (List<Object>) request.get("messages")) {
            Map<String, Object> message = (Map<String, Object>) item;
            String role = (String) message.get("role");
            Object content = message.get("content");
            switch (role) {
                case "system", "developer" -> system.addAll(textBlocks(content));
                case "user" -> Json.addTurn(turns, "user", userBlocks(content));
                case "assistant" -> {
                    List<Object> blocks = textBlocks(content);
                    for (Object call : (List<Object>) message.getOrDefault("tool_calls", List.of())) {
                        Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) call).get("function");
                        blocks.add(object("type", "tool_use", "id", ((Map<String, Object>) call).get("id"),
                                "name", function.get("name"),
                                "input", Json.objectOrEmpty((String) function.get("arguments"))));
                    }
                    Json.addTurn(turns, "assistant", blocks);
                }
                default -> {
                    Map<String, Object> result = object("type", "tool_result", "tool_use_id",
                            message.get("tool_call_id"));
                    result.put("content", content instanceof String ? content : textBlocks(content));
                    Json.addTurn(turns, "user", new ArrayList<>(List.of(result)));
                }
            }
        }
        trimFinalAssistantText(turns);
        out.put("messages", turns);
        if (!system.isEmpty()) {
            out.put("system", system);
        }
        Object max = request.containsKey("max_completion_tokens") ? request.get("max_completion_tokens")
                : request.getOrDefault("max_tokens", Json.number(AnthropicRequestEncoder.DEFAULT_MAX_TOKENS));
        out.put("max_tokens", max);
        for (String copied : List.of("temperature", "top_p", "stream")) {
            if (request.containsKey(copied)) {
                out.put(copied, request.get(copied));
            }
        }
        Object stop = request.get("stop");
        if (stop != null) {
            out.put("stop_sequences", stop instanceof String ? List.of(stop) : stop);
        }
        tools(request, out);
        Object user = request.get("user");
        if (user instanceof String id && !EMAIL.matcher(id).matches() && !PHONE.matcher(id).matches()) {
            out.put("metadata", object("user_id", id));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void tools(Map<String, Object> request, Map<String, Object> out) {
        Object tools = request.get("tools");
        if (tools != null) {
            List<Object> anthropic = new ArrayList<>();
            for (Object tool : (List<Object>) tools) {
                Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) tool).get("function");
                Map<String, Object> converted = object("name", function.get("name"));
                if (function.containsKey("description")) {
                    converted.put("description", function.get("description"));
                }
                converted.put("input_schema", function.containsKey("parameters") ? function.get("parameters")
                        : object("type", "object", "properties", object()));
                anthropic.add(converted);
            }
            out.put("tools", anthropic);
        }
        Object choice = request.get("tool_choice");
        Map<String, Object> converted = null;
        if (choice instanceof String s) {
            converted = object("type", switch (s) {
                case "required" -> "any";
                case "none" -> "none";
                default -> "auto";
            });
        } else if (choice instanceof Map<?, ?> map) {
            converted = object("type", "tool", "name", ((Map<String, Object>) map.get("function")).get("name"));
        }
        Object parallel = request.get("parallel_tool_calls");
        if (parallel instanceof Boolean p && (converted == null || !"none".equals(converted.get("type")))) {
            converted = converted != null ? converted : object("type", "auto");
            converted.put("disable_parallel_tool_use", !p);
        }
        if (converted != null) {
            out.put("tool_choice", converted);
        }
    }

    /** Text blocks of a string or of text parts, empty texts left out. */
    @SuppressWarnings("unchecked")
    private static List<Object> textBlocks(Object content) {
        List<Object> blocks = new ArrayList<>();
        if (content instanceof String s) {
            if (!s.isEmpty()) {
                blocks.add(object("type", "text", "text", s));
            }
        } else if (content instanceof List<?> parts) {
            for (Object part : parts) {
                String text = (String) ((Map<String, Object>) part).get("text");
                if (text != null && !text.isEmpty()) {
                    blocks.add(object("type", "text", "text", text));
                }
            }
        }
        return blocks;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> userBlocks(Object content) {
        if (!(content instanceof List<?> parts)) {
            return textBlocks(content);
        }
        List<Object> blocks = new ArrayList<>();
        for (Object item : parts) {
            Map<String, Object> part = (Map<String, Object>) item;
            switch ((String) part.get("type")) {
                case "image_url" -> blocks.add(media((String) ((Map<String, Object>) part.get("image_url")).get("url")));
                case "file" -> blocks.add(media((String) ((Map<String, Object>) part.get("file")).get("file_data")));
                default -> blocks.addAll(textBlocks(List.of(part)));
            }
        }
        return blocks;
    }

    private static Map<String, Object> media(String url) {
        if (url.startsWith("data:")) {
            int marker = url.indexOf(";base64,");
            String mediaType = url.substring(5, marker);
            return object("type", mediaType.equals("application/pdf") ? "document" : "image", "source",
                    object("type", "base64", "media_type", mediaType, "data", url.substring(marker + 8)));
        }
        return object("type", "image", "source", object("type", "url", "url", url));
    }

    /** Anthropic refuses a final assistant turn (a prefill) that ends in whitespace. */
    @SuppressWarnings("unchecked")
    private static void trimFinalAssistantText(List<Map<String, Object>> turns) {
        if (turns.isEmpty() || !turns.get(turns.size() - 1).get("role").equals("assistant")) {
            return;
        }
        List<Object> blocks = (List<Object>) turns.get(turns.size() - 1).get("content");
        Map<String, Object> last = (Map<String, Object>) blocks.get(blocks.size() - 1);
        if (!"text".equals(last.get("type"))) {
            return;
        }
        String trimmed = ((String) last.get("text")).stripTrailing();
        if (trimmed.isEmpty()) {
            blocks.remove(blocks.size() - 1);
        } else {
            last.put("text", trimmed);
        }
        if (blocks.isEmpty()) {
            turns.remove(turns.size() - 1);
        }
    }
}
