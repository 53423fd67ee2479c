package dev.llmproxy.limiter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The one compare-and-set loop of this module: every change to a packed counter word goes through {@link #apply}.
 * Thread-safety: stateless.
 */
final class CasLoop {

    /** The top bit of a word: set once, when the word's window is closed; a sealed word never changes again. */
    static final long SEALED = Long.MIN_VALUE;

    private CasLoop() {}

    /**
     * Replaces the word in {@code cell} with {@code step.next(word, arg)} unless the word is sealed or the step leaves
     * it unchanged (a refusal), and answers the word the step saw.
     *
     * <p>Publishes: the new word, with the volatile semantics of {@link AtomicLong#compareAndSet}. On contention (another
     * thread changed the word between the read and the CAS) the step is applied again to the fresh word. Terminates:
     * every failed CAS means another thread's CAS succeeded, so the system as a whole makes progress (lock-free); the
     * steps are pure and short, so a thread retries only as often as others win.
     *
     * @return the word {@code step} was applied to; negative (the {@link #SEALED} bit) when the word was sealed and
     *     nothing was applied
     */
    static long apply(AtomicLong cell, Step step, long arg) {
        for (;;) {
            long word = cell.get();
            if (word < 0) {
                return word;
            }
            long next = step.next(word, arg);
            if (next == word || cell.compareAndSet(word, next)) {
                return word;
            }
        }
    }

    /** A pure change to a word; returns the word itself to leave it as it is. */
    @FunctionalInterface
    interface Step {
        long next(long word, long arg);
    }
}
