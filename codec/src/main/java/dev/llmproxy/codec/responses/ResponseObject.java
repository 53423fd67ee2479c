package dev.llmproxy.codec.responses;

import static dev.llmproxy.codec.internal.JsonTree.map;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.Usage;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds the Responses API's {@code response} object and its output items, shared by whole answers and by the
 * {@code response.created}/{@code response.completed} events of a stream.
 *
 * <p>Thread-safety: stateless.
 */
final class ResponseObject {

    private ResponseObject() {
    }

    /**
     * @param status {@code in_progress}, {@code completed} or {@code incomplete}
     * @param incompleteReason {@code max_output_tokens} or {@code content_filter} for an incomplete answer, else null
     * @param usage the Responses usage object ({@link #usage}), or null while unknown
     */
    static Map<String, Object> response(String id, long createdAt, Object model, String status,
            @Nullable String incompleteReason, List<Object> output, @Nullable Object usage) {
        return map("id", id, "object", "response", "created_at", createdAt, "status", status,
                "error", JsonTree.NULL,
                "incomplete_details", incompleteReason == null ? JsonTree.NULL : map("reason", incompleteReason),
                "instructions", JsonTree.NULL, "max_output_tokens", JsonTree.NULL, "model", model,
                "output", output, "parallel_tool_calls", Boolean.TRUE, "previous_response_id", JsonTree.NULL,
                "reasoning", map("effort", JsonTree.NULL, "summary", JsonTree.NULL), "store", Boolean.FALSE,
                "temperature", JsonTree.NULL, "text", map("format", map("type", "text")), "tool_choice", "auto",
                "tools", List.of(), "top_p", JsonTree.NULL, "truncation", "disabled",
                "usage", usage == null ? JsonTree.NULL : usage, "user", JsonTree.NULL, "metadata", map());
    }

    static Map<String, Object> message(String id, String status, @Nullable String text) {
        List<Object> content = text == null ? List.of() : List.of(outputText(text));
        return map("type", "message", "id", id, "status", status, "role", "assistant", "content", content);
    }

    static Map<String, Object> outputText(String text) {
        return map("type", "output_text", "text", text, "annotations", List.of());
    }

    static Map<String, Object> functionCall(String id, String callId, String name, String arguments, String status) {
        return map("type", "function_call", "id", id, "call_id", callId, "name", name, "arguments", arguments,
                "status", status);
    }

    static Map<String, Object> reasoning(String id, String text) {
        return map("type", "reasoning", "id", id, "summary", List.of(map("type", "summary_text", "text", text)));
    }

    /** The Responses usage object for a chat {@code usage} object (absent counts are 0). */
    static Map<String, Object> usage(Map<String, Object> chatUsage) {
        long input = JsonTree.number(chatUsage.get("prompt_tokens"), 0);
        long output = JsonTree.number(chatUsage.get("completion_tokens"), 0);
        long total = JsonTree.number(chatUsage.get("total_tokens"), Usage.of(input, output).totalTokens());
        Map<String, Object> promptDetails = JsonTree.object(chatUsage.get("prompt_tokens_details"));
        Map<String, Object> completionDetails = JsonTree.object(chatUsage.get("completion_tokens_details"));
        long cached = promptDetails == null ? 0 : JsonTree.number(promptDetails.get("cached_tokens"), 0);
        long reasoning = completionDetails == null ? 0 : JsonTree.number(completionDetails.get("reasoning_tokens"), 0);
        return map("input_tokens", input, "input_tokens_details", map("cached_tokens", cached),
                "output_tokens", output, "output_tokens_details", map("reasoning_tokens", reasoning),
                "total_tokens", total);
    }

    /** The proxy's usage record for a chat {@code usage} object. */
    static Usage toUsage(Map<String, Object> chatUsage) {
        long input = JsonTree.number(chatUsage.get("prompt_tokens"), 0);
        long output = JsonTree.number(chatUsage.get("completion_tokens"), 0);
        long total = JsonTree.number(chatUsage.get("total_tokens"), -1);
        return total < 0 ? Usage.of(input, output) : new Usage(input, output, total);
    }

    /** The {@code incomplete_details.reason} of a chat {@code finish_reason}, or null for a complete answer. */
    static @Nullable String incompleteReason(@Nullable String finishReason) {
        if ("length".equals(finishReason)) {
            return "max_output_tokens";
        }
        return "content_filter".equals(finishReason) ? "content_filter" : null;
    }
}
