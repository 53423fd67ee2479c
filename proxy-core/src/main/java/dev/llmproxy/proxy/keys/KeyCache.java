package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * What it is: the virtual keys this instance knows, in a fixed-capacity open-addressing table keyed by the key's
 * SHA-256, so that authenticating a request is a few memory reads and never a database round trip. The numbers the
 * request path checks and changes per call live off-heap in one direct ByteBuffer; what cannot be a number (the model
 * list, the limit set, the ids that spend is attributed to) lives in an immutable heap object, CachedKey, in a
 * parallel array at the same slot index.
 *
 * Slot layout (SLOT_BYTES = 72, 8-byte aligned; the buffer is aligned to 64):
 *
 *   0        8                                  40        48          56          64     68     72
 *   +--------+----------------------------------+---------+-----------+-----------+------+------+
 *   | seq    | hash: SHA-256 of the key, 32 B   | expires | maxBudget | spend     | state| flags|
 *   | long   | 4 longs, native order            | ms/epoch| nano-USD  | nano-USD  | int  | int  |
 *   +--------+----------------------------------+---------+-----------+-----------+------+------+
 *   state: 0 EMPTY (never used; ends a probe), 1 LIVE, 2 DELETED (a tombstone: probes go on past it)
 *   flags: bit 0 blocked.  expires: Long.MAX_VALUE for never.  maxBudget: -1 for none.
 *
 * Memory per key: 72 bytes off-heap, plus the CachedKey (about 200 bytes with its strings and model set, and a
 * LocalLimitSet of about 100 bytes when the key has limits). 100,000 keys take 7 MB off-heap and about 30 MB of heap.
 *
 * Probing: linear, starting at (first 8 bytes of the hash) & mask, over at most MAX_PROBE slots. A put that finds
 * neither its hash nor a free slot within the window evicts the window's first live entry: this is a cache, and an
 * evicted key is read from the store again on its next use. A lookup stops at the first EMPTY slot, which is sound
 * because a slot never becomes EMPTY again once used (deletion leaves a tombstone) and a put always takes the first
 * free or matching slot of the window.
 *
 * Concurrency: one writer at a time (put, remove and clear are synchronized; they run on store threads), any number
 * of lock-free readers (the event loops). Each slot is a seqlock:
 *   1. the writer sets seq to odd (volatile write) and issues a store-store fence,
 *   2. writes the fields and the heap entry,
 *   3. sets seq to the next even value with release semantics.
 * A reader reads seq with acquire, retries while it is odd, reads the fields, issues a load-load fence and reads seq
 * again: equal values mean the fields belong together; otherwise it retries the slot. The writer holds a slot for a
 * few dozen nanoseconds, so the retry loop terminates as soon as the writer moves on.
 *
 * Spend is the exception: calls add to it with an atomic getAndAdd outside the seqlock, from any thread, and readers
 * read it with acquire. A put that replaces a live entry (a refresh from the store) writes the store's spend, or keeps
 * the cached one when that is larger and the budget period is the same (calls of the last flush interval are not in the
 * database yet); an add racing with that write may be lost, an undercount bounded by one call's cost per refresh.
 */

/**
 * The off-heap table of virtual keys (see the implementation notes at the top of the source).
 *
 * <p>Thread-safety: lookups, {@link #spendNanos} and {@link #addSpend} are lock-free and may run on any thread;
 * {@link #put}, {@link #remove} and {@link #clear} are serialized among themselves.
 */
final class KeyCache {
    static final int SLOT_BYTES = 72;
    static final int MAX_PROBE = 16;
    static final int EMPTY = 0;
    static final int LIVE = 1;
    static final int DELETED = 2;
    static final long NEVER = Long.MAX_VALUE;
    static final long NO_BUDGET = -1;
    /** Nano-USD per USD: spend is counted in integers so that concurrent adds are exact. */
    static final double NANOS_PER_USD = 1e9;

    private static final int SEQ = 0;
    private static final int HASH = 8;
    private static final int EXPIRES = 40;
    private static final int MAX_BUDGET = 48;
    private static final int SPEND = 56;
    private static final int STATE = 64;
    private static final int FLAGS = 68;
    private static final int BLOCKED = 1;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONGS_ARRAY =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final ByteBuffer table;
    private final AtomicReferenceArray<@Nullable CachedKey> entries;
    private final int mask;
    private final int capacity;
    /** Written by the serialized writers only; read by anyone for stats. */
    private volatile int size;

    /**
     * A table of at least {@code minCapacity} slots (rounded up to a power of two).
     *
     * @throws IllegalArgumentException if {@code minCapacity} is below 16 or above 2^24
     */
    KeyCache(int minCapacity) {
        if (minCapacity < MAX_PROBE || minCapacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity: " + minCapacity + " (expected: 16..16777216)");
        }
        this.capacity = Integer.highestOneBit(minCapacity - 1) << 1;
        this.mask = capacity - 1;
        this.table = ByteBuffer.allocateDirect(capacity * SLOT_BYTES + 64).alignedSlice(64).order(ByteOrder.nativeOrder());
        this.entries = new AtomicReferenceArray<>(capacity);
    }

    /** How many slots the table has. */
    int capacity() {
        return capacity;
    }

    /** How many live keys it holds. */
    int size() {
        return size;
    }

    /** The off-heap bytes of the table. */
    long offHeapBytes() {
        return (long) capacity * SLOT_BYTES;
    }

    /**
     * The slot holding {@code hash}, or -1. Lock-free; never allocates.
     *
     * @param hash the 32 bytes of the key's SHA-256
     */
    int find(byte[] hash) {
        long h0 = (long) LONGS_ARRAY.get(hash, 0);
        long h1 = (long) LONGS_ARRAY.get(hash, 8);
        long h2 = (long) LONGS_ARRAY.get(hash, 16);
        long h3 = (long) LONGS_ARRAY.get(hash, 24);
        int start = (int) h0 & mask;
        for (int i = 0; i < MAX_PROBE; i++) {
            int base = ((start + i) & mask) * SLOT_BYTES;
            while (true) {
                long seq = (long) LONGS.getAcquire(table, base + SEQ);
                if ((seq & 1) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                int state = (int) INTS.get(table, base + STATE);
                boolean match = state == LIVE
                        && (long) LONGS.get(table, base + HASH) == h0
                        && (long) LONGS.get(table, base + HASH + 8) == h1
                        && (long) LONGS.get(table, base + HASH + 16) == h2
                        && (long) LONGS.get(table, base + HASH + 24) == h3;
                VarHandle.loadLoadFence();
                if ((long) LONGS.get(table, base + SEQ) != seq) {
                    continue;
                }
                if (state == EMPTY) {
                    return -1;
                }
                if (match) {
                    return base / SLOT_BYTES;
                }
                break;
            }
        }
        return -1;
    }

    /**
     * A consistent read of the slot's entry and numbers, or null when the slot no longer holds {@code expected}
     * (it was replaced or evicted since {@link #find}). Lock-free; never allocates.
     */
    @Nullable CachedKey read(int slot, CachedKey expected, SlotView into) {
        int base = slot * SLOT_BYTES;
        while (true) {
            long seq = (long) LONGS.getAcquire(table, base + SEQ);
            if ((seq & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            CachedKey entry = entries.getPlain(slot);
            long expires = (long) LONGS.get(table, base + EXPIRES);
            long maxBudget = (long) LONGS.get(table, base + MAX_BUDGET);
            int flags = (int) INTS.get(table, base + FLAGS);
            VarHandle.loadLoadFence();
            if ((long) LONGS.get(table, base + SEQ) != seq) {
                continue;
            }
            if (entry != expected) {
                return null;
            }
            into.expiresMillis = expires;
            into.maxBudgetNanos = maxBudget;
            into.blocked = (flags & BLOCKED) != 0;
            return entry;
        }
    }

    /** The entry in {@code slot}, or null (a racy read: check it with {@link #read}). */
    @Nullable CachedKey entry(int slot) {
        return entries.getAcquire(slot);
    }

    /** The spend of the key in {@code slot}, in nano-USD. */
    long spendNanos(int slot) {
        return (long) LONGS.getAcquire(table, slot * SLOT_BYTES + SPEND);
    }

    /**
     * Adds {@code nanos} to the spend of the key with {@code hash}, wherever it is now (a call admitted under one
     * version of the key may end under the next). Lock-free.
     *
     * @return false when the key is no longer in the table (its spend is then only in the database)
     */
    boolean addSpend(byte[] hash, long nanos) {
        int slot = find(hash);
        if (slot < 0) {
            return false;
        }
        LONGS.getAndAdd(table, slot * SLOT_BYTES + SPEND, nanos);
        return true;
    }

    /**
     * Inserts or replaces the key with {@code hash}; the entry learns its slot.
     *
     * @param keepLargerSpend whether a replaced entry keeps its cached spend when that is larger than {@code spend}
     *     (a refresh within the same budget period)
     * @return the slot used
     */
    synchronized int put(byte[] hash, CachedKey entry, long expiresMillis, long maxBudgetNanos, long spend,
            boolean blocked, boolean keepLargerSpend) {
        requireNonNull(entry, "entry");
        long h0 = (long) LONGS_ARRAY.get(hash, 0);
        int start = (int) h0 & mask;
        int free = -1;
        int victim = -1;
        int found = -1;
        for (int i = 0; i < MAX_PROBE; i++) {
            int slot = (start + i) & mask;
            int state = (int) INTS.get(table, slot * SLOT_BYTES + STATE);
            if (state == LIVE && hashEquals(slot, hash)) {
                found = slot;
                break;
            }
            if (state != LIVE && free < 0) {
                free = slot;
            }
            if (state == EMPTY) {
                break;
            }
            if (state == LIVE && victim < 0) {
                victim = slot;
            }
        }
        int slot = found >= 0 ? found : free >= 0 ? free : victim;
        int base = slot * SLOT_BYTES;
        long spendToWrite = spend;
        if (found >= 0 && keepLargerSpend) {
            spendToWrite = Math.max(spend, spendNanos(slot));
        }
        if (found < 0 && free < 0) {
            CachedKey evicted = entries.get(slot);
            if (evicted != null) {
                evicted.detach();
            }
        } else if (found >= 0) {
            CachedKey replaced = entries.get(slot);
            if (replaced != null && replaced != entry) {
                replaced.detach();
            }
        }
        long seq = (long) LONGS.get(table, base + SEQ);
        LONGS.setVolatile(table, base + SEQ, seq + 1);
        VarHandle.storeStoreFence();
        for (int i = 0; i < 4; i++) {
            LONGS.set(table, base + HASH + 8 * i, (long) LONGS_ARRAY.get(hash, 8 * i));
        }
        LONGS.set(table, base + EXPIRES, expiresMillis);
        LONGS.set(table, base + MAX_BUDGET, maxBudgetNanos);
        LONGS.setVolatile(table, base + SPEND, spendToWrite);
        INTS.set(table, base + FLAGS, blocked ? BLOCKED : 0);
        int before = (int) INTS.get(table, base + STATE);
        INTS.set(table, base + STATE, LIVE);
        entries.setRelease(slot, entry);
        entry.attach(this, slot);
        LONGS.setRelease(table, base + SEQ, seq + 2);
        if (before != LIVE) {
            size = size + 1;
        }
        return slot;
    }

    /** Removes the key with {@code hash}; returns whether it was there. */
    synchronized boolean remove(byte[] hash) {
        int slot = find(hash);
        if (slot < 0) {
            return false;
        }
        int base = slot * SLOT_BYTES;
        CachedKey old = entries.get(slot);
        long seq = (long) LONGS.get(table, base + SEQ);
        LONGS.setVolatile(table, base + SEQ, seq + 1);
        VarHandle.storeStoreFence();
        INTS.set(table, base + STATE, DELETED);
        entries.setRelease(slot, null);
        LONGS.setRelease(table, base + SEQ, seq + 2);
        size = size - 1;
        if (old != null) {
            old.detach();
        }
        return true;
    }

    /** Visits every live entry (a weakly consistent walk, for reconciliation). */
    void forEach(Consumer<CachedKey> visitor) {
        for (int slot = 0; slot < capacity; slot++) {
            CachedKey entry = entries.getAcquire(slot);
            if (entry != null) {
                visitor.accept(entry);
            }
        }
    }

    private boolean hashEquals(int slot, byte[] hash) {
        int base = slot * SLOT_BYTES + HASH;
        for (int i = 0; i < 4; i++) {
            if ((long) LONGS.get(table, base + 8 * i) != (long) LONGS_ARRAY.get(hash, 8 * i)) {
                return false;
            }
        }
        return true;
    }

    /** The numbers of one slot, read together; one per reading thread, reused. */
    static final class SlotView {
        long expiresMillis;
        long maxBudgetNanos;
        boolean blocked;
    }
}
