package dev.llmproxy.codec.bedrock;

import static dev.llmproxy.codec.internal.JsonTree.list;
import static dev.llmproxy.codec.internal.JsonTree.object;
import static dev.llmproxy.codec.internal.JsonTree.string;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.JsonTree;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectWriteContext;

/**
 * Translates a whole Converse response into an OpenAI {@code chat.completion} (provider spec, section 5.4): text
 * blocks joined into {@code content}, {@code toolUse} blocks into {@code tool_calls} (the input as its JSON text),
 * {@code reasoningContent} into {@code reasoning_content} and {@code thinking_blocks}, {@code stopReason} into
 * {@code finish_reason}, {@code usage} with the cache tokens.
 *
 * <p>Thread-safety: stateless.
 */
public final class ConverseResponses {
    private ConverseResponses() {
    }

    /**
     * Translates {@code body}. Never throws for bad input: a body that is not a Converse response becomes a 500
     * OpenAI error.
     *
     * @param body not taken, indexes unchanged
     * @param id the completion's {@code id}
     * @param created epoch seconds
     * @param model the model the answer reports (the deployment's)
     * @return the translation, its body a new buffer owned by the caller
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, String id, long created,
            String model) {
        Map<String, Object> response = read(body);
        Map<String, Object> output = response == null ? null : object(response.get("output"));
        Map<String, Object> message = output == null ? null : object(output.get("message"));
        if (response == null || message == null) {
            String start = body.toString(body.readerIndex(), Math.min(body.readableBytes(), 200),
                    StandardCharsets.UTF_8);
            return BedrockErrors.of(alloc, 500, "Unexpected response from Bedrock: " + start);
        }
        ConverseUsage usage = new ConverseUsage();
        Map<String, Object> usageObject = object(response.get("usage"));
        if (usageObject != null) {
            usage.seen = true;
            usage.input = JsonTree.number(usageObject.get("inputTokens"));
            usage.output = JsonTree.number(usageObject.get("outputTokens"));
            usage.total = usageObject.containsKey("totalTokens") ? JsonTree.number(usageObject.get("totalTokens")) : -1;
            usage.cacheRead = JsonTree.number(usageObject.get("cacheReadInputTokens"));
            usage.cacheWrite = JsonTree.number(usageObject.get("cacheWriteInputTokens"));
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            write(g, message, string(response.get("stopReason")), id, created, model);
            g.writeName("usage");
            g.flush();
            ByteBuf usageJson = alloc.buffer(256);
            try {
                usage.writeTo(usageJson);
                g.writeRawValue(usageJson.toString(StandardCharsets.US_ASCII));
            } finally {
                usageJson.release();
            }
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return new TranslatedBody(out, 200, usage.seen ? usage.toUsage() : null);
    }

    private static void write(JsonGenerator g, Map<String, Object> message, @Nullable String stopReason, String id,
            long created, String model) {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<Map<String, Object>> toolUses = new ArrayList<>();
        List<Map<String, Object>> thinking = new ArrayList<>();
        for (Object item : list(message.get("content"))) {
            Map<String, Object> block = object(item);
            if (block == null) {
                continue;
            }
            if (block.get("text") instanceof String t) {
                text.append(t);
            }
            Map<String, Object> toolUse = object(block.get("toolUse"));
            if (toolUse != null) {
                toolUses.add(toolUse);
            }
            Map<String, Object> reasoningContent = object(block.get("reasoningContent"));
            Map<String, Object> reasoningText = reasoningContent == null ? null
                    : object(reasoningContent.get("reasoningText"));
            if (reasoningText != null) {
                String part = string(reasoningText.get("text"));
                reasoning.append(part == null ? "" : part);
                thinking.add(reasoningText);
            }
        }
        g.writeStartObject();
        g.writeStringProperty("id", id);
        g.writeStringProperty("object", "chat.completion");
        g.writeNumberProperty("created", created);
        g.writeStringProperty("model", model);
        g.writeName("choices");
        g.writeStartArray();
        g.writeStartObject();
        g.writeNumberProperty("index", 0);
        g.writeName("message");
        g.writeStartObject();
        g.writeStringProperty("role", "assistant");
        if (text.length() > 0 || toolUses.isEmpty()) {
            g.writeStringProperty("content", text.toString());
        } else {
            g.writeNullProperty("content");
        }
        if (!thinking.isEmpty()) {
            g.writeStringProperty("reasoning_content", reasoning.toString());
            g.writeName("thinking_blocks");
            g.writeStartArray();
            for (Map<String, Object> block : thinking) {
                g.writeStartObject();
                g.writeStringProperty("type", "thinking");
                String part = string(block.get("text"));
                g.writeStringProperty("thinking", part == null ? "" : part);
                String signature = string(block.get("signature"));
                if (signature != null) {
                    g.writeStringProperty("signature", signature);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (!toolUses.isEmpty()) {
            g.writeName("tool_calls");
            g.writeStartArray();
            for (Map<String, Object> toolUse : toolUses) {
                writeToolCall(g, toolUse);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeNullProperty("logprobs");
        g.writeStringProperty("finish_reason", StopReasons.finishReason(stopReason));
        g.writeEndObject();
        g.writeEndArray();
    }

    private static void writeToolCall(JsonGenerator g, Map<String, Object> toolUse) {
        g.writeStartObject();
        String id = string(toolUse.get("toolUseId"));
        g.writeStringProperty("id", id == null ? "" : id);
        g.writeStringProperty("type", "function");
        g.writeName("function");
        g.writeStartObject();
        String name = string(toolUse.get("name"));
        g.writeStringProperty("name", name == null ? "" : name);
        Object input = toolUse.get("input");
        ByteBuf json = io.netty.buffer.Unpooled.buffer(128);
        try (JsonGenerator args = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(json), JsonEncoding.UTF8)) {
            JsonTree.write(args, input == null ? JsonTree.map() : input);
        }
        g.writeStringProperty("arguments", json.toString(StandardCharsets.UTF_8));
        json.release();
        g.writeEndObject();
        g.writeEndObject();
    }

    private static @Nullable Map<String, Object> read(ByteBuf body) {
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() == null) {
                return null;
            }
            Map<String, Object> value = object(JsonTree.read(p));
            return p.nextToken() == null ? value : null;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }
}
