package dev.llmproxy.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.testing.RandomText;
import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Differential test: random messages (text and tool calls, odd characters included) are written both as one Anthropic
 * response and as an Anthropic stream cut into random deltas and reads; the OpenAI stream, accumulated the way an
 * OpenAI SDK does, must say exactly what the translated whole response says.
 */
class AnthropicStreamDifferentialTest {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String[] STOP_REASONS = {"end_turn", "tool_use", "max_tokens", "stop_sequence"};

    @Test
    void shouldAccumulateToWholeResponseWhenMessagesAreRandom() {
        Random random = new Random(8);
        for (int round = 0; round < 150; round++) {
            Message message = Message.random(random);

            Accumulated fromStream = accumulate(translateStream(message.stream(random), random));
            Accumulated fromBody = whole(message.body());

            assertThat(fromStream).as("round %d: %s", round, message).isEqualTo(fromBody);
        }
    }

    private static String translateStream(String stream, Random random) {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(TestBuffers.ALLOC, 1L, true);
        SseEventFramer framer = new SseEventFramer(TestBuffers.ALLOC, 1 << 20, translator);
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (from < bytes.length) {
            int n = Math.min(bytes.length - from, 1 + random.nextInt(200));
            TestBuffers.Kind kind = TestBuffers.Kind.values()[random.nextInt(TestBuffers.Kind.values().length)];
            ByteBuf read = TestBuffers.of(kind, java.util.Arrays.copyOfRange(bytes, from, from + n));
            try {
                out.append(TestBuffers.drain(framer.frame(read)));
            } finally {
                read.release();
            }
            from += n;
        }
        out.append(TestBuffers.drain(framer.finish()));
        out.append(TestBuffers.drain(translator.finish()));
        return out.toString();
    }

    /** Folds OpenAI chunks into one answer as the SDKs do: contents appended, tool calls merged by index. */
    private static Accumulated accumulate(String stream) {
        Accumulated acc = new Accumulated();
        TreeMap<Integer, String[]> calls = new TreeMap<>();
        for (String event : stream.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            String data = event.substring(6);
            if (data.equals("[DONE]")) {
                acc.done = true;
                continue;
            }
            try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), data)) {
                readChunk(p, acc, calls);
            }
        }
        for (String[] call : calls.values()) {
            acc.toolCalls.add(String.join("|", call));
        }
        return acc;
    }

    private static void readChunk(JsonParser p, Accumulated acc, TreeMap<Integer, String[]> calls) {
        p.nextToken();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("choices")) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    readChoice(p, acc, calls);
                }
            } else if (name.equals("usage")) {
                acc.usage = readUsage(p);
            } else {
                p.skipChildren();
            }
        }
    }

    private static void readChoice(JsonParser p, Accumulated acc, TreeMap<Integer, String[]> calls) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                acc.finishReason = p.getString();
            } else if (name.equals("delta") || name.equals("message")) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String field = p.currentName();
                    JsonToken fieldValue = p.nextToken();
                    if (field.equals("content") && fieldValue == JsonToken.VALUE_STRING) {
                        acc.content.append(p.getString());
                    } else if (field.equals("tool_calls")) {
                        int position = 0;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            readCall(p, calls, position++);
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    /** Merges one tool call (or call delta) into {@code calls}: {id, name, arguments} by index. */
    private static void readCall(JsonParser p, TreeMap<Integer, String[]> calls, int position) {
        int index = position;
        String id = null;
        String name = null;
        String arguments = "";
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "index" -> index = p.getIntValue();
                case "id" -> id = p.getString();
                case "function" -> {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        if (key.equals("name")) {
                            name = p.getString();
                        } else if (key.equals("arguments")) {
                            arguments = p.getString();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        String[] call = calls.computeIfAbsent(index, i -> new String[] {"", "", ""});
        call[0] = id != null ? id : call[0];
        call[1] = name != null ? name : call[1];
        call[2] = call[2] + arguments;
    }

    private static Usage readUsage(JsonParser p) {
        long prompt = 0;
        long completion = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("prompt_tokens")) {
                prompt = p.getLongValue();
            } else if (name.equals("completion_tokens")) {
                completion = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        return Usage.of(prompt, completion);
    }

    private static Accumulated whole(String body) {
        ByteBuf buf = TestBuffers.of(TestBuffers.Kind.HEAP, body);
        try {
            TranslatedBody translated = AnthropicResponses.translate(TestBuffers.ALLOC, buf, 1L);
            assertThat(translated.status()).isEqualTo(200);
            Accumulated acc = accumulate("data: " + TestBuffers.drain(translated.body()) + "\n\ndata: [DONE]");
            return acc;
        } finally {
            buf.release();
        }
    }

    /** What an SDK makes of a response. */
    private static final class Accumulated {
        final StringBuilder content = new StringBuilder();
        final List<String> toolCalls = new ArrayList<>();
        String finishReason = "";
        Usage usage = Usage.of(0, 0);
        boolean done;

        @Override
        public boolean equals(Object other) {
            return other instanceof Accumulated that && toString().equals(that.toString());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }

        @Override
        public String toString() {
            return "content=" + content + " calls=" + toolCalls + " finish=" + finishReason + " usage=" + usage
                    + " done=" + done;
        }
    }

    /** A random Anthropic message: text blocks and tool calls, with a stop reason and usage. */
    private record Message(List<String[]> blocks, String stopReason, int input, int output) {

        static Message random(Random random) {
            List<String[]> blocks = new ArrayList<>();
            int count = random.nextInt(4);
            for (int i = 0; i < count; i++) {
                if (random.nextBoolean()) {
                    blocks.add(new String[] {"text", RandomText.words(random, random.nextInt(6))});
                } else {
                    String input = random.nextInt(4) == 0 ? "{}" : json(g -> {
                        g.writeStartObject();
                        g.writeStringProperty("q", RandomText.words(random, 1 + random.nextInt(4)));
                        g.writeNumberProperty("n", random.nextInt(1000));
                        g.writeEndObject();
                    });
                    blocks.add(new String[] {"tool_use", "toolu_" + i, "tool_" + random.nextInt(3), input});
                }
            }
            String stop = STOP_REASONS[random.nextInt(STOP_REASONS.length)];
            return new Message(blocks, stop, random.nextInt(5000), random.nextInt(500));
        }

        String body() {
            return json(g -> {
                g.writeStartObject();
                g.writeStringProperty("id", "msg_1");
                g.writeStringProperty("type", "message");
                g.writeStringProperty("role", "assistant");
                g.writeStringProperty("model", "claude");
                g.writeArrayPropertyStart("content");
                for (String[] block : blocks) {
                    g.writeStartObject();
                    g.writeStringProperty("type", block[0]);
                    if (block[0].equals("text")) {
                        g.writeStringProperty("text", block[1]);
                    } else {
                        g.writeStringProperty("id", block[1]);
                        g.writeStringProperty("name", block[2]);
                        g.writeName("input");
                        g.writeRawValue(block[3]);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeStringProperty("stop_reason", stopReason);
                g.writeObjectPropertyStart("usage");
                g.writeNumberProperty("input_tokens", input);
                g.writeNumberProperty("output_tokens", output);
                g.writeEndObject();
                g.writeEndObject();
            });
        }

        String stream(Random random) {
            StringBuilder out = new StringBuilder();
            event(out, "message_start", json(g -> {
                g.writeStartObject();
                g.writeStringProperty("type", "message_start");
                g.writeObjectPropertyStart("message");
                g.writeStringProperty("id", "msg_1");
                g.writeStringProperty("model", "claude");
                g.writeObjectPropertyStart("usage");
                g.writeNumberProperty("input_tokens", input);
                g.writeNumberProperty("output_tokens", 1);
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }), random);
            for (int i = 0; i < blocks.size(); i++) {
                String[] block = blocks.get(i);
                int index = i;
                boolean text = block[0].equals("text");
                event(out, "content_block_start", json(g -> {
                    g.writeStartObject();
                    g.writeStringProperty("type", "content_block_start");
                    g.writeNumberProperty("index", index);
                    g.writeObjectPropertyStart("content_block");
                    g.writeStringProperty("type", block[0]);
                    if (text) {
                        g.writeStringProperty("text", "");
                    } else {
                        g.writeStringProperty("id", block[1]);
                        g.writeStringProperty("name", block[2]);
                        g.writeObjectPropertyStart("input");
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }), random);
                String whole = text ? block[1] : block[3].equals("{}") ? "" : block[3];
                for (String piece : RandomText.pieces(whole, random)) {
                    event(out, "content_block_delta", json(g -> {
                        g.writeStartObject();
                        g.writeStringProperty("type", "content_block_delta");
                        g.writeNumberProperty("index", index);
                        g.writeObjectPropertyStart("delta");
                        g.writeStringProperty("type", text ? "text_delta" : "input_json_delta");
                        g.writeStringProperty(text ? "text" : "partial_json", piece);
                        g.writeEndObject();
                        g.writeEndObject();
                    }), random);
                }
                event(out, "content_block_stop",
                        "{\"type\":\"content_block_stop\",\"index\":" + index + "}", random);
            }
            event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                    + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + output + "}}", random);
            event(out, "message_stop", "{\"type\":\"message_stop\"}", random);
            return out.toString();
        }

        private static void event(StringBuilder out, String type, String data, Random random) {
            if (random.nextInt(5) == 0) {
                out.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
            }
            out.append("event: ").append(type).append("\ndata: ").append(data).append("\n\n");
        }

        private static String json(java.util.function.Consumer<JsonGenerator> body) {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
                body.accept(g);
            }
            return out.toString();
        }
    }
}
