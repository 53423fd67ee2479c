package dev.llmproxy.codec.bedrock;

import dev.llmproxy.codec.internal.JsonInput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * InvokeModel bodies in a model's native format ({@code bedrock/invoke/...}). For Claude: the Anthropic Messages
 * request as {@code AnthropicRequestEncoder} writes it for a body that names no model, with
 * {@code anthropic_version: bedrock-2023-05-31} and without {@code stream} (the path says whether to stream, and
 * Bedrock refuses the field), as LiteLLM sends it.
 *
 * <p>Thread-safety: stateless.
 */
public final class InvokeRequests {
    /** The {@code anthropic_version} Bedrock expects in a Claude body (LiteLLM's value). */
    public static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";

    private InvokeRequests() {
    }

    /**
     * The InvokeModel body of an Anthropic request.
     *
     * @param anthropic an Anthropic Messages request object; not taken
     * @return a new buffer from {@code alloc}, owned by the caller
     * @throws IllegalArgumentException if {@code anthropic} is not a JSON object
     */
    public static ByteBuf anthropic(ByteBufAllocator alloc, ByteBuf anthropic) {
        ByteBuf out = alloc.buffer(anthropic.readableBytes() + 16);
        try (JsonParser p = JsonInput.of(anthropic).parser();
                JsonGenerator g = JsonInput.JSON.createGenerator(ObjectWriteContext.empty(),
                        new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            g.writeStartObject();
            g.writeStringProperty("anthropic_version", ANTHROPIC_VERSION);
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("anthropic_version") || name.equals("stream") || name.equals("model")) {
                    p.skipChildren();
                } else {
                    g.writeName(name);
                    g.copyCurrentStructure(p);
                }
            }
            g.writeEndObject();
        } catch (JacksonException | IllegalArgumentException e) {
            out.release();
            throw new IllegalArgumentException("the Anthropic request is not a JSON object", e);
        }
        return out;
    }
}
