package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Responses requests translated to chat completions requests by {@link ResponsesRequests}. */
class ResponsesRequestsTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void released() {
        alloc.assertAllReleased("request translation");
    }

    @Test
    void shouldMakeSystemAndUserMessagesWhenInputIsAString() {
        assertThat(chat("{\"model\":\"m\",\"instructions\":\"Be brief\",\"input\":\"Hi\",\"max_output_tokens\":50,"
                + "\"temperature\":0.2,\"top_p\":1,\"store\":true,\"metadata\":{\"a\":\"b\"}}"))
                .isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief\"},"
                        + "{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":50,\"temperature\":0.2,"
                        + "\"top_p\":1}");
    }

    @Test
    void shouldAskForUsageWhenStreaming() {
        assertThat(chat("{\"model\":\"m\",\"input\":\"Hi\",\"stream\":true}")).isEqualTo("{\"model\":\"m\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void shouldMapItemsToolsAndFormatsToTheirChatForms() {
        String out = chat("{\"model\":\"m\",\"input\":["
                + "{\"role\":\"developer\",\"content\":\"Rules\"},"
                + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Look\"},"
                + "{\"type\":\"input_image\",\"image_url\":\"https://x/i.png\",\"detail\":\"low\"}]},"
                + "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
                + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"c2\",\"name\":\"g\",\"arguments\":\"{}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"one\"},"
                + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":\"Done\",\"annotations\":[]}]}],"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"description\":\"F\",\"parameters\":"
                + "{\"type\":\"object\"},\"strict\":true}],\"tool_choice\":{\"type\":\"function\",\"name\":\"f\"},"
                + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"s\",\"schema\":{\"type\":\"object\"},"
                + "\"strict\":true}},\"reasoning\":{\"effort\":\"low\"},\"parallel_tool_calls\":false}");

        assertThat(out).isEqualTo("{\"model\":\"m\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Rules\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Look\"},{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://x/i.png\",\"detail\":\"low\"}}]},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}},"
                + "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"one\"},"
                + "{\"role\":\"assistant\",\"content\":\"Done\"}],"
                + "\"parallel_tool_calls\":false,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":\"F\","
                + "\"parameters\":{\"type\":\"object\"},\"strict\":true}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}},"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\","
                + "\"schema\":{\"type\":\"object\"},\"strict\":true}},\"reasoning_effort\":\"low\"}");
    }

    @Test
    void shouldPutEarlierTurnsBeforeTheNewInput() {
        List<Object> earlier = List.of(JsonTree.map("type", "message", "role", "user", "content", "First"),
                JsonTree.map("type", "message", "role", "assistant", "content", List.of(
                        JsonTree.map("type", "output_text", "text", "Answer"))));
        ByteBuf body = alloc.heapBuffer().writeBytes(bytes("{\"model\":\"m\",\"input\":\"Second\"}"));
        ByteBuf out = ResponsesRequests.toChat(alloc, body, earlier);
        body.release();

        assertThat(ChatStreams.drain(out)).isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"First\"},{\"role\":\"assistant\",\"content\":\"Answer\"},{\"role\":\"user\","
                + "\"content\":\"Second\"}]}");
    }

    @Test
    void shouldRefuseWithTheParameterNamedWhenAHostedToolCannotBeBridged() {
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"file_search\"}]}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("file_search")
                .extracting(e -> ((InvalidRequestException) e).param()).isEqualTo("tools");
    }

    @Test
    void shouldRefuseMalformedInputCleanly() {
        for (String body : new String[] {"{\"model\":\"m\"}", "{\"model\":\"m\",\"input\":5}",
                "{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}",
                "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\"}]}", "[1]", "{\"input\":"}) {
            assertThatThrownBy(() -> chat(body)).as(body).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void shouldReadThePreviousResponseId() {
        ByteBuf body = alloc.heapBuffer().writeBytes(bytes("{\"input\":\"x\",\"previous_response_id\":\"resp_1\"}"));
        assertThat(ResponsesRequests.previousResponseId(body)).isEqualTo("resp_1");
        body.release();
    }

    private String chat(String request) {
        ByteBuf body = alloc.heapBuffer().writeBytes(bytes(request));
        try {
            return ChatStreams.drain(ResponsesRequests.toChat(alloc, body, List.of()));
        } finally {
            body.release();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
