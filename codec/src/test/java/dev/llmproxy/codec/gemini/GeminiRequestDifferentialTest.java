package dev.llmproxy.codec.gemini;

import static dev.llmproxy.codec.testing.Json.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.testing.ChatRequests;
import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random OpenAI chat requests encoded by {@link GeminiRequestEncoder} and by a straightforward
 * reference written on plain JSON trees from the provider spec (sections 3.2 to 3.4); the two Gemini requests must be
 * equal as JSON, and a request the reference refuses (a tool result answering no earlier call, {@code
 * parallel_tool_calls: false} with several functions) must be refused with a 400.
 */
class GeminiRequestDifferentialTest {
    private static final GeminiRequestOptions OPTIONS =
            new GeminiRequestOptions("gemini", "gemini-2.5-flash", false, Set.of());

    @Test
    void shouldEncodeAsTheReferenceWhenRequestsAreRandom() {
        Random random = new Random(12);
        int refused = 0;
        for (int round = 0; round < 300; round++) {
            String json = Json.write(ChatRequests.random(random));

            Object reference = reference(Json.parseObject(json));
            Object fast = encode(json);

            assertThat(fast).as("round %d: %s", round, json).isEqualTo(reference);
            refused += reference instanceof Refused ? 1 : 0;
        }
        assertThat(refused).as("refused requests").isBetween(10, 100);
    }

    /** A request the translation refuses. */
    private record Refused() {
    }

    private static Object encode(String json) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return Json.parse(TestBuffers.drain(GeminiRequestEncoder.encodeChat(TestBuffers.ALLOC, body, OPTIONS)));
        } catch (InvalidRequestException e) {
            return new Refused();
        } finally {
            body.release();
        }
    }

    @SuppressWarnings("unchecked")
    private static Object reference(Map<String, Object> request) {
        Map<String, Object> out = object();
        List<Object> system = new ArrayList<>();
        List<Map<String, Object>> contents = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        for (Object item : (List<Object>) request.get("messages")) {
            Map<String, Object> message = (Map<String, Object>) item;
            Object content = message.get("content");
            switch ((String) message.get("role")) {
                case "system", "developer" -> system.addAll(textParts(content));
                case "user" -> addContent(contents, "user", false, userParts(content));
                case "assistant" -> {
                    List<Object> parts = textParts(content);
                    for (Object call : (List<Object>) message.getOrDefault("tool_calls", List.of())) {
                        Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) call).get("function");
                        callNames.put((String) ((Map<String, Object>) call).get("id"), (String) function.get("name"));
                        parts.add(object("functionCall", object("name", function.get("name"),
                                "args", args((String) function.get("arguments")))));
                    }
                    addContent(contents, "model", false, parts);
                }
                default -> {
                    String name = callNames.get((String) message.get("tool_call_id"));
                    if (name == null) {
                        return new Refused();
                    }
                    StringBuilder text = new StringBuilder();
                    for (Object part : textParts(content)) {
                        text.append(((Map<String, Object>) part).get("text"));
                    }
                    addContent(contents, "user", true, new ArrayList<>(List.of(object("functionResponse",
                            object("name", name, "response", object("content", text.toString()))))));
                }
            }
        }
        for (Map<String, Object> c : contents) {
            c.remove("tool");
            if (((List<Object>) c.get("parts")).isEmpty()) {
                ((List<Object>) c.get("parts")).add(object("text", " "));
            }
        }
        out.put("contents", contents);
        if (!system.isEmpty()) {
            out.put("systemInstruction", object("parts", system));
        }
        List<Object> tools = (List<Object>) request.get("tools");
        if (tools != null) {
            if (Boolean.FALSE.equals(request.get("parallel_tool_calls")) && tools.size() > 1) {
                return new Refused();
            }
            List<Object> declarations = new ArrayList<>();
            for (Object tool : tools) {
                Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) tool).get("function");
                declarations.add(new HashMap<>(function));
            }
            out.put("tools", List.of(object("functionDeclarations", declarations)));
        }
        Object choice = request.get("tool_choice");
        if (choice != null) {
            Map<String, Object> config = object("mode", switch (choice instanceof String s ? s : "function") {
                case "none" -> "NONE";
                case "auto" -> "AUTO";
                default -> "ANY";
            });
            if (choice instanceof Map<?, ?> map) {
                config.put("allowedFunctionNames", List.of(((Map<String, Object>) map.get("function")).get("name")));
            }
            out.put("toolConfig", object("functionCallingConfig", config));
        }
        Map<String, Object> generation = object();
        copy(request, "temperature", generation, "temperature");
        copy(request, "top_p", generation, "topP");
        copy(request, "max_tokens", generation, "maxOutputTokens");
        copy(request, "max_completion_tokens", generation, "maxOutputTokens");
        Object stop = request.get("stop");
        if (stop != null) {
            generation.put("stopSequences", stop instanceof String ? List.of(stop) : stop);
        }
        if (!generation.isEmpty()) {
            out.put("generationConfig", generation);
        }
        return out;
    }

    private static void copy(Map<String, Object> from, String name, Map<String, Object> to, String as) {
        if (from.containsKey(name)) {
            to.put(as, from.get(name));
        }
    }

    /** Text parts of a string or of text parts, empty texts left out. */
    @SuppressWarnings("unchecked")
    private static List<Object> textParts(Object content) {
        List<Object> parts = new ArrayList<>();
        if (content instanceof String s) {
            if (!s.isEmpty()) {
                parts.add(object("text", s));
            }
        } else if (content instanceof List<?> list) {
            for (Object part : list) {
                Object text = ((Map<String, Object>) part).get("text");
                if (text instanceof String s && !s.isEmpty()) {
                    parts.add(object("text", s));
                }
            }
        }
        return parts;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> userParts(Object content) {
        if (!(content instanceof List<?> list)) {
            return textParts(content);
        }
        List<Object> parts = new ArrayList<>();
        for (Object item : list) {
            Map<String, Object> part = (Map<String, Object>) item;
            switch ((String) part.get("type")) {
                case "image_url" -> parts.add(media((String) ((Map<String, Object>) part.get("image_url")).get("url")));
                case "file" -> parts.add(media((String) ((Map<String, Object>) part.get("file")).get("file_data")));
                default -> parts.addAll(textParts(List.of(part)));
            }
        }
        return parts;
    }

    private static Map<String, Object> media(String url) {
        if (url.startsWith("data:")) {
            int marker = url.indexOf(";base64,");
            return object("inlineData", object("mimeType", url.substring(5, marker), "data",
                    url.substring(marker + 8)));
        }
        return object("fileData", object("mimeType", url.endsWith(".pdf") ? "application/pdf" : "image/jpeg",
                "fileUri", url));
    }

    private static Object args(String arguments) {
        try {
            Object parsed = Json.parse(arguments);
            return parsed instanceof Map ? parsed : object();
        } catch (RuntimeException e) {
            return object();
        }
    }

    /**
     * Appends to the last content when it is of the same kind (user messages, model messages and tool results each
     * merge only with their own kind), else starts a new one.
     */
    @SuppressWarnings("unchecked")
    private static void addContent(List<Map<String, Object>> contents, String role, boolean tool, List<Object> parts) {
        Map<String, Object> last = contents.isEmpty() ? null : contents.get(contents.size() - 1);
        if (last != null && last.get("role").equals(role) && last.get("tool").equals(tool)) {
            ((List<Object>) last.get("parts")).addAll(parts);
        } else {
            contents.add(object("role", role, "tool", tool, "parts", new ArrayList<>(parts)));
        }
    }
}
