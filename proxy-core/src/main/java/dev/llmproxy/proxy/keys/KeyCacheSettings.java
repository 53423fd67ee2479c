package dev.llmproxy.proxy.keys;

/**
 * Sizes and rates of the key cache.
 *
 * @param capacity keys the off-heap table holds (rounded up to a power of two); more keys than this are evicted and
 *     read from the store again when used
 * @param negativeCapacity wrong keys remembered
 * @param negativeTtlMillis how long a wrong key is remembered
 * @param missesPerMinute store lookups of uncached keys per calendar minute; beyond it an uncached key is refused
 * @param maxMissesInFlight store lookups of uncached keys at once
 * @param refreshIntervalMillis how often changed keys are read from the store (the bound on how stale another
 *     instance's change can be)
 * @param reconcileIntervalMillis how often the whole key list is compared with the cache (deleted keys)
 */
public record KeyCacheSettings(
        int capacity,
        int negativeCapacity,
        long negativeTtlMillis,
        long missesPerMinute,
        long maxMissesInFlight,
        long refreshIntervalMillis,
        long reconcileIntervalMillis) {

    /**
     * 65,536 keys, 65,536 wrong keys for a minute, 6,000 lookups a minute and 256 at once (the store executor's
     * threads bound how many run), refresh every second, reconciliation every 30 s.
     */
    public static final KeyCacheSettings DEFAULTS =
            new KeyCacheSettings(65_536, 65_536, 60_000, 6_000, 256, 1_000, 30_000);

    /** Validates the settings. */
    public KeyCacheSettings {
        if (capacity < 16 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: 16..16777216)");
        }
        positive("negativeCapacity", negativeCapacity);
        positive("negativeTtlMillis", negativeTtlMillis);
        positive("missesPerMinute", missesPerMinute);
        positive("maxMissesInFlight", maxMissesInFlight);
        positive("refreshIntervalMillis", refreshIntervalMillis);
        positive("reconcileIntervalMillis", reconcileIntervalMillis);
    }

    /** These settings with another capacity. */
    public KeyCacheSettings withCapacity(int keys) {
        return new KeyCacheSettings(keys, negativeCapacity, negativeTtlMillis, missesPerMinute, maxMissesInFlight,
                refreshIntervalMillis, reconcileIntervalMillis);
    }

    /** These settings with another miss rate. */
    public KeyCacheSettings withMissesPerMinute(long perMinute) {
        return new KeyCacheSettings(capacity, negativeCapacity, negativeTtlMillis, perMinute, maxMissesInFlight,
                refreshIntervalMillis, reconcileIntervalMillis);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
