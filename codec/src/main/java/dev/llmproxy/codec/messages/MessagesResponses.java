package dev.llmproxy.codec.messages;

import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.internal.RawJson;
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
 * {@code thinking_blocks} → {@code thinking} and {@code redacted_thinking} blocks with their signatures (else
 * {@code reasoning_content} → one {@code thinking} block without a signature), {@code content} → a {@code text} block,
 * each tool call → a {@code tool_use} block with its parsed arguments and the name the client declared
 * ({@link ToolNames}); {@code finish_reason} → {@code stop_reason}; usage with the cache reads and writes reported
 * apart ({@code input_tokens} counts only the other prompt tokens, as Anthropic does; see {@link #anthropicUsage}).
 *
 * <p>Thread-safety: stateless.
 */
public final class MessagesResponses {

    private MessagesResponses() {
    }

    /** Translates {@code body}, a request that shortened no tool name. */
    public static TranslatedBody fromChat(ByteBufAllocator alloc, ByteBuf body, int status) {
        return fromChat(alloc, body, status, ToolNames.NONE);
    }

    /**
     * Translates {@code body}.
     *
     * @param body the provider's OpenAI-shaped body; not taken, indexes unchanged
     * @param status the provider's (successful) status
     * @param toolNames the tool names the request's translation shortened
     * @return the Anthropic message with the same status and the usage, or a 502 Anthropic error when the body is not
     *     a chat completion; the buffer is owned by the caller
     */
    public static TranslatedBody fromChat(ByteBufAllocator alloc, ByteBuf body, int status, ToolNames toolNames) {
        Map<String, @Nullable Object> completion;
        try {
            completion = JsonTree.object(JsonTree.read(body));
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
        out.put("content", content(message, toolNames));
        Object finish = choice.get("finish_reason");
        out.put("stop_reason", MessagesStream.stopReason(finish instanceof String f ? f : "stop"));
        out.put("stop_sequence", null);
        Map<String, @Nullable Object> usage = JsonTree.object(completion.get("usage"));
        long prompt = count(usage, "prompt_tokens");
        long completionTokens = count(usage, "completion_tokens");
        out.put("usage", anthropicUsage(usage, prompt, completionTokens));
        return new TranslatedBody(JsonTree.encode(alloc, out, body.readableBytes() + 64), status,
                usage == null ? null : Usage.of(prompt, completionTokens));
    }

    /**
     * Anthropic's usage from OpenAI's (provider spec, section 2.3): the cache reads are the explicit
     * {@code cache_read_input_tokens}, else {@code prompt_tokens_details.cached_tokens}; the cache writes
     * {@code cache_creation_input_tokens}; {@code input_tokens} is the prompt tokens less both, never below 0. The
     * cache fields are written only when they are above 0.
     */
    private static Map<String, @Nullable Object> anthropicUsage(@Nullable Map<String, @Nullable Object> usage,
            long prompt, long completionTokens) {
        Map<String, @Nullable Object> details = usage == null ? null
                : JsonTree.object(usage.get("prompt_tokens_details"));
        long read = usage != null && usage.get("cache_read_input_tokens") instanceof RawJson
                ? count(usage, "cache_read_input_tokens") : count(details, "cached_tokens");
        long creation = count(usage, "cache_creation_input_tokens");
        Map<String, @Nullable Object> anthropicUsage = new LinkedHashMap<>();
        anthropicUsage.put("input_tokens", Math.max(0, prompt - read - creation));
        anthropicUsage.put("output_tokens", completionTokens);
        if (creation > 0) {
            anthropicUsage.put("cache_creation_input_tokens", creation);
        }
        if (read > 0) {
            anthropicUsage.put("cache_read_input_tokens", read);
        }
        return anthropicUsage;
    }

    private static List<@Nullable Object> content(Map<String, @Nullable Object> message, ToolNames toolNames) {
        List<@Nullable Object> blocks = new ArrayList<>();
        List<@Nullable Object> thinkingBlocks = JsonTree.array(message.get("thinking_blocks"));
        Object reasoning = message.get("reasoning_content");
        if (thinkingBlocks != null && !thinkingBlocks.isEmpty()) {
            for (Object thinkingBlock : thinkingBlocks) {
                Map<String, @Nullable Object> block = thinkingBlock(thinkingBlock);
                if (block != null) {
                    blocks.add(block);
                }
            }
        } else if (reasoning instanceof String thinking && !thinking.isEmpty()) {
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
                block.put("name", toolNames.original(JsonTree.string(function.get("name"))));
                block.put("input", arguments(function.get("arguments")));
                blocks.add(block);
            }
        }
        return blocks;
    }

    /** An OpenAI {@code thinking_blocks} entry as Anthropic's block; null for anything else. */
    private static @Nullable Map<String, @Nullable Object> thinkingBlock(@Nullable Object entry) {
        Map<String, @Nullable Object> in = JsonTree.object(entry);
        if (in == null) {
            return null;
        }
        Map<String, @Nullable Object> block = new LinkedHashMap<>();
        if ("redacted_thinking".equals(in.get("type"))) {
            block.put("type", "redacted_thinking");
            block.put("data", in.get("data") instanceof String data ? data : "");
            return block;
        }
        if (!"thinking".equals(in.get("type"))) {
            return null;
        }
        block.put("type", "thinking");
        block.put("thinking", in.get("thinking") instanceof String text ? text : "");
        block.put("signature", in.get("signature") instanceof String signature ? signature : "");
        return block;
    }

    /** The arguments a model wrote, as an object; text that is not a JSON object becomes an empty input. */
    private static Object arguments(@Nullable Object arguments) {
        if (arguments instanceof String text && !text.isBlank()) {
            try {
                Object parsed = JsonTree.read(Unpooled.wrappedBuffer(
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
        return object != null && object.get(name) instanceof RawJson n ? Math.max(0, JsonTree.number(n)) : 0;
    }
}
