package dev.llmproxy.limiter;

/**
 * Keeps every limit set in this process ({@link LocalLimitSet}): exact for one instance; several instances each
 * enforce the whole limit. Thread-safety: stateless.
 */
public final class LocalLimitStore implements LimitStore {

    /** The one instance. */
    public static final LocalLimitStore INSTANCE = new LocalLimitStore();

    private LocalLimitStore() {}

    @Override
    public LimitSet create(String key, LimitSpec spec) {
        return new LocalLimitSet(spec);
    }
}
