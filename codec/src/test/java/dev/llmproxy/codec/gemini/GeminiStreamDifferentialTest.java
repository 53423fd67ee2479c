package dev.llmproxy.codec.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.Json;
import dev.llmproxy.codec.testing.RandomText;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Differential test of {@link GeminiStreamTranslator}: random Gemini streams (text, thought and function call parts in
 * random events, running usage, odd characters), cut into random reads, must accumulate, the way an OpenAI SDK folds
 * chunks, to what a straightforward reference written from the provider spec (sections 3.5 and 3.6) says the answer
 * is: the text and thoughts joined, each call whole with its index counted from 0, the finish reason mapped, the last
 * usage report with thinking counted as completion unless the total already holds it.
 */
class GeminiStreamDifferentialTest {
    private static final String[] FINISH = {"STOP", "STOP", "MAX_TOKENS", "LANGUAGE", "OTHER",
        "MALFORMED_FUNCTION_CALL"};

    @Test
    void shouldAccumulateToReferenceAnswerWhenStreamsAreRandom() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            List<Map<String, Object>> events = randomStream(random);

            Answer translated = accumulate(translate(events, random));

            assertThat(translated).as("round %d: %s", round, events).isEqualTo(reference(events));
        }
    }

    private static List<Map<String, Object>> randomStream(Random random) {
        List<Map<String, Object>> events = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        long prompt = 1 + random.nextInt(50);
        long candidates = 0;
        long thoughts = 0;
        for (int i = 0; i < count; i++) {
            List<Object> parts = new ArrayList<>();
            int partCount = random.nextInt(4);
            for (int p = 0; p < partCount; p++) {
                int kind = random.nextInt(6);
                if (kind == 0) {
                    parts.add(Json.object("functionCall", Json.object("name", "fn_" + random.nextInt(3),
                            "args", randomArgs(random))));
                } else if (kind == 1) {
                    parts.add(Json.object("text", RandomText.words(random, random.nextInt(4)), "thought", true));
                } else {
                    parts.add(Json.object("text", RandomText.words(random, random.nextInt(4))));
                }
            }
            Map<String, Object> candidate = Json.object("content", Json.object("parts", parts, "role", "model"),
                    "index", Json.number(0));
            boolean last = i == count - 1;
            if (last) {
                candidate.put("finishReason", FINISH[random.nextInt(FINISH.length)]);
            }
            Map<String, Object> event = Json.object("candidates", new ArrayList<>(List.of(candidate)));
            if (last || random.nextBoolean()) {
                candidates += random.nextInt(20);
                thoughts += random.nextInt(3) == 0 ? random.nextInt(30) : 0;
                boolean thoughtsInTotal = random.nextBoolean();
                event.put("usageMetadata", Json.object("promptTokenCount", Json.number(prompt),
                        "candidatesTokenCount", Json.number(candidates), "thoughtsTokenCount", Json.number(thoughts),
                        "totalTokenCount", Json.number(prompt + candidates + (thoughtsInTotal ? thoughts : 0))));
            }
            event.put("modelVersion", "gemini-2.5-flash");
            event.put("responseId", "resp-" + random.nextInt(1000));
            events.add(event);
        }
        return events;
    }

    private static Map<String, Object> randomArgs(Random random) {
        Map<String, Object> args = new java.util.LinkedHashMap<>();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            args.put("k" + i, random.nextBoolean() ? RandomText.words(random, random.nextInt(4))
                    : Json.number(random.nextInt(100)));
        }
        return args;
    }

    /** The answer the spec gives for the whole stream. */
    @SuppressWarnings("unchecked")
    private static Answer reference(List<Map<String, Object>> events) {
        Answer answer = new Answer();
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        String reason = null;
        Map<String, Object> usage = null;
        for (Map<String, Object> event : events) {
            Map<String, Object> candidate = ((List<Map<String, Object>>) event.get("candidates")).get(0);
            for (Object p : (List<Object>) ((Map<String, Object>) candidate.get("content")).get("parts")) {
                Map<String, Object> part = (Map<String, Object>) p;
                if (part.containsKey("functionCall")) {
                    Map<String, Object> call = (Map<String, Object>) part.get("functionCall");
                    answer.calls.add(List.of(call.get("name"), call.get("args")));
                } else if (Boolean.TRUE.equals(part.get("thought"))) {
                    reasoning.append(part.get("text"));
                } else {
                    content.append(part.get("text"));
                }
            }
            if (candidate.get("finishReason") instanceof String r) {
                reason = r;
            }
            if (event.get("usageMetadata") instanceof Map<?, ?> u) {
                usage = (Map<String, Object>) u;
            }
        }
        answer.content = content.toString();
        answer.reasoning = reasoning.toString();
        String mapped = switch (reason) {
            case "MAX_TOKENS" -> "length";
            case "LANGUAGE", "OTHER" -> "content_filter";
            default -> "stop";
        };
        // Calls make the answer a tool call (section 3.5, as for a whole answer), unless the model ran out of tokens.
        answer.finishReason = !answer.calls.isEmpty() && !reason.equals("MAX_TOKENS") ? "tool_calls" : mapped;
        long prompt = number(usage, "promptTokenCount");
        long candidates = number(usage, "candidatesTokenCount");
        long total = number(usage, "totalTokenCount");
        long completion = candidates + (prompt + candidates == total ? 0 : number(usage, "thoughtsTokenCount"));
        answer.usage = List.of(prompt, completion, Math.max(total, prompt + completion));
        return answer;
    }

    private static long number(Map<String, Object> object, String name) {
        return ((BigDecimal) object.get(name)).longValueExact();
    }

    private static String translate(List<Map<String, Object>> events, Random random) {
        StringBuilder stream = new StringBuilder();
        for (Map<String, Object> event : events) {
            stream.append("data: ").append(Json.write(event)).append("\r\n\r\n");
        }
        GeminiStreamTranslator translator = new GeminiStreamTranslator(TestBuffers.ALLOC, 1L, "gemini", true,
                "Gemini");
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 1 << 20, translator);
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (from < bytes.length) {
            int n = Math.min(bytes.length - from, 1 + random.nextInt(120));
            TestBuffers.Kind kind = TestBuffers.Kind.values()[random.nextInt(TestBuffers.Kind.values().length)];
            ByteBuf read = TestBuffers.of(kind, Arrays.copyOfRange(bytes, from, from + n));
            try {
                out.append(TestBuffers.drain(framer.frame(read)));
            } finally {
                read.release();
            }
            from += n;
        }
        out.append(TestBuffers.drain(framer.finish()));
        ByteBuf end = translator.finish();
        if (end != null) {
            out.append(TestBuffers.drain(end));
        }
        return out.toString();
    }

    /** Folds OpenAI chunks as the SDKs do: texts appended, tool calls merged by index. */
    @SuppressWarnings("unchecked")
    private static Answer accumulate(String stream) {
        Answer answer = new Answer();
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        TreeMap<Integer, String[]> calls = new TreeMap<>();
        boolean done = false;
        for (String event : stream.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            String data = event.substring(6);
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            Map<String, Object> chunk = Json.parseObject(data);
            assertThat(chunk).doesNotContainKey("error");
            if (chunk.get("usage") instanceof Map<?, ?> usage) {
                answer.usage = List.of(number((Map<String, Object>) usage, "prompt_tokens"),
                        number((Map<String, Object>) usage, "completion_tokens"),
                        number((Map<String, Object>) usage, "total_tokens"));
            }
            for (Object c : (List<Object>) chunk.get("choices")) {
                Map<String, Object> choice = (Map<String, Object>) c;
                Map<String, Object> delta = (Map<String, Object>) choice.get("delta");
                if (delta.get("content") instanceof String text) {
                    content.append(text);
                }
                if (delta.get("reasoning_content") instanceof String text) {
                    reasoning.append(text);
                }
                if (delta.get("tool_calls") instanceof List<?> deltas) {
                    for (Object d : deltas) {
                        Map<String, Object> call = (Map<String, Object>) d;
                        Map<String, Object> function = (Map<String, Object>) call.get("function");
                        String[] acc = calls.computeIfAbsent(((BigDecimal) call.get("index")).intValueExact(),
                                k -> new String[] {"", ""});
                        if (function.get("name") instanceof String name) {
                            acc[0] = name;
                        }
                        if (function.get("arguments") instanceof String arguments) {
                            acc[1] += arguments;
                        }
                    }
                }
                if (choice.get("finish_reason") instanceof String reason) {
                    answer.finishReason = reason;
                }
            }
        }
        assertThat(done).as("ends with [DONE]: %s", stream).isTrue();
        assertThat(calls.keySet()).as("indexes count from 0").containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, calls.size()).boxed().toList());
        for (String[] call : calls.values()) {
            answer.calls.add(List.of(call[0], Json.parse(call[1])));
        }
        answer.content = content.toString();
        answer.reasoning = reasoning.toString();
        return answer;
    }

    /** What a client makes of an answer. */
    private static final class Answer {
        String content = "";
        String reasoning = "";
        final List<List<Object>> calls = new ArrayList<>();
        String finishReason = "";
        List<Long> usage = List.of();

        @Override
        public boolean equals(Object o) {
            return o instanceof Answer a && content.equals(a.content) && reasoning.equals(a.reasoning)
                    && calls.equals(a.calls) && finishReason.equals(a.finishReason) && usage.equals(a.usage);
        }

        @Override
        public int hashCode() {
            return content.hashCode();
        }

        @Override
        public String toString() {
            return "content=" + content + " reasoning=" + reasoning + " calls=" + calls + " finish=" + finishReason
                    + " usage=" + usage;
        }
    }
}
