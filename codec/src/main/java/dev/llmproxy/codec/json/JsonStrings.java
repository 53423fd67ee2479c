package dev.llmproxy.codec.json;

import dev.llmproxy.codec.internal.JsonText;
import io.netty.buffer.ByteBuf;

/**
 * JSON string literals as bytes, for values that are encoded once and reused (a deployment's upstream model name).
 *
 * <p>Thread-safety: stateless.
 */
public final class JsonStrings {
    private JsonStrings() {
    }

    /**
     * Returns {@code value} as a complete JSON string literal in UTF-8, quotes included ({@code a"b} becomes
     * {@code "a\"b"}). Allocates; cache the result.
     */
    public static byte[] quote(String value) {
        return JsonText.quote(value);
    }

    /**
     * Writes {@code value} as a JSON string literal at {@code out}'s writer index. The caller keeps ownership of
     * {@code out}.
     */
    public static void writeQuoted(ByteBuf out, CharSequence value) {
        JsonText.writeString(out, value);
    }
}
