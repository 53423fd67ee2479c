package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * Translates a whole Anthropic Messages response into an OpenAI {@code chat.completion} (provider spec, section 1.4).
 *
 * <p>Text blocks are joined into {@code message.content} ({@code null} when there is none); {@code tool_use} blocks
 * become {@code tool_calls} with their input as the arguments string; {@code thinking} blocks become
 * {@code reasoning_content} (their texts joined) and {@code thinking_blocks} ({@code redacted_thinking} included);
 * {@code stop_reason} becomes {@code finish_reason}; usage counts cached input tokens as prompt tokens and reports
 * them as {@code prompt_tokens_details.cached_tokens} and Anthropic's two cache fields. A call of the
 * {@value AnthropicRequestEncoder#JSON_TOOL_NAME} tool that JSON mode added becomes the content, with finish reason
 * {@code stop}. The {@code id} and {@code model} are Anthropic's.
 *
 * <p>Thread-safety: stateless.
 */
public final class AnthropicResponses {
    private AnthropicResponses() {
    }

    /**
     * Translates a successful response body. Never throws: an error object in the body becomes the OpenAI error with
     * its status, and a body that is not a Messages response becomes a 500 {@code api_error}.
     *
     * @param body not taken, indexes unchanged
     * @param created the {@code created} time to report, epoch seconds
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, long created) {
        JsonInput input = JsonInput.of(body);
        Message message = new Message();
        try (JsonParser p = input.parser()) {
            message.read(input, p);
            if (p.nextToken() != null) {
                message.valid = false;
            }
        } catch (JacksonException e) {
            message.valid = false;
        }
        if (message.error != null) {
            AnthropicErrors.Error error = message.error;
            return AnthropicErrors.of(alloc, AnthropicErrors.statusOf(error.type()), error.type(), error.message());
        }
        if (!message.valid) {
            String text = body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8);
            return AnthropicErrors.of(alloc, 500, "api_error", AnthropicErrors.quote(text));
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            message.write(g, created);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return new TranslatedBody(out, 200, message.usage.toUsage());
    }

    /** Writes OpenAI's usage object for {@code counts}. */
    static void writeUsage(JsonGenerator g, TokenCounts counts) {
        g.writeObjectPropertyStart("usage");
        g.writeNumberProperty("prompt_tokens", counts.promptTokens());
        g.writeNumberProperty("completion_tokens", counts.output);
        g.writeNumberProperty("total_tokens", counts.promptTokens() + counts.output);
        g.writeObjectPropertyStart("prompt_tokens_details");
        g.writeNumberProperty("cached_tokens", counts.cacheRead);
        g.writeEndObject();
        g.writeNumberProperty("cache_creation_input_tokens", counts.cacheCreation);
        g.writeNumberProperty("cache_read_input_tokens", counts.cacheRead);
        g.writeEndObject();
    }

    /** The parts of a Messages response the translation uses. */
    private static final class Message {
        boolean valid = true;
        boolean isMessage;
        AnthropicErrors.@Nullable Error error;
        String id = "";
        String model = "";
        @Nullable String stopReason;
        final StringBuilder text = new StringBuilder();
        boolean hasText;
        final StringBuilder reasoning = new StringBuilder();
        final List<RawJson> thinkingBlocks = new ArrayList<>(0);
        final List<String[]> toolCalls = new ArrayList<>(0);
        @Nullable String jsonAnswer;
        final TokenCounts usage = new TokenCounts();

        void read(JsonInput input, JsonParser p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                valid = false;
                return;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                boolean string = value == JsonToken.VALUE_STRING;
                switch (name) {
                    case "type" -> isMessage = string && p.getString().equals("message");
                    case "id" -> id = string ? p.getString() : id;
                    case "model" -> model = string ? p.getString() : model;
                    case "stop_reason" -> stopReason = string ? p.getString() : null;
                    case "usage" -> usage.read(p);
                    case "content" -> readContent(input, p);
                    case "error" -> {
                        if (value == JsonToken.START_OBJECT) {
                            error = AnthropicErrors.readError(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            valid = isMessage;
        }

        private void readContent(JsonInput input, JsonParser p) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == JsonToken.START_OBJECT) {
                    readBlock(input, p);
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readBlock(JsonInput input, JsonParser p) {
            int start = JsonInput.tokenStart(p);
            String type = "";
            String blockText = null;
            String toolId = "";
            String toolName = "";
            RawJson toolInput = RawJson.EMPTY_OBJECT;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                boolean string = value == JsonToken.VALUE_STRING;
                switch (name) {
                    case "type" -> type = string ? p.getString() : "";
                    case "text", "thinking" -> blockText = string ? p.getString() : null;
                    case "id" -> toolId = string ? p.getString() : "";
                    case "name" -> toolName = string ? p.getString() : "";
                    case "input" -> toolInput = input.capture(p);
                    default -> p.skipChildren();
                }
            }
            switch (type) {
                case "text" -> {
                    if (blockText != null) {
                        text.append(blockText);
                        hasText = true;
                    }
                }
                case "tool_use" -> {
                    if (toolName.equals(AnthropicRequestEncoder.JSON_TOOL_NAME)) {
                        jsonAnswer = toolInput.json();
                    } else {
                        toolCalls.add(new String[] {toolId, toolName, toolInput.json()});
                    }
                }
                case "thinking", "redacted_thinking" -> {
                    if (blockText != null) {
                        reasoning.append(blockText);
                    }
                    thinkingBlocks.add(input.slice(start, JsonInput.tokenEnd(p)));
                }
                default -> {
                    // Server tool blocks (server_tool_use, web_search_tool_result) have no chat.completion form.
                }
            }
        }

        void write(JsonGenerator g, long created) {
            g.writeStartObject();
            g.writeStringProperty("id", id);
            g.writeStringProperty("object", "chat.completion");
            g.writeNumberProperty("created", created);
            g.writeStringProperty("model", model);
            g.writeArrayPropertyStart("choices");
            g.writeStartObject();
            g.writeNumberProperty("index", 0);
            g.writeObjectPropertyStart("message");
            g.writeStringProperty("role", "assistant");
            String content = jsonAnswer != null ? jsonAnswer : hasText ? text.toString() : null;
            if (content != null) {
                g.writeStringProperty("content", content);
            } else {
                g.writeNullProperty("content");
            }
            writeToolCalls(g);
            if (!thinkingBlocks.isEmpty()) {
                g.writeStringProperty("reasoning_content", reasoning.toString());
                g.writeArrayPropertyStart("thinking_blocks");
                for (RawJson block : thinkingBlocks) {
                    block.write(g);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeNullProperty("logprobs");
            boolean jsonOnly = jsonAnswer != null && toolCalls.isEmpty();
            g.writeStringProperty("finish_reason", jsonOnly ? "stop" : StopReasons.finishReason(stopReason));
            g.writeEndObject();
            g.writeEndArray();
            writeUsage(g, usage);
            g.writeEndObject();
        }

        private void writeToolCalls(JsonGenerator g) {
            if (toolCalls.isEmpty()) {
                return;
            }
            g.writeArrayPropertyStart("tool_calls");
            for (String[] call : toolCalls) {
                g.writeStartObject();
                g.writeStringProperty("id", call[0]);
                g.writeStringProperty("type", "function");
                g.writeObjectPropertyStart("function");
                g.writeStringProperty("name", call[1]);
                g.writeStringProperty("arguments", call[2]);
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}
