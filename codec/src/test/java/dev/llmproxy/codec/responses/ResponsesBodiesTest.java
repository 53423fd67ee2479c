package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole chat completions rebuilt as Responses API objects by {@link ResponsesBodies}. */
class ResponsesBodiesTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void released() {
        alloc.assertAllReleased("body translation");
    }

    @Test
    void shouldRebuildTextAndToolCallsAsOutputItemsWithUsage() {
        TranslatedBody translated = translate("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
                + "\"created\":1700000000,\"model\":\"claude-x\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"Hi\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}");

        assertThat(translated.status()).isEqualTo(200);
        assertThat(translated.usage()).isEqualTo(new Usage(5, 4, 9));
        Map<String, Object> response = JsonTree.object(JsonTree.read(translated.body()));
        translated.body().release();
        assertThat(response).containsEntry("id", "resp_abc").containsEntry("object", "response")
                .containsEntry("status", "completed").containsEntry("model", "claude-x");
        List<Object> output = JsonTree.array(response.get("output"));
        assertThat(JsonTree.object(output.get(0))).containsEntry("type", "message").containsEntry("id", "msg_abc");
        assertThat(JsonTree.object(output.get(1))).containsEntry("type", "function_call")
                .containsEntry("call_id", "call_1").containsEntry("arguments", "{\"a\":1}");
        Map<String, Object> usage = JsonTree.object(response.get("usage"));
        assertThat(JsonTree.number(usage.get("output_tokens"), -1)).isEqualTo(4);
        assertThat(JsonTree.number(JsonTree.object(usage.get("output_tokens_details")).get("reasoning_tokens"), -1))
                .isEqualTo(1);
    }

    @Test
    void shouldMarkIncompleteWhenTheAnswerHitTheTokenLimit() {
        TranslatedBody translated = translate("{\"choices\":[{\"message\":{\"content\":\"Hi\"},"
                + "\"finish_reason\":\"length\"}]}");
        String body = ChatStreams.drain(translated.body());
        assertThat(body).contains("\"status\":\"incomplete\"")
                .contains("\"incomplete_details\":{\"reason\":\"max_output_tokens\"}");
    }

    @Test
    void shouldAnswer502WhenTheBodyIsNotAChatCompletion() {
        for (String body : new String[] {"not json", "{}", "{\"choices\":[]}", "[1,2]"}) {
            TranslatedBody translated = translate(body);
            assertThat(translated.status()).as(body).isEqualTo(502);
            assertThat(ChatStreams.drain(translated.body())).startsWith("{\"error\":");
        }
    }

    private TranslatedBody translate(String chat) {
        ByteBuf body = alloc.heapBuffer().writeBytes(chat.getBytes(StandardCharsets.UTF_8));
        try {
            return ResponsesBodies.fromChat(alloc, body, new ResponseIds("abc"), 1);
        } finally {
            body.release();
        }
    }
}
