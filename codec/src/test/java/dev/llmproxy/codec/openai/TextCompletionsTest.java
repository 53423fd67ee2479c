package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.SseEvents;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Text completions bridged through chat: the request one way, whole answers and streams the other. */
class TextCompletionsTest {
    private static final String HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":7,"
            + "\"model\":\"gemini-2.5-flash\",";
    private static final String CHAT_STREAM = "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":"
            + "\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            + "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once \\\"upon\\\"\"},"
            + "\"finish_reason\":null}]}\n\n"
            + "data: " + HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
            + "data: " + HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
            + "\"total_tokens\":5}}\n\n"
            + "data: [DONE]\n\n";
    private static final String TEXT_HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"text_completion\",\"created\":7,"
            + "\"model\":\"gemini-2.5-flash\",";
    private static final String TEXT_STREAM = "data: " + TEXT_HEAD + "\"choices\":[{\"text\":\"\",\"index\":0,"
            + "\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            + "data: " + TEXT_HEAD + "\"choices\":[{\"text\":\"Once \\\"upon\\\"\",\"index\":0,\"logprobs\":null,"
            + "\"finish_reason\":null}]}\n\n"
            + "data: " + TEXT_HEAD + "\"choices\":[{\"text\":\"\",\"index\":0,\"logprobs\":null,"
            + "\"finish_reason\":\"length\"}]}\n\n"
            + "data: " + TEXT_HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
            + "\"total_tokens\":5}}\n\n"
            + "data: [DONE]\n\n";

    @Test
    void shouldSendPromptAsOneUserMessageAndLeaveOutCompletionOnlyParams() {
        String chat = toChat("{\"model\":\"gemini\",\"prompt\":\"Say \\\"hi\\\"\",\"max_tokens\":7,\"echo\":false,"
                + "\"suffix\":\"x\",\"best_of\":1,\"logprobs\":2,\"stop\":[\"\\n\"],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"temperature\":0.2}");

        assertThat(chat).isEqualTo("{\"model\":\"gemini\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Say \\\"hi\\\"\"}],\"max_tokens\":7,\"stop\":[\"\\n\"],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"temperature\":0.2}");
        assertThat(toChat("{\"prompt\":[\"only\"],\"model\":\"m\"}"))
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"only\"}],\"model\":\"m\"}");
    }

    @Test
    void shouldRefuseRequestWhenPromptIsMissingSeveralOrTokenIds() {
        assertThatThrownBy(() -> toChat("{\"model\":\"m\"}")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("a prompt is required");
        assertThatThrownBy(() -> toChat("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("several prompts");
        assertThatThrownBy(() -> toChat("{\"model\":\"m\",\"prompt\":[1,2,3]}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("token ids");
        assertThatThrownBy(() -> toChat("{\"model\":")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Invalid JSON in the request body");
        assertThatThrownBy(() -> toChat("[]")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("The request body must be a JSON object");
    }

    @Test
    void shouldTurnChatCompletionIntoTextCompletionWithUsage() {
        String text = fromChat("{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":5,\"model\":\"claude\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello\","
                + "\"reasoning_content\":\"r\"},\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"role\":"
                + "\"assistant\",\"content\":null,\"tool_calls\":[]},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,\"total_tokens\":5}}");

        assertThat(text).isEqualTo("{\"id\":\"chatcmpl-9\",\"object\":\"text_completion\",\"created\":5,"
                + "\"model\":\"claude\",\"choices\":[{\"text\":\"Hello\",\"index\":0,\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"},{\"text\":\"\",\"index\":1,\"logprobs\":null,"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,"
                + "\"total_tokens\":5}}");
        assertThat(fromChat("not json")).isNull();
    }

    @Test
    void shouldTranslateEveryChunkAndPassDoneAndErrorsWhenStreamIsSplitAtEveryByte() {
        TrackingAllocator alloc = new TrackingAllocator();
        String error = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"api_error\"}}\n\n";
        for (int at = 0; at <= CHAT_STREAM.length(); at++) {
            assertThat(run(alloc, CHAT_STREAM, at)).as("split at %d", at).isEqualTo(TEXT_STREAM);
        }
        assertThat(run(alloc, error, error.length() / 2)).isEqualTo(error);
        alloc.assertAllReleased("text completion events");
    }

    /** Frames {@code input} read in two parts; each whole chat event goes through {@link TextCompletions}. */
    private static String run(TrackingAllocator alloc, String input, int at) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 16, new SseEventFramer.RewritingVisitor() {
            @Override
            public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
                ByteBuf event = SseEvents.startData(alloc.buffer(length + 8)).writeBytes(data, index, length);
                try {
                    out.emit(TextCompletions.fromChatEvents(alloc, SseEvents.endEvent(event)));
                } finally {
                    event.release();
                }
                return SseEventFramer.Decision.REPLACE;
            }

            @Override
            public boolean keepsOtherEvents() {
                return false;
            }
        });
        StringBuilder out = new StringBuilder();
        for (byte[] read : new byte[][] {Arrays.copyOfRange(bytes, 0, at), Arrays.copyOfRange(bytes, at,
                bytes.length)}) {
            ByteBuf chunk = alloc.heapBuffer().writeBytes(read);
            try {
                ByteBuf framed = framer.frame(chunk);
                out.append(framed.toString(StandardCharsets.UTF_8));
                framed.release();
            } finally {
                chunk.release();
            }
        }
        framer.finish().release();
        return out.toString();
    }

    private static String toChat(String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            ByteBuf chat = TextCompletions.toChat(UnpooledByteBufAllocator.DEFAULT, body);
            try {
                return chat.toString(StandardCharsets.UTF_8);
            } finally {
                chat.release();
            }
        } finally {
            body.release();
        }
    }

    private static @Nullable String fromChat(String json) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            ByteBuf text = TextCompletions.fromChat(UnpooledByteBufAllocator.DEFAULT, body, 0, body.readableBytes());
            if (text == null) {
                return null;
            }
            try {
                return text.toString(StandardCharsets.UTF_8);
            } finally {
                text.release();
            }
        } finally {
            body.release();
        }
    }
}
