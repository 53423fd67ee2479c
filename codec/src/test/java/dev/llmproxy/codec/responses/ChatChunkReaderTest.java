package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.responses.ChatStreams.drain;
import static dev.llmproxy.codec.responses.ResponsesStreamTranslatorTest.events;
import static dev.llmproxy.codec.responses.ResponsesStreamTranslatorTest.translator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The common chunks {@link ChatChunkReader} reads for {@link ResponsesStreamTranslator} without a tree must give the
 * events the tree reading gives them: random chunks, odd ones included (members of the wrong type, given twice, several
 * choices, escaped text, no choice), are translated once as they are and once with {@code "usage":null} given twice,
 * which means nothing to the tree but makes the reader decline every chunk.
 */
class ChatChunkReaderTest {
    private static final String[] TEXT = {"a", " ", "caf\u00e9", "\\\"", "\\\\", "\\n", "\\u00e9", "\\/",
        "\ud83d\ude00", "\\ud83d\\ude00", "\\t", "<b>"};

    private final TrackingAllocator alloc = new TrackingAllocator();

    @Test
    void shouldGiveTheTreeReadingsEventsWhenChunksAreRandom() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            List<String> chunks = new ArrayList<>();
            int count = 1 + random.nextInt(8);
            for (int i = 0; i < count; i++) {
                chunks.add(chunk(random));
            }
            if (random.nextBoolean()) {
                chunks.add("[DONE]");
            }
            boolean direct = random.nextBoolean();

            String read = translate(chunks, false, direct);
            String tree = translate(chunks, true, direct);

            assertThat(events(read)).as("round %d: %s", round, chunks).isEqualTo(events(tree));
        }
        alloc.assertAllReleased("random chunks");
    }

    @Test
    void shouldCopyTheTextDeltaAsTheChunkEscapedIt() {
        String chunk = "{\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + "\"caf\\u00e9 \\/ \\\"x\\\"\"},\"finish_reason\":\"stop\"}]}";

        String out = translate(List.of(chunk, "[DONE]"), false, false);

        assertThat(out).contains(",\"delta\":\"caf\\u00e9 \\/ \\\"x\\\"\",\"logprobs\":[],");
        assertThat(events(out).get(5)).containsEntry("type", "response.output_text.done")
                .containsEntry("text", "caf\u00e9 / \"x\"");
        alloc.assertAllReleased("escaped text");
    }

    @Test
    void shouldReadEveryEventOfOneEmissionWhenChatEventsComeWhole() {
        ResponsesStreamTranslator translator = translator(alloc);
        ByteBuf emitted = alloc.heapBuffer().writeBytes(("data: {\"model\":\"m\",\"choices\":[{\"delta\":"
                + "{\"content\":\"Hi\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                .getBytes(StandardCharsets.UTF_8));

        String out = drain(translator.translate(emitted));
        emitted.release();

        assertThat(ChatStreams.types(out)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        assertThat(translator.finish()).isNull();
        alloc.assertAllReleased("whole events");
    }

    /** The stream of {@code chunks}, each handed over as one whole chat event. */
    private String translate(List<String> chunks, boolean forceTree, boolean direct) {
        ResponsesStreamTranslator translator = translator(alloc);
        StringBuilder out = new StringBuilder();
        for (String chunk : chunks) {
            String data = forceTree && chunk.startsWith("{") ? "{\"usage\":null,\"usage\":null," + chunk.substring(1)
                    : chunk;
            byte[] bytes = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
            ByteBuf event = (direct ? alloc.directBuffer() : alloc.heapBuffer()).writeBytes(bytes);
            ByteBuf events = translator.translate(event);
            event.release();
            if (events != null) {
                out.append(drain(events));
            }
        }
        ByteBuf end = translator.finish();
        if (end != null) {
            out.append(drain(end));
        }
        return out.toString();
    }

    private static String chunk(Random random) {
        List<String> members = new ArrayList<>();
        members.add("\"id\":\"chatcmpl-1\"");
        switch (random.nextInt(6)) {
            case 0 -> members.add("\"model\":\"claude-x\"");
            case 1 -> members.add("\"model\":\"claude-y\"");
            case 2 -> members.add("\"model\":7");
            case 3 -> members.add("\"model\":\"claude-x\",\"model\":\"claude-z\"");
            case 4 -> members.add("\"model\":\"claude-z\",\"model\":null");
            default -> {
                // No model.
            }
        }
        switch (random.nextInt(8)) {
            case 0 -> members.add("\"choices\":[]");
            case 1 -> members.add("\"choices\":{\"delta\":{\"content\":\"no\"}}");
            case 2 -> members.add("\"choices\":[" + choice(random) + "," + choice(random) + "]");
            case 3 -> members.add("\"choices\":[\"x\"," + choice(random) + "]");
            default -> members.add("\"choices\":[" + choice(random) + "]");
        }
        if (random.nextInt(6) == 0) {
            members.add("\"system_fingerprint\":{\"a\":[1,{\"b\":null}],\"choices\":[]}");
        }
        if (random.nextInt(10) == 0) {
            members.add("\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}");
        }
        Collections.shuffle(members, random);
        return "{" + String.join(",", members) + "}";
    }

    private static String choice(Random random) {
        List<String> members = new ArrayList<>();
        members.add("\"index\":0");
        switch (random.nextInt(6)) {
            case 0 -> members.add("\"delta\":null");
            case 1 -> {
                // No delta.
            }
            default -> members.add("\"delta\":" + delta(random));
        }
        switch (random.nextInt(9)) {
            case 0 -> members.add("\"finish_reason\":\"stop\"");
            case 1 -> members.add("\"finish_reason\":\"length\"");
            case 2 -> members.add("\"finish_reason\":5");
            case 3 -> members.add("\"finish_reason\":null,\"finish_reason\":\"stop\"");
            case 4 -> members.add("\"finish_reason\":\"stop\",\"finish_reason\":null");
            default -> members.add("\"finish_reason\":null");
        }
        members.add("\"logprobs\":null");
        Collections.shuffle(members, random);
        return "{" + String.join(",", members) + "}";
    }

    private static String delta(Random random) {
        List<String> members = new ArrayList<>();
        if (random.nextInt(4) == 0) {
            members.add("\"role\":\"assistant\"");
        }
        switch (random.nextInt(8)) {
            case 0 -> members.add("\"content\":null");
            case 1 -> members.add("\"content\":42");
            case 2 -> members.add("\"content\":\"\"");
            case 3 -> members.add("\"content\":" + text(random) + ",\"content\":" + text(random));
            case 4 -> members.add("\"content\":" + text(random) + ",\"content\":null");
            case 5 -> {
                // No content.
            }
            default -> members.add("\"content\":" + text(random));
        }
        switch (random.nextInt(7)) {
            case 0 -> members.add("\"reasoning_content\":" + text(random));
            case 1 -> members.add("\"reasoning_content\":[1]");
            case 2 -> members.add("\"reasoning_content\":" + text(random) + ",\"reasoning_content\":{}");
            default -> {
                // No reasoning.
            }
        }
        if (random.nextInt(8) == 0) {
            members.add("\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"t\"}]");
        }
        if (random.nextInt(8) == 0) {
            members.add("\"tool_calls\":null");
        }
        Collections.shuffle(members, random);
        return "{" + String.join(",", members) + "}";
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder("\"");
        int parts = 1 + random.nextInt(4);
        for (int i = 0; i < parts; i++) {
            text.append(TEXT[random.nextInt(TEXT.length)]);
        }
        return text.append('"').toString();
    }
}
