package dev.llmproxy.proxy.keys;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of keys into per-thread buffers, so hashing a presented key allocates nothing (keys are ASCII: {@code sk-}
 * and URL-safe base64 or hex; anything else takes the allocating path). Converts between the 32 bytes and the
 * lowercase hex the store uses.
 *
 * <p>Thread-safety: the buffers are per thread; a returned array is valid until the thread's next call.
 */
final class KeyHashes {
    static final int HASH_BYTES = 32;
    private static final int MAX_ASCII_KEY = 512;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private KeyHashes() {}

    /** The SHA-256 of {@code key}'s UTF-8 bytes, in this thread's buffer (overwritten by the next call). */
    static byte[] sha256(String key) {
        return sha256(key, 0, key.length());
    }

    /** The SHA-256 of the UTF-8 bytes of {@code text[start, end)}, in this thread's buffer. */
    static byte[] sha256(String text, int start, int end) {
        Scratch s = SCRATCH.get();
        MessageDigest digest = s.digest;
        digest.reset();
        int length = end - start;
        if (length <= MAX_ASCII_KEY && isAscii(text, start, end)) {
            for (int i = 0; i < length; i++) {
                s.input[i] = (byte) text.charAt(start + i);
            }
            digest.update(s.input, 0, length);
        } else {
            digest.update(text.substring(start, end).getBytes(StandardCharsets.UTF_8));
        }
        try {
            digest.digest(s.hash, 0, HASH_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 writes 32 bytes", e);
        }
        return s.hash;
    }

    /** Lowercase hex of a 32-byte hash (the store's {@code token}). */
    static String hex(byte[] hash) {
        char[] out = new char[HASH_BYTES * 2];
        for (int i = 0; i < HASH_BYTES; i++) {
            out[2 * i] = HEX[(hash[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[hash[i] & 0xf];
        }
        return new String(out);
    }

    /** The 32 bytes of a lowercase hex hash. */
    static byte[] fromHex(String token) {
        if (token.length() != HASH_BYTES * 2) {
            throw new IllegalArgumentException("token: expected 64 hex characters");
        }
        byte[] out = new byte[HASH_BYTES];
        for (int i = 0; i < HASH_BYTES; i++) {
            out[i] = (byte) (Character.digit(token.charAt(2 * i), 16) << 4 | Character.digit(token.charAt(2 * i + 1), 16));
        }
        return out;
    }

    private static boolean isAscii(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static final class Scratch {
        final MessageDigest digest = newSha256();
        final byte[] input = new byte[MAX_ASCII_KEY];
        final byte[] hash = new byte[HASH_BYTES];
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
