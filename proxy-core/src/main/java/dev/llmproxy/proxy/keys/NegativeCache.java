package dev.llmproxy.proxy.keys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Hashes recently found missing from the store, so that a client repeating a wrong key is answered from memory. A
 * direct-mapped table of the first 8 bytes of each hash and its expiry: a collision overwrites the older entry (it is
 * then looked up again, within the miss path's rate limit), and a false positive needs two different keys whose hashes
 * share 64 bits. Random keys never repeat, so what protects the store from a flood of them is the miss path's rate
 * limit ({@link KeyDirectory}), not this table.
 *
 * <p>Thread-safety: lock-free; entries are two independent atomic longs, and a torn pair (prefix of one hash, expiry
 * of another) can only make an entry live slightly longer or shorter than its time to live.
 */
final class NegativeCache {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final AtomicLongArray prefixes;
    private final AtomicLongArray expiries;
    private final int mask;
    private final long ttlMillis;

    NegativeCache(int capacity, long ttlMillis) {
        int size = Integer.highestOneBit(Math.max(16, capacity) - 1) << 1;
        this.prefixes = new AtomicLongArray(size);
        this.expiries = new AtomicLongArray(size);
        this.mask = size - 1;
        this.ttlMillis = ttlMillis;
    }

    /** Whether {@code hash} was found missing less than the time to live ago. */
    boolean contains(byte[] hash, long nowMillis) {
        long prefix = (long) LONGS.get(hash, 0);
        int i = index(hash);
        return prefixes.get(i) == prefix && expiries.get(i) > nowMillis;
    }

    /** Remembers that {@code hash} is not in the store. */
    void add(byte[] hash, long nowMillis) {
        int i = index(hash);
        expiries.set(i, 0);
        prefixes.set(i, (long) LONGS.get(hash, 0));
        expiries.set(i, nowMillis + ttlMillis);
    }

    /** Forgets {@code hash} (the key was just created). */
    void remove(byte[] hash) {
        int i = index(hash);
        if (prefixes.get(i) == (long) LONGS.get(hash, 0)) {
            expiries.set(i, 0);
        }
    }

    private int index(byte[] hash) {
        // Bytes 8..11: independent of the key cache's index (bytes 0..7), so the two tables collide differently.
        return ((hash[8] & 0xff) | (hash[9] & 0xff) << 8 | (hash[10] & 0xff) << 16 | (hash[11] & 0xff) << 24) & mask;
    }
}
