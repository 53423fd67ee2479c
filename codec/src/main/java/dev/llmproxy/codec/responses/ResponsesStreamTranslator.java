package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.internal.JsonTree.map;
import static dev.llmproxy.codec.translate.ChunkWriter.ascii;
import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.internal.JsonLiteral;
import dev.llmproxy.codec.internal.JsonText;
import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Rebuilds a streamed chat completion (OpenAI chunks, one SSE event's data at a time) as the Responses API's event
 * stream, in its order (provider spec, section 8): {@code response.created}, {@code response.in_progress}; per output
 * item {@code response.output_item.added}, then for a message {@code response.content_part.added},
 * {@code response.output_text.delta}..., {@code response.output_text.done}, {@code response.content_part.done}, for a
 * function call {@code response.function_call_arguments.delta}..., {@code response.function_call_arguments.done}, for
 * reasoning the {@code response.reasoning_summary_*} events, then {@code response.output_item.done}; and last
 * {@code response.completed} (or {@code response.incomplete}) with the whole response and its usage.
 *
 * <p>Every event is written as {@code event: <type>\ndata: <json>\n\n} with its {@code sequence_number}, and the
 * events a chunk causes are emitted while that chunk is visited, so they leave in the read cycle their source arrived
 * in. Chunks come one at a time ({@link #onChunk}, an SSE visitor's call) or as the whole events a chat translator
 * wrote ({@link #translate(ByteBuf)}), which need no framing. The common chunks (a text or reasoning delta, a finish
 * reason) are read by a {@link ChatChunkReader} and their text delta copied as the chunk escaped it; the others are
 * read as a tree. The text and arguments seen so far are kept, because the {@code .done} events and the final
 * response repeat them. A chat error chunk, a chunk that is not a chat chunk, or a failure the caller reports
 * ({@link #fail(int, String)}) ends the stream with an {@code error} event (the error's code and message) and
 * {@code response.failed}; later chunks are dropped.
 *
 * <p>Thread-safety: none; one instance per stream, confined to its event loop.
 */
public final class ResponsesStreamTranslator {
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final String TEXT_DELTA = "response.output_text.delta";
    private static final byte[] TEXT_DELTA_START = ascii("{\"type\":\"response.output_text.delta\",\"item_id\":");
    private static final byte[] OUTPUT_INDEX = ascii(",\"output_index\":");
    private static final byte[] CONTENT_INDEX_DELTA = ascii(",\"content_index\":0,\"delta\":");
    private static final byte[] LOGPROBS_SEQUENCE = ascii(",\"logprobs\":[],\"sequence_number\":");
    private static final String SERVER_ERROR = "server_error";
    /** The members of a chat chunk the translation reads; the others (id, object, created...) are not built. */
    private static final Set<String> CHUNK_MEMBERS = Set.of("error", "model", "usage", "choices");

    private final ByteBufAllocator alloc;
    private final ResponseIds ids;
    private final long createdAt;
    private final Supplier<@Nullable Usage> usageFallback;
    private final ChatChunkReader reader = new ChatChunkReader();
    private final SseEvents.DataLineVisitor chunkVisitor = this::translate;
    private final List<Item> items = new ArrayList<>();
    private @Nullable Item reasoning;
    private @Nullable Item message;
    private final List<Item> calls = new ArrayList<>();
    private String model = "";
    private int sequence;
    private boolean started;
    private boolean ended;
    private @Nullable String finishReason;
    private @Nullable Map<String, Object> chatUsage;
    private @Nullable Usage usage;
    // The response object of response.completed/.incomplete, once the stream ended that way.
    private @Nullable Map<String, Object> completed;
    // Events of the chunk being visited; emitted together when the visit ends.
    private @Nullable ByteBuf pending;

    /**
     * @param ids the ids of the response and its items
     * @param createdAt {@code created_at}, epoch seconds
     * @param usageFallback the usage to report when the chunks carried none (a translating provider adapter that
     *     keeps it itself); may answer null
     */
    public ResponsesStreamTranslator(ByteBufAllocator alloc, ResponseIds ids, long createdAt,
            Supplier<@Nullable Usage> usageFallback) {
        this.alloc = requireNonNull(alloc, "alloc");
        this.ids = requireNonNull(ids, "ids");
        this.createdAt = createdAt;
        this.usageFallback = requireNonNull(usageFallback, "usageFallback");
    }

    /**
     * Translates one chat chunk (or the {@code [DONE]} sentinel): emits the Responses events it causes through
     * {@code out} and answers {@link SseEventFramer.Decision#REPLACE}.
     *
     * @param data holds the chunk at {@code [index, index + length)}; not taken, indexes unchanged
     */
    public SseEventFramer.Decision onChunk(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        translate(data, index, length);
        ByteBuf events = pending;
        pending = null;
        if (events != null) {
            out.emit(events);
        }
        return SseEventFramer.Decision.REPLACE;
    }

    /**
     * Translates the chunks of whole SSE events as a chat translator writes them (one {@code data} line each, ending
     * with a blank line), without framing them again.
     *
     * @param chatEvents not taken, indexes unchanged
     * @return the Responses events they cause, owned by the caller, or {@code null} when none
     */
    public @Nullable ByteBuf translate(ByteBuf chatEvents) {
        SseEvents.forEachDataLine(chatEvents, chunkVisitor);
        ByteBuf events = pending;
        pending = null;
        return events;
    }

    /**
     * The events that end a stream whose provider stopped without the {@code [DONE]} sentinel: the open items closed
     * and {@code response.completed} when the answer had finished, {@code response.failed} when it had not; or
     * {@code null} when the stream already ended.
     *
     * @return owned by the caller
     */
    public @Nullable ByteBuf finish() {
        if (!ended) {
            if (finishReason != null) {
                complete();
            } else {
                fail(SERVER_ERROR, "The provider's stream ended before the answer was complete");
            }
        }
        ByteBuf events = pending;
        pending = null;
        return events;
    }

    /**
     * The events that end the stream on a failure seen outside it (the provider's connection lost, a timeout): an
     * {@code error} event with {@code status} as its code, then {@code response.failed}; or {@code null} when the
     * stream already ended.
     *
     * @return owned by the caller
     */
    public @Nullable ByteBuf fail(int status, String message) {
        if (!ended) {
            fail(Integer.toString(status), message);
        }
        ByteBuf events = pending;
        pending = null;
        return events;
    }

    /**
     * The response object the stream ended with ({@code response.completed} or {@code response.incomplete}) as JSON,
     * or {@code null} while it has not ended or when it failed.
     */
    public @Nullable String completedResponse() {
        Map<String, Object> response = completed;
        if (response == null) {
            return null;
        }
        ByteBuf json = JsonTree.encode(alloc, response);
        try {
            return json.toString(StandardCharsets.UTF_8);
        } finally {
            json.release();
        }
    }

    /** The usage the stream reported, once known, or {@code null}. */
    public @Nullable Usage usage() {
        return usage != null ? usage : usageFallback.get();
    }

    private void translate(ByteBuf data, int index, int length) {
        if (ended) {
            return;
        }
        try {
            if (isDone(data, index, length)) {
                complete();
            } else if (reader.read(data, index, length, model)) {
                commonChunk();
            } else {
                chunk(data, index, length);
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            fail(SERVER_ERROR, "The provider sent a stream event that is not a chat completion chunk");
        }
    }

    /** The chunk {@link #reader} read, with the effects {@link #chunk} would give it. */
    private void commonChunk() {
        String chunkModel = reader.model();
        if (chunkModel != null) {
            model = chunkModel;
        }
        start();
        if (!reader.hasChoice()) {
            return;
        }
        reasoningDelta(reader.reasoning());
        contentDelta(reader.content(), reader.contentLiteral());
        String reason = reader.finishReason();
        if (reason != null) {
            finishReason = reason;
            closeAll();
        }
    }

    private void chunk(ByteBuf data, int index, int length) {
        Map<String, Object> chunk = JsonTree.readObject(data, index, length, CHUNK_MEMBERS);
        if (chunk == null) {
            throw new IllegalArgumentException("not an object");
        }
        if (chunk.containsKey("error")) {
            Map<String, Object> error = JsonTree.object(chunk.get("error"));
            Object code = error == null ? null : error.get("code");
            String message = error == null ? null : JsonTree.string(error.get("message"));
            fail(code instanceof String || code instanceof Number ? code.toString() : SERVER_ERROR,
                    message == null ? "The provider reported an error in its stream" : message);
            return;
        }
        if (chunk.get("model") instanceof String chunkModel) {
            model = chunkModel;
        }
        start();
        Map<String, Object> chunkUsage = JsonTree.object(chunk.get("usage"));
        if (chunkUsage != null) {
            chatUsage = chunkUsage;
            usage = ResponseObject.toUsage(chunkUsage);
        }
        List<Object> choices = JsonTree.array(chunk.get("choices"));
        if (choices == null || choices.isEmpty()) {
            return;
        }
        Map<String, Object> choice = JsonTree.object(choices.get(0));
        Map<String, Object> delta = choice == null ? null : JsonTree.object(choice.get("delta"));
        if (delta != null) {
            delta(delta);
        }
        String reason = choice == null ? null : JsonTree.string(choice.get("finish_reason"));
        if (reason != null) {
            finishReason = reason;
            closeAll();
        }
    }

    private void delta(Map<String, Object> delta) {
        reasoningDelta(JsonTree.string(delta.get("reasoning_content")));
        contentDelta(JsonTree.string(delta.get("content")), null);
        List<Object> toolCalls = JsonTree.array(delta.get("tool_calls"));
        if (toolCalls != null) {
            for (Object element : toolCalls) {
                Map<String, Object> call = JsonTree.object(element);
                if (call != null) {
                    toolCall(call);
                }
            }
        }
    }

    private void reasoningDelta(@Nullable String thinking) {
        if (thinking != null && !thinking.isEmpty() && message == null) {
            Item item = reasoning;
            if (item == null) {
                item = open(Kind.REASONING, ids.reasoning());
                reasoning = item;
                event("response.reasoning_summary_part.added", "item_id", item.id, "output_index", item.index,
                        "summary_index", 0, "part", map("type", "summary_text", "text", ""));
            }
            item.text.append(thinking);
            event("response.reasoning_summary_text.delta", "item_id", item.id, "output_index", item.index,
                    "summary_index", 0, "delta", thinking);
        }
    }

    /** @param literal {@code text} as a JSON string literal to copy, or {@code null} to escape {@code text} */
    private void contentDelta(@Nullable String text, @Nullable JsonLiteral literal) {
        if (text != null && !text.isEmpty()) {
            closeReasoning();
            Item item = message;
            if (item == null || item.closed) {
                item = open(Kind.MESSAGE, ids.message());
                message = item;
                event("response.content_part.added", "item_id", item.id, "output_index", item.index,
                        "content_index", 0, "part", ResponseObject.outputText(""));
            }
            item.text.append(text);
            textDelta(item, text, literal);
        }
    }

    private void toolCall(Map<String, Object> call) {
        int position = (int) JsonTree.number(call.get("index"), calls.size());
        Map<String, Object> function = JsonTree.object(call.get("function"));
        String name = function == null ? null : JsonTree.string(function.get("name"));
        String arguments = function == null ? null : JsonTree.string(function.get("arguments"));
        Item item = position >= 0 && position < calls.size() ? calls.get(position) : null;
        if (item == null) {
            closeReasoning();
            closeMessage();
            item = new Item(Kind.FUNCTION_CALL, ids.functionCall(calls.size()), items.size());
            String callId = JsonTree.string(call.get("id"));
            item.callId = callId == null ? item.id : callId;
            item.name = name == null ? "" : name;
            items.add(item);
            calls.add(item);
            event("response.output_item.added", "output_index", item.index, "item", item.snapshot("in_progress"));
        }
        if (arguments != null && !arguments.isEmpty()) {
            item.text.append(arguments);
            event("response.function_call_arguments.delta", "item_id", item.id, "output_index", item.index,
                    "delta", arguments);
        }
    }

    private Item open(Kind kind, String id) {
        Item item = new Item(kind, id, items.size());
        items.add(item);
        event("response.output_item.added", "output_index", item.index, "item", item.snapshot("in_progress"));
        return item;
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        Map<String, Object> response = ResponseObject.response(ids.response(), createdAt, model, "in_progress",
                null, List.of(), null);
        event("response.created", "response", response);
        event("response.in_progress", "response", response);
    }

    private void closeReasoning() {
        Item item = reasoning;
        if (item == null || item.closed) {
            return;
        }
        item.closed = true;
        String text = item.text.toString();
        event("response.reasoning_summary_text.done", "item_id", item.id, "output_index", item.index,
                "summary_index", 0, "text", text);
        event("response.reasoning_summary_part.done", "item_id", item.id, "output_index", item.index,
                "summary_index", 0, "part", map("type", "summary_text", "text", text));
        event("response.output_item.done", "output_index", item.index, "item", item.snapshot("completed"));
    }

    private void closeMessage() {
        Item item = message;
        if (item == null || item.closed) {
            return;
        }
        item.closed = true;
        String text = item.text.toString();
        event("response.output_text.done", "item_id", item.id, "output_index", item.index, "content_index", 0,
                "text", text, "logprobs", List.of());
        event("response.content_part.done", "item_id", item.id, "output_index", item.index, "content_index", 0,
                "part", ResponseObject.outputText(text));
        event("response.output_item.done", "output_index", item.index, "item", item.snapshot("completed"));
    }

    private void closeAll() {
        closeReasoning();
        closeMessage();
        for (Item item : calls) {
            if (item.closed) {
                continue;
            }
            item.closed = true;
            event("response.function_call_arguments.done", "item_id", item.id, "output_index", item.index,
                    "arguments", item.text.toString());
            event("response.output_item.done", "output_index", item.index, "item", item.snapshot("completed"));
        }
    }

    private void complete() {
        start();
        closeAll();
        ended = true;
        String reason = ResponseObject.incompleteReason(finishReason);
        List<Object> output = new ArrayList<>(items.size());
        for (Item item : items) {
            output.add(item.snapshot("completed"));
        }
        Map<String, Object> chat = chatUsage;
        Usage known = usage();
        Object responseUsage = chat != null ? ResponseObject.usage(chat) : known == null ? null
                : ResponseObject.usage(map("prompt_tokens", known.promptTokens(),
                        "completion_tokens", known.completionTokens(), "total_tokens", known.totalTokens()));
        Map<String, Object> response = ResponseObject.response(ids.response(), createdAt, model,
                reason == null ? "completed" : "incomplete", reason, output, responseUsage);
        completed = response;
        event(reason == null ? "response.completed" : "response.incomplete", "response", response);
    }

    /** Ends the stream as the Responses API ends a failed one ({@link ResponsesFailure}). */
    private void fail(String code, String message) {
        start();
        ended = true;
        ByteBuf out = pending;
        if (out == null) {
            out = alloc.buffer(512);
            pending = out;
        }
        ResponsesFailure.write(out, sequence, code, message, ResponseObject.response(ids.response(), createdAt,
                model, "failed", null, List.of(), null));
        sequence += 2;
    }

    private void event(String type, Object... fields) {
        Map<String, Object> event = map("type", type);
        for (int i = 0; i < fields.length; i += 2) {
            event.put((String) fields[i], fields[i + 1]);
        }
        event.put("sequence_number", sequence++);
        ByteBuf out = startEvent(type);
        JsonTree.writeTo(out, event);
        out.writeByte('\n').writeByte('\n');
    }

    /**
     * {@code response.output_text.delta}, as {@link #event} would write it, without building its tree: it is the event
     * of every content chunk, so what it costs is paid on nearly every event of a stream.
     */
    private void textDelta(Item item, String text, @Nullable JsonLiteral literal) {
        ByteBuf out = startEvent(TEXT_DELTA);
        out.writeBytes(TEXT_DELTA_START);
        JsonText.writeString(out, item.id);
        out.writeBytes(OUTPUT_INDEX);
        JsonText.writeLong(out, item.index);
        out.writeBytes(CONTENT_INDEX_DELTA);
        if (literal != null) {
            literal.writeTo(out);
        } else {
            JsonText.writeString(out, text);
        }
        out.writeBytes(LOGPROBS_SEQUENCE);
        JsonText.writeLong(out, sequence++);
        out.writeByte('}').writeByte('\n').writeByte('\n');
    }

    /** The buffer of the pending events, with {@code event: <type>\ndata: } written. */
    private ByteBuf startEvent(String type) {
        ByteBuf out = pending;
        if (out == null) {
            out = alloc.buffer(256);
            pending = out;
        }
        out.writeBytes(EVENT).writeCharSequence(type, StandardCharsets.US_ASCII);
        out.writeBytes(DATA);
        return out;
    }

    private static boolean isDone(ByteBuf buf, int index, int length) {
        int from = index;
        int to = index + length;
        while (from < to && buf.getByte(from) <= ' ') {
            from++;
        }
        while (to > from && buf.getByte(to - 1) <= ' ') {
            to--;
        }
        return to - from == 6 && buf.toString(from, 6, StandardCharsets.US_ASCII).equals("[DONE]");
    }

    private enum Kind { REASONING, MESSAGE, FUNCTION_CALL }

    /** One output item: what the stream has said of it so far. */
    private static final class Item {
        final Kind kind;
        final String id;
        final int index;
        final StringBuilder text = new StringBuilder();
        String callId = "";
        String name = "";
        boolean closed;

        Item(Kind kind, String id, int index) {
            this.kind = kind;
            this.id = id;
            this.index = index;
        }

        Map<String, Object> snapshot(String status) {
            boolean done = status.equals("completed");
            return switch (kind) {
                case MESSAGE -> ResponseObject.message(id, status, done ? text.toString() : null);
                case FUNCTION_CALL -> ResponseObject.functionCall(id, callId, name, done ? text.toString() : "",
                        status);
                case REASONING -> done ? ResponseObject.reasoning(id, text.toString())
                        : map("type", "reasoning", "id", id, "summary", List.of());
            };
        }
    }
}
