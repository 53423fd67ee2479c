package dev.llmproxy.codec.files;

import dev.llmproxy.codec.internal.JsonInput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * Rewrites the ids of OpenAI file and batch objects: the string members of the top-level object and of the objects
 * in its {@code data} array (a list's items) that a {@link Rewrite} names, e.g. {@code id}, {@code input_file_id},
 * {@code output_file_id}, {@code error_file_id}, {@code first_id}, {@code last_id}. Everything else is copied token
 * by token, so the body keeps its meaning (not its whitespace).
 *
 * <p>Thread-safety: stateless.
 */
public final class FileIdRewriter {

    private FileIdRewriter() {
    }

    /** What to do with the members of an object the rewriter visits. */
    public interface Rewrite {

        /** The new value of string member {@code key}, or null to keep {@code value}. */
        @Nullable String value(String key, String value);

        /** Whether member {@code key} is left out. */
        default boolean drops(String key) {
            return false;
        }
    }

    /**
     * The top-level string members of a JSON object named in {@code keys} (absent ones are left out), or null when
     * the body is not a JSON object.
     *
     * @param body not taken, indexes unchanged
     */
    public static @Nullable Map<String, String> topLevelStrings(ByteBuf body, Set<String> keys) {
        JsonInput input = JsonInput.of(body);
        Map<String, String> found = new HashMap<>();
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && keys.contains(key)) {
                    found.put(key, p.getString());
                } else {
                    p.skipChildren();
                }
            }
            return token == JsonToken.END_OBJECT && p.nextToken() == null ? found : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * The body with its members rewritten.
     *
     * @param body not taken, indexes unchanged
     * @return a new buffer owned by the caller, or null when the body is not a JSON object
     */
    public static @Nullable ByteBuf rewrite(ByteBufAllocator alloc, ByteBuf body, Rewrite rewrite) {
        JsonInput input = JsonInput.of(body);
        ByteBuf out = alloc.buffer(body.readableBytes() + 256);
        boolean object = false;
        try (JsonParser p = input.parser();
                JsonGenerator g = JsonInput.JSON.createGenerator(
                        ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                copyObject(p, g, rewrite, true);
                object = p.nextToken() == null;
            }
        } catch (JacksonException e) {
            object = false;
        }
        // Released only here: closing the generator flushes into the buffer.
        if (!object) {
            out.release();
            return null;
        }
        return out;
    }

    /** Copies the object {@code p} is at the start of, rewriting its members; {@code root} also visits {@code data}. */
    private static void copyObject(JsonParser p, JsonGenerator g, Rewrite rewrite, boolean root) {
        g.writeStartObject();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (rewrite.drops(key)) {
                p.skipChildren();
                continue;
            }
            g.writeName(key);
            if (value == JsonToken.VALUE_STRING) {
                String text = p.getString();
                String replaced = rewrite.value(key, text);
                g.writeString(replaced != null ? replaced : text);
            } else if (root && value == JsonToken.START_ARRAY && key.equals("data")) {
                g.writeStartArray();
                JsonToken item;
                while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (item == JsonToken.START_OBJECT) {
                        copyObject(p, g, rewrite, false);
                    } else {
                        g.copyCurrentStructure(p);
                    }
                }
                g.writeEndArray();
            } else {
                g.copyCurrentStructure(p);
            }
        }
        g.writeEndObject();
    }
}
