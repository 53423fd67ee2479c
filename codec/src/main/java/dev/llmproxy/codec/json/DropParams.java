package dev.llmproxy.codec.json;

import dev.llmproxy.codec.internal.JsonInput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Removes top-level parameters from a request body that is otherwise forwarded as it is: LiteLLM's own
 * {@code drop_params} and {@code additional_drop_params} (which no provider knows, and which OpenAI refuses as
 * unrecognized), and the parameters {@code additional_drop_params} names, in the request or in the deployment.
 *
 * <p>The kept members are copied as they were written, not parsed into values and written again. Only requests
 * that carry these parameters ({@link RequestInfo#hasDropParams()}) or go to a deployment with
 * {@code additional_drop_params} take this path; the others are forwarded without it.
 *
 * <p>Thread-safety: stateless.
 */
public final class DropParams {
    private static final Set<String> OWN = Set.of("drop_params", "additional_drop_params");
    private static final ByteBuf MARKER = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("drop_params\"".getBytes(StandardCharsets.US_ASCII)));

    private DropParams() {
    }

    /**
     * Reads the request's own {@code drop_params} and {@code additional_drop_params}, for translations that must know
     * them before the parameters they govern (which may come first in the body). A body that does not mention them is
     * not parsed.
     *
     * @param body a JSON request; not taken, indexes unchanged
     * @param names receives the names {@code additional_drop_params} lists
     * @return whether the request sets {@code drop_params: true}
     * @throws IllegalArgumentException if {@code body} is not valid JSON
     */
    public static boolean readRequest(ByteBuf body, Set<String> names) {
        if (ByteBufUtil.indexOf(MARKER.duplicate(), body) < 0) {
            return false;
        }
        boolean drop = false;
        try (JsonParser p = JsonInput.of(body).parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("drop_params")) {
                    drop = value == JsonToken.VALUE_TRUE;
                } else if (name.equals("additional_drop_params") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            names.add(p.getString());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("request body is not valid JSON", e);
        }
        return drop;
    }

    /**
     * Returns {@code body} without {@code drop_params}, {@code additional_drop_params}, the parameters the latter
     * names, and {@code alwaysDropped}.
     *
     * @param body a valid JSON object (the proxy's request scan checked it); not taken, indexes unchanged
     * @return a new buffer from {@code alloc}, owned by the caller
     * @throws IllegalArgumentException if {@code body} is not a JSON object
     */
    public static ByteBuf strip(ByteBufAllocator alloc, ByteBuf body, Set<String> alwaysDropped) {
        JsonInput input = JsonInput.of(body);
        Set<String> dropped = new HashSet<>(alwaysDropped);
        dropped.addAll(OWN);
        readRequest(body, dropped);
        ByteBuf out = alloc.buffer(body.readableBytes());
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("request body is not a JSON object");
            }
            out.writeByte('{');
            boolean first = true;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                int start = JsonInput.tokenStart(p);
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isStructStart()) {
                    p.skipChildren();
                } else {
                    p.finishToken();
                }
                int end = JsonInput.tokenEnd(p);
                if (dropped.contains(name)) {
                    continue;
                }
                if (!first) {
                    out.writeByte(',');
                }
                first = false;
                out.writeBytes(input.array(), input.offset() + start, end - start);
            }
            return out.writeByte('}');
        } catch (RuntimeException e) {
            // JacksonException is one: a body the scan accepted but Jackson does not (it cannot happen in practice).
            out.release();
            throw new IllegalArgumentException("request body is not valid JSON", e);
        }
    }
}
