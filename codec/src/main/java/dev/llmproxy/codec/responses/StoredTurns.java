package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.internal.JsonTree.map;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON of bridged responses kept by the proxy, so that {@code previous_response_id} works for providers that
 * keep no conversation state: what a turn stores (its input items), how a request continuing a stored turn gets the
 * earlier items in front of its own input, and the {@code input_items} list the Responses API answers with.
 *
 * <p>Thread-safety: stateless.
 */
public final class StoredTurns {

    private StoredTurns() {
    }

    /**
     * The input items of a Responses request as a JSON array, to be stored with its answer; {@code null} when the
     * request asks not to be stored ({@code "store": false}) or its input cannot be read (it fails anyway).
     *
     * @param body a Responses request; not taken, indexes unchanged
     */
    public static @Nullable String inputToStore(ByteBuf body) {
        try {
            Map<String, Object> request = JsonTree.object(JsonTree.read(body));
            if (request == null || Boolean.FALSE.equals(request.get("store"))) {
                return null;
            }
            return json(ResponsesRequests.inputItems(request));
        } catch (IllegalArgumentException | InvalidRequestException e) {
            return null;
        }
    }

    /** The {@code id} of a response object (JSON), or {@code null} when it has none or is not one. */
    public static @Nullable String responseId(String response) {
        try {
            Map<String, Object> object = JsonTree.object(read(response));
            return object == null ? null : JsonTree.string(object.get("id"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@code body} continuing a stored turn: its {@code input} becomes the stored turn's input items, then the stored
     * response's output items, then its own input; {@code previous_response_id} is removed (the provider would not
     * know it).
     *
     * @param body a Responses request that is a valid JSON object; not taken, indexes unchanged
     * @param earlierInput the stored turn's input items (a JSON array)
     * @param earlierResponse the stored turn's response object
     * @return a new buffer from {@code alloc} owned by the caller
     * @throws InvalidRequestException when {@code body}'s own input is neither a string nor an array
     * @throws IllegalArgumentException when the stored JSON is not what {@link #inputToStore} and a response object
     *     are
     */
    public static ByteBuf continuing(ByteBufAllocator alloc, ByteBuf body, String earlierInput,
            String earlierResponse) {
        Map<String, Object> request = JsonTree.object(JsonTree.read(body));
        List<Object> stored = JsonTree.array(read(earlierInput));
        Map<String, Object> response = JsonTree.object(read(earlierResponse));
        if (request == null || stored == null || response == null) {
            throw new IllegalArgumentException("not a request, stored input items and a response object");
        }
        List<Object> input = new ArrayList<>(stored);
        List<Object> output = JsonTree.array(response.get("output"));
        if (output != null) {
            input.addAll(output);
        }
        input.addAll(ResponsesRequests.inputItems(request));
        request.put("input", input);
        request.remove("previous_response_id");
        return JsonTree.encode(alloc, request);
    }

    /**
     * One page of a stored turn's input items, as the Responses API lists them ({@code GET
     * /v1/responses/{id}/input_items}): {@code {"object":"list","data":[...],"first_id","last_id","has_more"}}.
     *
     * @param inputItems the stored input items (a JSON array)
     * @param limit at most this many items (OpenAI: 1 to 100, default 20)
     * @param ascending oldest first ({@code order=asc}); OpenAI's default is newest first
     * @param after the id of the item the page starts after, or null for the first page
     * @throws IllegalArgumentException when {@code inputItems} is not a JSON array
     */
    public static String inputItemsPage(String inputItems, int limit, boolean ascending, @Nullable String after) {
        List<Object> stored = JsonTree.array(read(inputItems));
        if (stored == null) {
            throw new IllegalArgumentException("inputItems: not a JSON array");
        }
        List<Object> items = new ArrayList<>(stored);
        if (!ascending) {
            Collections.reverse(items);
        }
        int start = 0;
        if (after != null) {
            for (int i = 0; i < items.size(); i++) {
                Map<String, Object> item = JsonTree.object(items.get(i));
                if (item != null && after.equals(JsonTree.string(item.get("id")))) {
                    start = i + 1;
                    break;
                }
            }
        }
        int end = Math.min(items.size(), start + Math.max(1, limit));
        List<Object> page = items.subList(start, end);
        Object firstId = page.isEmpty() ? JsonTree.NULL : idOf(page.get(0));
        Object lastId = page.isEmpty() ? JsonTree.NULL : idOf(page.get(page.size() - 1));
        return json(map("object", "list", "data", page, "first_id", firstId, "last_id", lastId,
                "has_more", end < items.size()));
    }

    private static Object idOf(Object item) {
        Map<String, Object> object = JsonTree.object(item);
        String id = object == null ? null : JsonTree.string(object.get("id"));
        return id == null ? JsonTree.NULL : id;
    }

    private static Object read(String json) {
        return JsonTree.read(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String json(Object value) {
        ByteBuf out = JsonTree.encode(UnpooledByteBufAllocator.DEFAULT, value);
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }
}
