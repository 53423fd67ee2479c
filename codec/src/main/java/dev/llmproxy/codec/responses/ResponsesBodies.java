package dev.llmproxy.codec.responses;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Rebuilds a whole chat completion as a Responses API {@code response} object: the assistant's text as one
 * {@code message} item, each tool call as a {@code function_call} item, reasoning content as a {@code reasoning}
 * item first, and the usage as {@code input_tokens}/{@code output_tokens} (provider spec, section 8).
 *
 * <p>Thread-safety: stateless.
 */
public final class ResponsesBodies {
    private static final int BAD_GATEWAY = 502;

    private ResponsesBodies() {
    }

    /**
     * Translates a chat completion.
     *
     * @param chat the chat completion JSON; not taken, indexes unchanged
     * @param ids the ids of the response and its items
     * @param createdAt {@code created_at}, epoch seconds, when the chat body has no {@code created}
     * @return the response (status 200), or an OpenAI error (status 502) when {@code chat} is not a chat completion;
     *     the body is a new buffer from {@code alloc} owned by the caller
     */
    public static TranslatedBody fromChat(ByteBufAllocator alloc, ByteBuf chat, ResponseIds ids, long createdAt) {
        Map<String, Object> completion;
        try {
            completion = JsonTree.object(JsonTree.read(chat));
        } catch (IllegalArgumentException e) {
            completion = null;
        }
        List<Object> choices = completion == null ? null : JsonTree.array(completion.get("choices"));
        Map<String, Object> choice = choices == null || choices.isEmpty() ? null : JsonTree.object(choices.get(0));
        Map<String, Object> message = choice == null ? null : JsonTree.object(choice.get("message"));
        if (completion == null || choice == null || message == null) {
            return new TranslatedBody(error(alloc), BAD_GATEWAY, null);
        }
        List<Object> output = new ArrayList<>();
        String reasoning = JsonTree.string(message.get("reasoning_content"));
        if (reasoning != null && !reasoning.isEmpty()) {
            output.add(ResponseObject.reasoning(ids.reasoning(), reasoning));
        }
        String content = JsonTree.string(message.get("content"));
        if (content != null) {
            output.add(ResponseObject.message(ids.message(), "completed", content));
        }
        List<Object> toolCalls = JsonTree.array(message.get("tool_calls"));
        if (toolCalls != null) {
            for (int i = 0; i < toolCalls.size(); i++) {
                Map<String, Object> call = JsonTree.object(toolCalls.get(i));
                Map<String, Object> function = call == null ? null : JsonTree.object(call.get("function"));
                if (call == null || function == null) {
                    continue;
                }
                String arguments = JsonTree.string(function.get("arguments"));
                output.add(ResponseObject.functionCall(ids.functionCall(i), orEmpty(JsonTree.string(call.get("id"))),
                        orEmpty(JsonTree.string(function.get("name"))), arguments == null ? "{}" : arguments,
                        "completed"));
            }
        }
        String reason = ResponseObject.incompleteReason(JsonTree.string(choice.get("finish_reason")));
        Map<String, Object> chatUsage = JsonTree.object(completion.get("usage"));
        Usage usage = chatUsage == null ? null : ResponseObject.toUsage(chatUsage);
        long created = JsonTree.number(completion.get("created"), createdAt);
        Object model = completion.getOrDefault("model", "");
        Map<String, Object> response = ResponseObject.response(ids.response(), created, model,
                reason == null ? "completed" : "incomplete", reason, output,
                chatUsage == null ? null : ResponseObject.usage(chatUsage));
        return new TranslatedBody(JsonTree.encode(alloc, response), 200, usage);
    }

    private static String orEmpty(@Nullable String value) {
        return value == null ? "" : value;
    }

    private static ByteBuf error(ByteBufAllocator alloc) {
        return ByteBufUtil.writeUtf8(alloc, "{\"error\":{\"message\":\"The provider's answer could not be read as a "
                + "chat completion\",\"type\":\"api_error\",\"param\":null,\"code\":\"502\"}}");
    }
}
