package dev.llmproxy.codec.testing;

import static dev.llmproxy.codec.testing.Json.object;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random but valid OpenAI chat completion requests, as plain {@link Json} trees, for differential tests of the request
 * encoders: system and developer messages, user text and media parts ({@code data:} URLs of images and PDFs, web
 * URLs), assistant text and tool calls (arguments that are objects, empty or cut), tool results, and the sampling
 * and tool parameters. Texts mix odd characters (quotes, escapes, emoji, line separators) and whitespace-only pieces.
 */
public final class ChatRequests {
    private static final String[] WORDS = {"Hello", " world", "é", "\"quoted\"", "\\", "\n", "😀", " {x}", "\t",
        "</s>", "a\u2028b", " the", "  "};
    private static final String[] TOOLS = {"get_weather", "lookup", "run_sql"};

    private ChatRequests() {
    }

    /** A random chat request with {@code model} set. */
    public static Map<String, Object> random(Random random) {
        Map<String, Object> request = object("model", "gpt-4o");
        List<Object> messages = new ArrayList<>();
        int count = 1 + random.nextInt(8);
        int calls = 0;
        for (int i = 0; i < count; i++) {
            // A tool result before any tool call is rare, so that most requests are valid for every provider.
            int kind = random.nextInt(6);
            switch (kind >= 4 && calls == 0 && random.nextInt(6) > 0 ? 1 : kind) {
                case 0 -> messages.add(object("role", random.nextBoolean() ? "system" : "developer",
                        "content", random.nextBoolean() ? text(random) : textParts(random)));
                case 1, 2 -> messages.add(object("role", "user", "content", userContent(random)));
                case 3 -> {
                    Map<String, Object> assistant = object("role", "assistant");
                    int r = random.nextInt(3);
                    assistant.put("content", r == 0 ? Json.NULL : r == 1 ? text(random) : textParts(random));
                    if (random.nextBoolean()) {
                        List<Object> toolCalls = new ArrayList<>();
                        for (int c = 0; c <= random.nextInt(2); c++) {
                            toolCalls.add(object("id", "call_" + calls++, "type", "function", "function",
                                    object("name", TOOLS[random.nextInt(TOOLS.length)],
                                            "arguments", arguments(random))));
                        }
                        assistant.put("tool_calls", toolCalls);
                    }
                    messages.add(assistant);
                }
                default -> messages.add(object("role", "tool", "tool_call_id",
                        "call_" + (calls > 0 && random.nextInt(12) > 0 ? random.nextInt(calls) : calls + 1),
                        "content", random.nextInt(3) == 0 ? textParts(random) : text(random)));
            }
        }
        request.put("messages", messages);
        params(random, request);
        return request;
    }

    private static void params(Random random, Map<String, Object> request) {
        if (random.nextBoolean()) {
            request.put(random.nextBoolean() ? "max_tokens" : "max_completion_tokens", Json.number(1 + random.nextInt(9000)));
        }
        if (random.nextBoolean()) {
            request.put("temperature", new BigDecimal(random.nextInt(21)).movePointLeft(1));
        }
        if (random.nextInt(3) == 0) {
            request.put("top_p", new BigDecimal(1 + random.nextInt(10)).movePointLeft(1));
        }
        if (random.nextInt(3) == 0) {
            request.put("stop", random.nextBoolean() ? "END" : List.of("END", "\n\n"));
        }
        if (random.nextInt(3) == 0) {
            request.put("stream", random.nextBoolean());
        }
        if (random.nextInt(3) == 0) {
            String[] users = {"user-7", "someone@example.com", "+1 (555) 010-9999"};
            request.put("user", users[random.nextInt(users.length)]);
        }
        if (random.nextBoolean()) {
            List<Object> tools = new ArrayList<>();
            for (int t = 0; t <= random.nextInt(3); t++) {
                Map<String, Object> function = object("name", TOOLS[t]);
                if (random.nextBoolean()) {
                    function.put("description", text(random));
                }
                if (random.nextBoolean()) {
                    function.put("parameters", object("type", "object", "properties",
                            object("city", object("type", "string")), "required", List.of("city")));
                }
                tools.add(object("type", "function", "function", function));
            }
            request.put("tools", tools);
            switch (random.nextInt(5)) {
                case 0 -> request.put("tool_choice", "auto");
                case 1 -> request.put("tool_choice", "required");
                case 2 -> request.put("tool_choice", "none");
                case 3 -> request.put("tool_choice", object("type", "function", "function", object("name", TOOLS[0])));
                default -> {
                }
            }
            if (random.nextInt(3) == 0) {
                request.put("parallel_tool_calls", random.nextBoolean());
            }
        }
    }

    /** A user's content: a string, or text and media parts. */
    private static Object userContent(Random random) {
        if (random.nextBoolean()) {
            return text(random);
        }
        List<Object> parts = new ArrayList<>();
        for (int i = 0; i <= random.nextInt(3); i++) {
            switch (random.nextInt(4)) {
                case 0 -> parts.add(object("type", "image_url", "image_url",
                        object("url", "data:image/png;base64,iVBORw0KGgo=")));
                case 1 -> parts.add(object("type", "image_url", "image_url",
                        object("url", "https://example.com/cat.jpg")));
                case 2 -> parts.add(object("type", "file", "file",
                        object("file_data", "data:application/pdf;base64,JVBERi0=")));
                default -> parts.add(object("type", "text", "text", text(random)));
            }
        }
        return parts;
    }

    private static List<Object> textParts(Random random) {
        List<Object> parts = new ArrayList<>();
        for (int i = 0; i <= random.nextInt(2); i++) {
            parts.add(object("type", "text", "text", text(random)));
        }
        return parts;
    }

    private static String arguments(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> "{\"city\":\"Par";
            default -> Json.write(object("city", text(random), "days", Json.number(random.nextInt(7))));
        };
    }

    /** A text of up to four pieces, possibly empty or whitespace only. */
    public static String text(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(5); i > 0; i--) {
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }
}
