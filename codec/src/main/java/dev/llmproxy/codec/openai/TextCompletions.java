package dev.llmproxy.codec.openai;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * OpenAI's legacy text completions ({@code POST /v1/completions}) bridged through chat completions, for providers
 * that have only a chat API (Gemini, Anthropic, Bedrock...), as LiteLLM's {@code text_completion} does:
 *
 * <ul>
 *   <li>the request: {@code prompt} (a string, or a list of one string) → one {@code user} message; every other
 *       member is copied, except the parameters chat has no form of ({@code echo}, {@code suffix}, {@code best_of},
 *       and {@code logprobs}, an integer here and a boolean in chat), which are left out as LiteLLM leaves them out;
 *   <li>the answer, whole or one streamed chunk at a time: {@code object} → {@code text_completion}, each choice →
 *       {@code {text, index, logprobs: null, finish_reason}} with the text of its {@code message} (or
 *       {@code delta}) content; {@code id}, {@code created}, {@code model}, {@code usage} and anything else copied.
 * </ul>
 *
 * A list of several prompts is refused: OpenAI answers it with one choice per prompt, which one chat call cannot give
 * (LiteLLM sends them as consecutive user messages of one conversation and gets a single answer).
 *
 * <p>Thread-safety: stateless.
 */
public final class TextCompletions {
    private static final Set<String> NOT_IN_CHAT = Set.of("prompt", "echo", "suffix", "best_of", "logprobs");

    private TextCompletions() {
    }

    /**
     * The chat request for a text completion request.
     *
     * @param body the client's request; not taken, indexes unchanged
     * @return the chat request, owned by the caller
     * @throws InvalidRequestException when the body is not a JSON object, or its {@code prompt} is missing, token ids,
     *     or several prompts
     */
    public static ByteBuf toChat(ByteBufAllocator alloc, ByteBuf body) {
        ByteBuf out = alloc.buffer(body.readableBytes() + 64);
        try (JsonParser p = JsonInput.of(body).parser(); JsonGenerator g = generator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("The request body must be a JSON object", null);
            }
            g.writeStartObject();
            boolean prompted = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("prompt")) {
                    writeMessages(g, prompt(p));
                    prompted = true;
                } else if (NOT_IN_CHAT.contains(name)) {
                    p.skipChildren();
                } else {
                    g.writeName(name);
                    g.copyCurrentStructure(p);
                }
            }
            if (!prompted) {
                throw new InvalidRequestException("prompt: a prompt is required", "prompt");
            }
            g.writeEndObject();
        } catch (JacksonException e) {
            out.release();
            throw new InvalidRequestException("Invalid JSON in the request body", null);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * A chat completion, or one streamed chunk of it, as a text completion.
     *
     * @param data holds the chat JSON object at {@code [index, index + length)}; not taken, indexes unchanged
     * @return the text completion JSON (no SSE framing), owned by the caller; {@code null} when the data is not a JSON
     *     object
     */
    public static @Nullable ByteBuf fromChat(ByteBufAllocator alloc, ByteBuf data, int index, int length) {
        ByteBuf out = alloc.buffer(length + 32);
        try (JsonParser p = JsonInput.of(data, index, length).parser(); JsonGenerator g = generator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                out.release();
                return null;
            }
            g.writeStartObject();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("object") && value == JsonToken.VALUE_STRING) {
                    g.writeStringProperty("object", "text_completion");
                } else if (name.equals("choices") && value == JsonToken.START_ARRAY) {
                    writeChoices(p, g);
                } else {
                    g.writeName(name);
                    g.copyCurrentStructure(p);
                }
            }
            g.writeEndObject();
        } catch (JacksonException e) {
            out.release();
            return null;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * Chat SSE events, whole and of one {@code data} line each, as text completion events: each chunk translated,
     * {@code [DONE]} and anything that is not a JSON object (an error event) passed on as it is.
     *
     * @param framed not taken, indexes unchanged
     * @return the events, owned by the caller
     */
    public static ByteBuf fromChatEvents(ByteBufAllocator alloc, ByteBuf framed) {
        ByteBuf out = alloc.buffer(framed.readableBytes() + 64);
        try {
            SseEvents.forEachDataLine(framed, (buf, index, length) -> {
                ByteBuf translated = SseEvents.isDone(buf, index, length) ? null
                        : fromChat(alloc, buf, index, length);
                SseEvents.startData(out);
                if (translated == null) {
                    out.writeBytes(buf, index, length);
                } else {
                    out.writeBytes(translated);
                    translated.release();
                }
                SseEvents.endEvent(out);
            });
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The one prompt text; leaves the parser on the value's last token. */
    private static String prompt(JsonParser p) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        if (token == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
            String only = p.getString();
            if (p.nextToken() == JsonToken.END_ARRAY) {
                return only;
            }
            throw new InvalidRequestException("prompt: a list of several prompts is not supported for this model "
                    + "(its provider has no text completions API); send one prompt per request", "prompt");
        }
        throw new InvalidRequestException("prompt: a string is required for this model (its provider has no text "
                + "completions API, so token ids cannot be sent)", "prompt");
    }

    private static void writeMessages(JsonGenerator g, String prompt) {
        g.writeArrayPropertyStart("messages");
        g.writeStartObject();
        g.writeStringProperty("role", "user");
        g.writeStringProperty("content", prompt);
        g.writeEndObject();
        g.writeEndArray();
    }

    private static void writeChoices(JsonParser p, JsonGenerator g) {
        g.writeArrayPropertyStart("choices");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            String text = "";
            int index = 0;
            String finishReason = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("index") && value == JsonToken.VALUE_NUMBER_INT) {
                    index = p.getIntValue();
                } else if (name.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                    finishReason = p.getString();
                } else if ((name.equals("message") || name.equals("delta")) && value == JsonToken.START_OBJECT) {
                    text = content(p);
                } else {
                    p.skipChildren();
                }
            }
            g.writeStartObject();
            g.writeStringProperty("text", text);
            g.writeNumberProperty("index", index);
            g.writeNullProperty("logprobs");
            if (finishReason == null) {
                g.writeNullProperty("finish_reason");
            } else {
                g.writeStringProperty("finish_reason", finishReason);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The {@code content} text of the message or delta the parser is at ("" when it has none). */
    private static String content(JsonParser p) {
        String text = "";
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("content") && value == JsonToken.VALUE_STRING) {
                text = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return text;
    }


    private static JsonGenerator generator(ByteBuf out) {
        return JsonInput.JSON.createGenerator(ObjectWriteContext.empty(), new ByteBufOutputStream(out),
                JsonEncoding.UTF8);
    }
}
