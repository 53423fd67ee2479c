package dev.llmproxy.codec.messages;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tool names of a {@code /v1/messages} request shortened to the 64 characters OpenAI-shaped providers take (Gemini
 * and OpenAI refuse longer function names; Claude Code's MCP tools, {@code mcp__<server>__<tool>}, often exceed it),
 * and the way back, so that a tool call in the answer carries the name the client declared.
 *
 * <p>LiteLLM's rule ({@code truncate_tool_name} in its Anthropic adapter): a name of more than 64 characters becomes
 * its first 55 characters, {@code _}, and the first 8 hex digits of the SHA-256 of the whole name (UTF-8), so two long
 * names with the same beginning stay apart. Characters are counted as Unicode code points, as Python counts them. The
 * map back holds the names of the request's tool definitions that were shortened.
 *
 * <p>Thread-safety: immutable once the request is translated; {@link #shorten} is stateless.
 */
public final class ToolNames {
    /** Names no request shortened: the answer's names are the client's. */
    public static final ToolNames NONE = new ToolNames(Map.of());

    static final int MAX_LENGTH = 64;
    private static final int PREFIX_LENGTH = 55;
    private static final int HASH_HEX_DIGITS = 8;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Map<String, String> originals;

    private ToolNames(Map<String, String> originals) {
        this.originals = originals;
    }

    /** {@code name} itself when it is at most 64 characters long, else its shortened form. */
    public static String shorten(String name) {
        if (name.codePointCount(0, name.length()) <= MAX_LENGTH) {
            return name;
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        StringBuilder out = new StringBuilder(MAX_LENGTH);
        out.append(name, 0, name.offsetByCodePoints(0, PREFIX_LENGTH)).append('_');
        for (int i = 0; i < HASH_HEX_DIGITS / 2; i++) {
            out.append(HEX[(digest[i] >> 4) & 0xf]).append(HEX[digest[i] & 0xf]);
        }
        return out.toString();
    }

    /** The name the client declared for a tool the provider named {@code name} ({@code name} when not shortened). */
    public @Nullable String original(@Nullable String name) {
        if (name == null || originals.isEmpty()) {
            return name;
        }
        return originals.getOrDefault(name, name);
    }

    /** Whether no name was shortened. */
    public boolean isEmpty() {
        return originals.isEmpty();
    }

    /** Collects the shortened names of one request's tool definitions. */
    static final class Builder {
        private final Map<String, String> originals = new HashMap<>();

        /** Shortens {@code name}, remembering it when it changed. */
        String add(String name) {
            String shortened = shorten(name);
            if (!shortened.equals(name)) {
                originals.put(shortened, name);
            }
            return shortened;
        }

        ToolNames build() {
            return originals.isEmpty() ? NONE : new ToolNames(Map.copyOf(originals));
        }
    }
}
