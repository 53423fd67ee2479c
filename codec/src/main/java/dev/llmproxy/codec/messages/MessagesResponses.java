package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Translates a whole OpenAI {@code chat.completion} into an Anthropic {@code message} (provider spec, section 2.3):
 * {@code reasoning_content} → a {@code thinking} block, {@code content} → a {@code text} block, each tool call → a
 * {@code tool_use} block with its parsed arguments; {@code finish_reason} → {@code stop_reason}; usage with the cached
 * prompt tokens reported apart ({@code input_tokens} counts only the uncached ones, as Anthropic does).
 *
 * <p>Thread-safety: stateless.
 */
public final class MessagesResponses {

    private MessagesResponses() {
    }

    /**
     * Translates {@code body}.
     *
     * @param body the provider's OpenAI-shaped body; not taken, indexes unchanged
     * @param status the provider's (successful) status
     * @return the Anthropic message with the same status and the usage, or a 502 Anthropic error when the body is not
     *     a chat completion; the buffer is owned by the caller
     */
    public static TranslatedBody fromChat(ByteBufAllocator alloc, ByteBuf body, int status) {
        Map<String, @Nullable Object> completion;
        try {
            completion = JsonTree.object(JsonTree.parse(body));
        } catch (JacksonException | IllegalArgumentException e) {
            completion = null;
        }
        List<@Nullable Object> choices = completion == null ? null : JsonTree.array(completion.get("choices"));
        Map<String, @Nullable Object> choice = choices == null || choices.isEmpty() ? null
                : JsonTree.object(choices.get(0));
        Map<String, @Nullable Object> message = choice == null ? null : JsonTree.object(choice.get("message"));
        if (completion == null || choice == null || message == null) {
            return new TranslatedBody(MessagesErrors.body(alloc, 502,
                    "The provider's response is not a chat completion"), 502, null);
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        Object id = completion.get("id");
        out.put("id", "msg_" + (id instanceof String s ? s : ""));
        out.put("type", "message");
        out.put("role", "assistant");
        out.put("model", completion.get("model") instanceof String model ? model : "");
        out.put("content", content(message));
        Object finish = choice.get("finish_reason");
        out.put("stop_reason", MessagesStream.stopReason(finish instanceof String f ? f : "stop"));
        out.put("stop_sequence", null);
        Map<String, @Nullable Object> usage = JsonTree.object(completion.get("usage"));
        long prompt = count(usage, "prompt_tokens");
        long completionTokens = count(usage, "completion_tokens");
        Map<String, @Nullable Object> details = usage == null ? null
                : JsonTree.object(usage.get("prompt_tokens_details"));
        long cached = Math.min(prompt, count(details, "cached_tokens"));
        Map<String, @Nullable Object> anthropicUsage = new LinkedHashMap<>();
        anthropicUsage.put("input_tokens", prompt - cached);
        anthropicUsage.put("output_tokens", completionTokens);
        if (cached > 0) {
            anthropicUsage.put("cache_read_input_tokens", cached);
        }
        out.put("usage", anthropicUsage);
        return new TranslatedBody(JsonTree.write(alloc, out, body.readableBytes() + 64), status,
                usage == null ? null : Usage.of(prompt, completionTokens));
    }

    private static List<@Nullable Object> content(Map<String, @Nullable Object> message) {
        List<@Nullable Object> blocks = new ArrayList<>();
        Object reasoning = message.get("reasoning_content");
        if (reasoning instanceof String thinking && !thinking.isEmpty()) {
            Map<String, @Nullable Object> block = new LinkedHashMap<>();
            block.put("type", "thinking");
            block.put("thinking", thinking);
            block.put("signature", "");
            blocks.add(block);
        }
        if (message.get("content") instanceof String text) {
            Map<String, @Nullable Object> block = new LinkedHashMap<>();
            block.put("type", "text");
            block.put("text", text);
            blocks.add(block);
        }
        List<@Nullable Object> calls = JsonTree.array(message.get("tool_calls"));
        if (calls != null) {
            for (Object call : calls) {
                Map<String, @Nullable Object> c = JsonTree.object(call);
                if (c == null) {
                    continue;
                }
                Map<String, @Nullable Object> function = JsonTree.object(c.get("function"));
                if (function == null) {
                    continue;
                }
                Map<String, @Nullable Object> block = new LinkedHashMap<>();
                block.put("type", "tool_use");
                block.put("id", c.get("id"));
                block.put("name", function.get("name"));
                block.put("input", arguments(function.get("arguments")));
                blocks.add(block);
            }
        }
        return blocks;
    }

    /** The arguments a model wrote, as an object; text that is not a JSON object becomes an empty input. */
    private static Object arguments(@Nullable Object arguments) {
        if (arguments instanceof String text && !text.isBlank()) {
            try {
                Object parsed = JsonTree.parse(Unpooled.wrappedBuffer(
                        text.getBytes(StandardCharsets.UTF_8)));
                if (parsed instanceof Map<?, ?>) {
                    return parsed;
                }
            } catch (JacksonException | IllegalArgumentException e) {
                // A model may write invalid JSON as arguments; the client gets an empty input rather than an error.
                return new LinkedHashMap<String, @Nullable Object>();
            }
        }
        return arguments instanceof Map<?, ?> map ? map : new LinkedHashMap<String, @Nullable Object>();
    }

    private static long count(@Nullable Map<String, @Nullable Object> object, String name) {
        return object != null && object.get(name) instanceof JsonTree.Num n ? Math.max(0, n.longValue()) : 0;
    }
}
