package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How keys are stored: the lowercase hex SHA-256 of the whole key's UTF-8 bytes, {@code sk-} included, as LiteLLM
 * stores them, so keys imported from LiteLLM keep working. Thread-safe (stateless).
 */
public final class KeyHash {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int HASH_CHARS = 64;

    private KeyHash() {}

    /** The stored form of {@code key}. */
    public static String of(String key) {
        requireNonNull(key, "key");
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest Javadoc).
            throw new IllegalStateException(e);
        }
        byte[] digest = sha256.digest(key.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[HASH_CHARS];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return new String(out);
    }

    /** Whether {@code value} looks like a stored hash (64 lowercase hex characters) rather than a key. */
    public static boolean isHash(String value) {
        if (value.length() != HASH_CHARS) {
            return false;
        }
        for (int i = 0; i < HASH_CHARS; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * The hash for a value that may be a key or already its hash, as LiteLLM's management routes accept both.
     */
    public static String ofKeyOrHash(String keyOrHash) {
        return isHash(keyOrHash) ? keyOrHash : of(keyOrHash);
    }

    /** The display abbreviation LiteLLM stores as {@code key_name}: {@code sk-...} and the key's last 4 characters. */
    public static String displayName(String key) {
        return "sk-..." + key.substring(Math.max(0, key.length() - 4));
    }

    static String requireHash(String token) {
        requireNonNull(token, "token");
        if (!isHash(token)) {
            throw new IllegalArgumentException("token: expected 64 lowercase hex characters (a SHA-256 hash)");
        }
        return token;
    }
}
