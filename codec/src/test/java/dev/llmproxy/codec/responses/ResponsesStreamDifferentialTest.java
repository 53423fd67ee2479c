package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.RandomText;
import dev.llmproxy.codec.testing.TrackingAllocator;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the chat → Responses stream bridge ({@link ResponsesStreamTranslator}): random chat answers
 * (text, then tool calls whose arguments arrive in random fragments; usage) streamed as chat chunks and cut at a random
 * place must give a Responses stream whose deltas add up to its completed response, and whose completed response is
 * what a straightforward reference written from the provider spec (section 8) says: the message item with the text,
 * then one {@code function_call} item per call, and the usage.
 */
class ResponsesStreamDifferentialTest {

    @Test
    void shouldCompleteWithReferenceResponseWhenChatStreamsAreRandom() {
        Random random = new Random(3);
        TrackingAllocator alloc = new TrackingAllocator();
        for (int round = 0; round < 200; round++) {
            Answer answer = Answer.random(random);
            byte[] stream = answer.chunks(random).getBytes(StandardCharsets.UTF_8);

            String events = ChatStreams.bridge(alloc, ResponsesStreamTranslatorTest.translator(alloc), stream,
                    random.nextInt(stream.length + 1));

            assertThat(completed(events)).as("round %d: %s", round, answer).isEqualTo(reference(answer));
        }
        alloc.assertAllReleased("responses streams");
    }

    private static Map<String, Object> reference(Answer answer) {
        List<Object> output = new ArrayList<>();
        output.add(Json.object("type", "message", "role", "assistant", "status", "completed", "content",
                List.of(Json.object("type", "output_text", "text", answer.text, "annotations", List.of()))));
        for (String[] call : answer.calls) {
            output.add(Json.object("type", "function_call", "call_id", call[0], "name", call[1], "arguments", call[2],
                    "status", "completed"));
        }
        return Json.object("status", "completed", "output", output, "usage", List.of(answer.prompt,
                answer.completion, answer.prompt + answer.completion));
    }

    /**
     * The completed response of a Responses stream, ids left out, after checking that sequence numbers count from 0
     * and that the text and argument deltas add up to what it holds.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> completed(String events) {
        StringBuilder text = new StringBuilder();
        TreeMap<Integer, StringBuilder> arguments = new TreeMap<>();
        Map<String, Object> response = null;
        int sequence = 0;
        for (String event : events.split("\n\n")) {
            String[] lines = event.split("\n", 2);
            String type = lines[0].substring("event: ".length());
            Map<String, Object> data = Json.parseObject(lines[1].substring("data: ".length()));
            assertThat(data.get("type")).isEqualTo(type);
            assertThat(((BigDecimal) data.get("sequence_number")).intValueExact()).isEqualTo(sequence++);
            switch (type) {
                case "response.output_text.delta" -> text.append((String) data.get("delta"));
                case "response.function_call_arguments.delta" -> arguments.computeIfAbsent(
                        ((BigDecimal) data.get("output_index")).intValueExact(), k -> new StringBuilder())
                        .append((String) data.get("delta"));
                case "response.completed" -> response = (Map<String, Object>) data.get("response");
                default -> {
                    // Order only.
                }
            }
        }
        assertThat(response).as("response.completed in %s", events).isNotNull();
        List<Object> output = new ArrayList<>();
        for (Object o : (List<Object>) response.get("output")) {
            Map<String, Object> item = (Map<String, Object>) o;
            item.remove("id");
            output.add(item);
        }
        Map<String, Object> message = (Map<String, Object>) output.get(0);
        Map<String, Object> part = (Map<String, Object>) ((List<Object>) message.get("content")).get(0);
        assertThat(part.get("text")).isEqualTo(text.toString());
        for (Map.Entry<Integer, StringBuilder> e : arguments.entrySet()) {
            Map<String, Object> call = (Map<String, Object>) output.get(e.getKey());
            assertThat(call.get("arguments")).isEqualTo(e.getValue().toString());
        }
        Map<String, Object> usage = (Map<String, Object>) response.get("usage");
        return Json.object("status", response.get("status"), "output", output, "usage", List.of(
                ((BigDecimal) usage.get("input_tokens")).longValueExact(),
                ((BigDecimal) usage.get("output_tokens")).longValueExact(),
                ((BigDecimal) usage.get("total_tokens")).longValueExact()));
    }

    /** A random chat answer and the chat stream that delivers it. */
    private static final class Answer {
        String text = "";
        final List<String[]> calls = new ArrayList<>();
        long prompt;
        long completion;

        static Answer random(Random random) {
            Answer answer = new Answer();
            answer.text = RandomText.words(random, 1 + random.nextInt(8));
            int calls = random.nextInt(3);
            for (int i = 0; i < calls; i++) {
                Map<String, Object> args = Json.object();
                int n = random.nextInt(3);
                for (int k = 0; k < n; k++) {
                    args.put("k" + k, random.nextBoolean() ? RandomText.words(random, 2)
                            : Json.number(random.nextInt(50)));
                }
                answer.calls.add(new String[] {"call_" + i, "fn_" + random.nextInt(4), Json.write(args)});
            }
            answer.prompt = random.nextInt(200);
            answer.completion = random.nextInt(50);
            return answer;
        }

        String chunks(Random random) {
            StringBuilder out = new StringBuilder();
            out.append(ChatStreams.chunk("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                    + "\"finish_reason\":null}"));
            for (String piece : RandomText.pieces(text, random)) {
                out.append(ChatStreams.chunk("{\"index\":0,\"delta\":" + Json.write(Json.object("content", piece))
                        + ",\"finish_reason\":null}"));
            }
            for (int i = 0; i < calls.size(); i++) {
                String[] call = calls.get(i);
                out.append(ChatStreams.chunk("{\"index\":0,\"delta\":" + Json.write(Json.object("tool_calls",
                        List.of(Json.object("index", Json.number(i), "id", call[0], "type", "function", "function",
                                Json.object("name", call[1], "arguments", ""))))) + ",\"finish_reason\":null}"));
                for (String piece : RandomText.pieces(call[2], random)) {
                    out.append(ChatStreams.chunk("{\"index\":0,\"delta\":" + Json.write(Json.object("tool_calls",
                            List.of(Json.object("index", Json.number(i), "function",
                                    Json.object("arguments", piece))))) + ",\"finish_reason\":null}"));
                }
            }
            out.append(ChatStreams.chunk("{\"index\":0,\"delta\":{},\"finish_reason\":\""
                    + (calls.isEmpty() ? "stop" : "tool_calls") + "\"}"));
            out.append("data: ").append(ChatStreams.HEAD).append("],\"usage\":").append(Json.write(Json.object(
                    "prompt_tokens", Json.number(prompt), "completion_tokens", Json.number(completion),
                    "total_tokens", Json.number(prompt + completion)))).append("}\n\n");
            return out.append("data: [DONE]\n\n").toString();
        }

        @Override
        public String toString() {
            List<String> shown = new ArrayList<>();
            for (String[] call : calls) {
                shown.add(String.join("|", call));
            }
            return "text=" + text + " calls=" + shown;
        }
    }
}
