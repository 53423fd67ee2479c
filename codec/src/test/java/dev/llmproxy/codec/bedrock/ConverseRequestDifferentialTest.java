package dev.llmproxy.codec.bedrock;

import static dev.llmproxy.codec.testing.Json.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.testing.ChatRequests;
import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random OpenAI chat requests encoded by {@link ConverseRequestEncoder} and by a straightforward
 * reference written on plain JSON trees from the provider spec (section 5.3); the two Converse requests must be equal
 * as JSON. The web image URLs of the requests are given as downloaded.
 */
class ConverseRequestDifferentialTest {
    private static final String DOWNLOADED = "data:image/jpeg;base64,/9j/4AAQ";
    private static final Map<String, String> DOWNLOADS = Map.of("https://example.com/cat.jpg", DOWNLOADED);

    @Test
    void shouldEncodeAsTheReferenceWhenRequestsAreRandom() {
        Random random = new Random(5);
        for (int round = 0; round < 400; round++) {
            Map<String, Object> request = ChatRequests.random(random);
            String json = Json.write(request);

            Object fast = Json.parse(encode(json, true));
            Object reference = reference(Json.parseObject(json));

            assertThat(fast).as("round %d: %s", round, json).isEqualTo(reference);
            if ("none".equals(request.get("tool_choice"))) {
                assertThatThrownBy(() -> encode(json, false)).as("round %d", round)
                        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("['tool_choice']");
            }
        }
    }

    private static String encode(String json, boolean dropParams) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, json);
        try {
            return TestBuffers.drain(ConverseRequestEncoder.encode(TestBuffers.ALLOC, body, "m", dropParams, Set.of(),
                    DOWNLOADS));
        } finally {
            body.release();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference(Map<String, Object> request) {
        List<Object> system = new ArrayList<>();
        List<Map<String, Object>> turns = new ArrayList<>();
        int[] documents = {0};
        for (Object item : (List<Object>) request.get("messages")) {
            Map<String, Object> message = (Map<String, Object>) item;
            Object content = message.get("content");
            switch ((String) message.get("role")) {
                case "system", "developer" -> system.addAll(textBlocks(content));
                case "user" -> Json.addTurn(turns, "user", userBlocks(content, documents));
                case "assistant" -> {
                    List<Object> blocks = textBlocks(content);
                    for (Object call : (List<Object>) message.getOrDefault("tool_calls", List.of())) {
                        Map<String, Object> toolCall = (Map<String, Object>) call;
                        Map<String, Object> function = (Map<String, Object>) toolCall.get("function");
                        Object input = Json.objectOrEmpty((String) function.get("arguments"));
                        blocks.add(object("toolUse", object("toolUseId", toolCall.get("id"), "name",
                                function.get("name"), "input", input)));
                    }
                    Json.addTurn(turns, "assistant", blocks);
                }
                default -> {
                    List<Object> result = textBlocks(content);
                    if (result.isEmpty()) {
                        result.add(object("text", " "));
                    }
                    Json.addTurn(turns, "user", new ArrayList<>(List.of(object("toolResult",
                            object("toolUseId", message.get("tool_call_id"), "content", result)))));
                }
            }
        }
        Map<String, Object> out = object("messages", turns);
        if (!system.isEmpty()) {
            out.put("system", system);
        }
        Map<String, Object> inference = inferenceConfig(request);
        if (!inference.isEmpty()) {
            out.put("inferenceConfig", inference);
        }
        Map<String, Object> toolConfig = toolConfig(request);
        if (toolConfig != null) {
            out.put("toolConfig", toolConfig);
        }
        return out;
    }

    private static Map<String, Object> inferenceConfig(Map<String, Object> request) {
        Map<String, Object> config = object();
        Object max = request.containsKey("max_completion_tokens") ? request.get("max_completion_tokens")
                : request.get("max_tokens");
        if (max != null) {
            config.put("maxTokens", max);
        }
        if (request.containsKey("temperature")) {
            config.put("temperature", request.get("temperature"));
        }
        if (request.containsKey("top_p")) {
            config.put("topP", request.get("top_p"));
        }
        Object stop = request.get("stop");
        if (stop != null) {
            config.put("stopSequences", stop instanceof String ? List.of(stop) : stop);
        }
        return config;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toolConfig(Map<String, Object> request) {
        Object tools = request.get("tools");
        if (tools == null) {
            return null;
        }
        List<Object> specs = new ArrayList<>();
        for (Object tool : (List<Object>) tools) {
            Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) tool).get("function");
            Object description = function.get("description");
            specs.add(object("toolSpec", object("name", function.get("name"),
                    "description", description == null || "".equals(description) ? function.get("name") : description,
                    "inputSchema", object("json", function.containsKey("parameters") ? function.get("parameters")
                            : object("type", "object", "properties", object())))));
        }
        Map<String, Object> config = object("tools", specs);
        Object choice = request.get("tool_choice");
        if ("auto".equals(choice)) {
            config.put("toolChoice", object("auto", object()));
        } else if ("required".equals(choice)) {
            config.put("toolChoice", object("any", object()));
        } else if (choice instanceof Map<?, ?> named) {
            config.put("toolChoice", object("tool", object("name",
                    ((Map<String, Object>) named.get("function")).get("name"))));
        }
        return config;
    }

    /** Text blocks of a string or of text parts, empty texts left out. */
    @SuppressWarnings("unchecked")
    private static List<Object> textBlocks(Object content) {
        List<Object> blocks = new ArrayList<>();
        if (content instanceof String s) {
            if (!s.isEmpty()) {
                blocks.add(object("text", s));
            }
        } else if (content instanceof List<?> parts) {
            for (Object part : parts) {
                String text = (String) ((Map<String, Object>) part).get("text");
                if (text != null && !text.isEmpty()) {
                    blocks.add(object("text", text));
                }
            }
        }
        return blocks;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> userBlocks(Object content, int[] documents) {
        if (!(content instanceof List<?> parts)) {
            return textBlocks(content);
        }
        List<Object> blocks = new ArrayList<>();
        for (Object item : parts) {
            Map<String, Object> part = (Map<String, Object>) item;
            switch ((String) part.get("type")) {
                case "image_url" -> {
                    String url = (String) ((Map<String, Object>) part.get("image_url")).get("url");
                    blocks.add(media(DOWNLOADS.getOrDefault(url, url), documents));
                }
                case "file" -> blocks.add(media((String) ((Map<String, Object>) part.get("file")).get("file_data"),
                        documents));
                default -> blocks.addAll(textBlocks(List.of(part)));
            }
        }
        return blocks;
    }

    private static Map<String, Object> media(String dataUrl, int[] documents) {
        int marker = dataUrl.indexOf(";base64,");
        String mediaType = dataUrl.substring(5, marker);
        String bytes = dataUrl.substring(marker + 8);
        if (mediaType.startsWith("image/")) {
            return object("image", object("format", mediaType.substring(6), "source", object("bytes", bytes)));
        }
        return object("document", object("format", "pdf", "name", "DocumentPDFmessages_" + documents[0]++,
                "source", object("bytes", bytes)));
    }

}
