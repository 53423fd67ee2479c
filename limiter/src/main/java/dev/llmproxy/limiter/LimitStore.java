package dev.llmproxy.limiter;

/**
 * Where limit sets live: {@link LocalLimitStore} keeps them in this process; a shared store (Redis, later) keeps them
 * exact across instances behind the same {@link LimitSet} interface, so callers do not change (see the design note
 * of {@link LocalLimitSet}). Thread-safety: implementations are thread-safe.
 */
public interface LimitStore {

    /**
     * A limit set for {@code key} with {@code spec}. Callers create each key's set once and keep it (a router builds
     * one per deployment at start). A shared store finds the key's counters by it, so two sets must not share a key.
     *
     * @throws IllegalArgumentException when the spec cannot be enforced (see {@link LocalLimitSet#LocalLimitSet})
     */
    LimitSet create(String key, LimitSpec spec);
}
