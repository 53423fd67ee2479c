package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.responses.ChatStreams.bridge;
import static dev.llmproxy.codec.responses.ChatStreams.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Chat streams rebuilt as Responses API event streams by {@link ResponsesStreamTranslator}. */
class ResponsesStreamTranslatorTest {
    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);
    private static final ResponseIds IDS = new ResponseIds("abc");

    private final TrackingAllocator alloc = new TrackingAllocator();

    @Test
    void shouldEmitResponsesEventsInOrderWhenChatStreamsText() {
        ResponsesStreamTranslator translator = translator(alloc);
        String out = bridge(alloc, translator, bytes(ChatStreams.TEXT), 0);

        assertThat(types(out)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        List<Map<String, Object>> events = events(out);
        assertThat(events.get(4)).containsEntry("delta", "Hel").containsEntry("item_id", "msg_abc");
        assertThat(events.get(6)).containsEntry("text", "Hello caf\u00e9 \"x\"");
        for (int i = 0; i < events.size(); i++) {
            assertThat(JsonTree.number(events.get(i).get("sequence_number"), -1)).isEqualTo(i);
        }
        Map<String, Object> completed = JsonTree.object(events.get(9).get("response"));
        assertThat(completed).containsEntry("id", "resp_abc").containsEntry("status", "completed")
                .containsEntry("model", "claude-x");
        Map<String, Object> usage = JsonTree.object(completed.get("usage"));
        assertThat(JsonTree.number(usage.get("input_tokens"), -1)).isEqualTo(7);
        assertThat(JsonTree.number(usage.get("output_tokens"), -1)).isEqualTo(3);
        assertThat(JsonTree.number(JsonTree.object(usage.get("input_tokens_details")).get("cached_tokens"), -1))
                .isEqualTo(2);
        List<Object> output = JsonTree.array(completed.get("output"));
        assertThat(output).hasSize(1);
        assertThat(JsonTree.object(output.get(0))).containsEntry("type", "message")
                .containsEntry("status", "completed");
        assertThat(translator.usage()).isEqualTo(new Usage(7, 3, 10));
        alloc.assertAllReleased("text stream");
    }

    @Test
    void shouldWriteEachTextDeltaInOpenAisFieldOrder() {
        String out = bridge(alloc, translator(alloc), bytes(ChatStreams.TEXT), 0);

        assertThat(out).contains("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                + "\"item_id\":\"msg_abc\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\","
                + "\"logprobs\":[],\"sequence_number\":4}\n\n");
        alloc.assertAllReleased("text stream");
    }

    @Test
    void shouldSkipTheChunkMembersItDoesNotReadButFailWhenOneIsMalformed() {
        String unread = "data: {\"id\":\"c1\",\"system_fingerprint\":{\"a\":[1,{\"b\":null}]},\"choices\":["
                + "{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"obfuscation\":\"x\"}\n\n";
        String malformed = "data: {\"id\":\"c2\",\"system_fingerprint\":{\"a\":[1,}],\"choices\":[]}\n\n";

        String out = bridge(alloc, translator(alloc), bytes(unread + malformed), 0);

        assertThat(types(out)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "error", "response.failed");
        alloc.assertAllReleased("unread members");
    }

    @Test
    void shouldEmitFunctionCallItemsAfterTheMessageWhenChatStreamsToolCalls() {
        String out = bridge(alloc, translator(alloc), bytes(ChatStreams.TOOLS), 0);

        assertThat(types(out)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        List<Map<String, Object>> events = events(out);
        Map<String, Object> firstDone = events.get(13);
        assertThat(firstDone).containsEntry("arguments", "{\"city\":\"Paris\"}").containsEntry("item_id", "fc_abc_0");
        assertThat(JsonTree.number(firstDone.get("output_index"), -1)).isEqualTo(1);
        Map<String, Object> added = JsonTree.object(events.get(10).get("item"));
        assertThat(added).containsEntry("call_id", "call_b").containsEntry("name", "now")
                .containsEntry("status", "in_progress");
        List<Object> output = JsonTree.array(JsonTree.object(events.get(17).get("response")).get("output"));
        assertThat(output).hasSize(3);
        assertThat(JsonTree.object(output.get(2))).containsEntry("arguments", "{}").containsEntry("type",
                "function_call");
        alloc.assertAllReleased("tool stream");
    }

    @Test
    void shouldGiveTheSameEventsWhereverTheChatStreamIsSplit() {
        for (String stream : new String[] {ChatStreams.TEXT, ChatStreams.TOOLS}) {
            byte[] bytes = bytes(stream);
            String whole = bridge(UNTRACKED, translator(UNTRACKED), bytes, bytes.length);
            for (int at = 0; at <= bytes.length; at++) {
                assertThat(bridge(UNTRACKED, translator(UNTRACKED), bytes, at)).as("split at %d", at)
                        .isEqualTo(whole);
            }
        }
    }

    @Test
    void shouldEndWithResponseFailedWhenAChunkIsNotChatJson() {
        String stream = ChatStreams.chunk("{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}")
                + "data: {not json\n\n" + ChatStreams.chunk("{\"index\":0,\"delta\":{\"content\":\"more\"}}");
        String out = bridge(alloc, translator(alloc), bytes(stream), 0);

        List<String> types = types(out);
        assertThat(types.get(types.size() - 1)).isEqualTo("response.failed");
        assertThat(out).doesNotContain("more");
        alloc.assertAllReleased("malformed stream");
    }

    @Test
    void shouldCompleteWithFallbackUsageWhenStreamEndsAfterFinishWithoutDone() {
        String stream = ChatStreams.chunk("{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}")
                + ChatStreams.chunk("{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}");
        ResponsesStreamTranslator translator = new ResponsesStreamTranslator(alloc, IDS, 5, () -> Usage.of(4, 2));
        String out = bridge(alloc, translator, bytes(stream), 0);

        List<Map<String, Object>> events = events(out);
        Map<String, Object> last = events.get(events.size() - 1);
        assertThat(last).containsEntry("type", "response.incomplete");
        Map<String, Object> response = JsonTree.object(last.get("response"));
        assertThat(JsonTree.object(response.get("incomplete_details"))).containsEntry("reason", "max_output_tokens");
        assertThat(JsonTree.number(JsonTree.object(response.get("usage")).get("total_tokens"), -1)).isEqualTo(6);
        alloc.assertAllReleased("no done");
    }

    @Test
    void shouldFailWhenStreamEndsBeforeTheAnswerFinished() {
        String stream = ChatStreams.chunk("{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}");
        String out = bridge(alloc, translator(alloc), bytes(stream), 0);

        assertThat(types(out)).endsWith("response.output_text.delta", "error", "response.failed");
        alloc.assertAllReleased("cut stream");
    }

    @Test
    void shouldEndWithTheErrorEventCarryingTheProvidersErrorWhenAChunkIsAChatError() {
        String stream = ChatStreams.chunk("{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}")
                + "data: {\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\","
                + "\"param\":null,\"code\":\"429\"}}\n\n";
        String out = bridge(alloc, translator(alloc), bytes(stream), 0);

        List<Map<String, Object>> events = events(out);
        assertThat(types(out)).endsWith("response.output_text.delta", "error", "response.failed");
        Map<String, Object> error = events.get(events.size() - 2);
        assertThat(error).containsEntry("code", "429").containsEntry("message", "Too many requests");
        assertThat(JsonTree.number(error.get("sequence_number"), -1)).isEqualTo(5);
        Map<String, Object> failed = JsonTree.object(events.get(events.size() - 1).get("response"));
        assertThat(failed).containsEntry("status", "failed");
        assertThat(JsonTree.object(failed.get("error"))).containsEntry("code", "rate_limit_exceeded")
                .containsEntry("message", "Too many requests");
        alloc.assertAllReleased("error chunk");
    }

    @Test
    void shouldEndWithTheErrorEventWhenTheCallerReportsAFailureOnlyOnce() {
        ResponsesStreamTranslator translator = translator(alloc);
        StringBuilder out = new StringBuilder();
        ByteBuf chunk = alloc.heapBuffer().writeBytes(bytes(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}"));
        translator.onChunk(chunk, 0, chunk.readableBytes(), events -> {
            out.append(events.toString(StandardCharsets.UTF_8));
            events.release();
        });
        chunk.release();
        ByteBuf failed = translator.fail(503, "The provider closed the connection");
        String end = failed.toString(StandardCharsets.UTF_8);
        failed.release();

        assertThat(types(out + end)).endsWith("response.output_text.delta", "error", "response.failed");
        assertThat(end).startsWith("event: error\ndata: {\"type\":\"error\",\"code\":\"503\","
                + "\"message\":\"The provider closed the connection\",\"param\":null,\"sequence_number\":");
        assertThat(translator.fail(503, "again")).isNull();
        assertThat(translator.finish()).isNull();
        alloc.assertAllReleased("failed by the caller");
    }

    @Test
    void shouldRebuildReasoningAsASummaryItemBeforeTheMessage() {
        String stream = ChatStreams.chunk("{\"index\":0,\"delta\":{\"reasoning_content\":\"Think\"}}")
                + ChatStreams.chunk("{\"index\":0,\"delta\":{\"content\":\"Yes\"},\"finish_reason\":\"stop\"}")
                + "data: [DONE]\n\n";
        String out = bridge(alloc, translator(alloc), bytes(stream), 0);

        assertThat(types(out)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
                "response.reasoning_summary_part.done", "response.output_item.done", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.completed");
        alloc.assertAllReleased("reasoning");
    }

    static ResponsesStreamTranslator translator(ByteBufAllocator alloc) {
        return new ResponsesStreamTranslator(alloc, IDS, 1_700_000_000L, () -> null);
    }

    static List<Map<String, Object>> events(String out) {
        return out.lines().filter(line -> line.startsWith("data: "))
                .map(line -> JsonTree.object(JsonTree.read(io.netty.buffer.Unpooled.wrappedBuffer(
                        line.substring(6).getBytes(StandardCharsets.UTF_8)))))
                .toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
