package dev.llmproxy.codec.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.RandomText;
import dev.llmproxy.codec.testing.TrackingAllocator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Differential test of {@link MessagesStream}: random OpenAI answers (thinking, text, tool calls with long names the
 * request shortened, cached prompt tokens) streamed as OpenAI chunks cut at random places, translated into Anthropic's
 * stream, and read back as an Anthropic SDK reads it, must give what a straightforward reference written from the
 * provider spec (sections 2.3 and 2.4) says the message is: thinking, then text, then one {@code tool_use} per call
 * with the client's name and parsed input; the stop reason mapped; the usage with cache reads and writes apart.
 */
class MessagesStreamDifferentialTest {
    private static final String[] FINISH = {"stop", "length", "tool_calls", "content_filter"};

    @Test
    void shouldReadBackReferenceMessageWhenOpenAiStreamsAreRandom() {
        Random random = new Random(5);
        TrackingAllocator alloc = new TrackingAllocator();
        for (int round = 0; round < 200; round++) {
            ToolNames.Builder names = new ToolNames.Builder();
            Answer answer = Answer.random(random, names);
            String stream = answer.chunks(random);

            Map<String, Object> read = read(MessagesStreamTest.run(alloc, stream, random.nextInt(stream.length() + 1),
                    names.build()).output());

            assertThat(read).as("round %d: %s", round, stream).isEqualTo(reference(answer));
        }
        alloc.assertAllReleased("messages streams");
    }

    /** The message the spec gives for {@code answer}. */
    private static Map<String, Object> reference(Answer answer) {
        List<Object> content = new ArrayList<>();
        if (!answer.reasoning.isEmpty()) {
            content.add(Json.object("type", "thinking", "thinking", answer.reasoning, "signature", ""));
        }
        if (!answer.text.isEmpty()) {
            content.add(Json.object("type", "text", "text", answer.text));
        }
        for (Call call : answer.calls) {
            content.add(Json.object("type", "tool_use", "id", call.id, "name", call.clientName, "input",
                    Json.parse(call.arguments)));
        }
        String stopReason = switch (answer.finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
        Map<String, Object> usage = Json.object("input_tokens",
                Json.number(answer.prompt - answer.cacheRead - answer.cacheCreation),
                "output_tokens", Json.number(answer.completion));
        if (answer.cacheCreation > 0) {
            usage.put("cache_creation_input_tokens", Json.number(answer.cacheCreation));
        }
        if (answer.cacheRead > 0) {
            usage.put("cache_read_input_tokens", Json.number(answer.cacheRead));
        }
        return Json.object("content", content, "stop_reason", stopReason, "usage", usage);
    }

    /** Reads Anthropic events as the SDK's stream accumulator does, checking their order on the way. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(String events) {
        List<Object> content = new ArrayList<>();
        List<String> types = new ArrayList<>();
        Map<String, Object> message = Json.object();
        StringBuilder[] open = {null};
        for (String event : events.split("\n\n")) {
            String[] lines = event.split("\n", 2);
            String type = lines[0].substring("event: ".length());
            Map<String, Object> data = Json.parseObject(lines[1].substring("data: ".length()));
            assertThat(data.get("type")).isEqualTo(type);
            types.add(type);
            switch (type) {
                case "content_block_start" -> {
                    assertThat(((BigDecimal) data.get("index")).intValueExact()).isEqualTo(content.size());
                    content.add(data.get("content_block"));
                    open[0] = new StringBuilder();
                }
                case "content_block_delta" -> {
                    Map<String, Object> block = (Map<String, Object>) content.get(content.size() - 1);
                    Map<String, Object> delta = (Map<String, Object>) data.get("delta");
                    switch ((String) delta.get("type")) {
                        case "text_delta" -> block.put("text", block.get("text") + (String) delta.get("text"));
                        case "thinking_delta" -> block.put("thinking",
                                block.get("thinking") + (String) delta.get("thinking"));
                        case "input_json_delta" -> open[0].append((String) delta.get("partial_json"));
                        default -> throw new AssertionError("delta " + delta);
                    }
                }
                case "content_block_stop" -> {
                    Map<String, Object> block = (Map<String, Object>) content.get(content.size() - 1);
                    if ("tool_use".equals(block.get("type"))) {
                        block.put("input", open[0].isEmpty() ? Json.object() : Json.parse(open[0].toString()));
                    }
                }
                case "message_delta" -> {
                    message.put("stop_reason", ((Map<String, Object>) data.get("delta")).get("stop_reason"));
                    message.put("usage", data.get("usage"));
                }
                default -> {
                    // message_start, ping, message_stop: order only.
                }
            }
        }
        assertThat(types.get(0)).isEqualTo("message_start");
        assertThat(types.get(types.size() - 1)).isEqualTo("message_stop");
        assertThat(types).doesNotContain("error");
        Map<String, Object> read = Json.object("content", content);
        read.putAll(message);
        return read;
    }

    /** One tool call: the name the client declared and the (possibly shortened) name the provider used. */
    private record Call(String id, String clientName, String providerName, String arguments) {
    }

    /** A random answer and the OpenAI stream that delivers it. */
    private static final class Answer {
        String reasoning = "";
        String text = "";
        final List<Call> calls = new ArrayList<>();
        String finishReason = "stop";
        long prompt;
        long completion;
        long cacheRead;
        long cacheCreation;

        static Answer random(Random random, ToolNames.Builder names) {
            Answer answer = new Answer();
            if (random.nextInt(3) == 0) {
                answer.reasoning = RandomText.words(random, 1 + random.nextInt(6));
            }
            if (random.nextInt(4) != 0) {
                answer.text = RandomText.words(random, 1 + random.nextInt(8));
            }
            int calls = random.nextInt(3);
            for (int i = 0; i < calls; i++) {
                String name = random.nextBoolean() ? "tool_" + i : "mcp__server__" + "long_".repeat(12) + i;
                Map<String, Object> args = Json.object();
                for (int k = 0; k < random.nextInt(3); k++) {
                    args.put("k" + k, random.nextBoolean() ? RandomText.words(random, 2)
                            : Json.number(random.nextInt(50)));
                }
                answer.calls.add(new Call("call_" + i, name, names.add(name), Json.write(args)));
            }
            answer.finishReason = calls > 0 && random.nextBoolean() ? "tool_calls"
                    : FINISH[random.nextInt(FINISH.length)];
            answer.prompt = 20 + random.nextInt(100);
            answer.cacheRead = random.nextBoolean() ? random.nextInt(10) : 0;
            answer.cacheCreation = random.nextBoolean() ? random.nextInt(10) : 0;
            answer.completion = random.nextInt(40);
            return answer;
        }

        /** The chunks of a chat stream, each delta cut at random places, ending with the usage chunk and [DONE]. */
        String chunks(Random random) {
            StringBuilder out = new StringBuilder();
            out.append(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null, null));
            for (String piece : RandomText.pieces(reasoning, random)) {
                out.append(chunk(Json.write(Json.object("reasoning_content", piece)), null, null));
            }
            for (String piece : RandomText.pieces(text, random)) {
                out.append(chunk(Json.write(Json.object("content", piece)), null, null));
            }
            for (int i = 0; i < calls.size(); i++) {
                Call call = calls.get(i);
                out.append(chunk(Json.write(Json.object("tool_calls", List.of(Json.object("index", Json.number(i),
                        "id", call.id, "type", "function", "function", Json.object("name", call.providerName,
                                "arguments", ""))))), null, null));
                for (String piece : RandomText.pieces(call.arguments, random)) {
                    out.append(chunk(Json.write(Json.object("tool_calls", List.of(Json.object("index",
                            Json.number(i), "function", Json.object("arguments", piece))))), null, null));
                }
            }
            String usage = Json.write(Json.object("prompt_tokens", Json.number(prompt), "completion_tokens",
                    Json.number(completion), "total_tokens", Json.number(prompt + completion),
                    "prompt_tokens_details", Json.object("cached_tokens", Json.number(cacheRead)),
                    "cache_creation_input_tokens", Json.number(cacheCreation)));
            if (random.nextBoolean()) {
                out.append(chunk("{}", finishReason, usage));
            } else {
                out.append(chunk("{}", finishReason, null));
                out.append(event("{\"id\":\"chatcmpl-d\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"m\",\"choices\":[],\"usage\":" + usage + "}"));
            }
            return out.append(event("[DONE]")).toString();
        }

        private static String chunk(String delta, String finishReason, String usage) {
            return event("{\"id\":\"chatcmpl-d\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                    + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]"
                    + (usage == null ? "" : ",\"usage\":" + usage) + "}");
        }

        private static String event(String data) {
            return "data: " + data + "\n\n";
        }

        @Override
        public String toString() {
            return "reasoning=" + reasoning + " text=" + text + " calls=" + calls + " finish=" + finishReason;
        }
    }
}
