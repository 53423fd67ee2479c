package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link SpendWriter}.
 *
 * @param journalDirectory where the journal's segment files live; created if missing
 * @param batchIntervalMillis how often the journal is committed to the database ({@code proxy_batch_write_at})
 * @param syncIntervalMillis how often the journal is fsynced; a crash can lose the records of the last interval
 * @param queueCapacity records the in-memory queue holds before callers journal themselves
 * @param batchSize spend-log rows per database transaction
 * @param maxSegmentRecords records in a journal segment before it is rolled and committed early
 * @param retryInitialMillis the wait after the first failed batch; doubled after each further failure
 * @param retryMaxMillis the longest wait between retries
 * @param closeTimeoutMillis how long {@link SpendWriter#close()} tries to commit before leaving the rest journaled
 * @param spendLogs whether each record also becomes a {@code LiteLLM_SpendLogs} row ({@code false} is
 *     {@code general_settings.disable_spend_logs}: only the spend totals are written, still exactly once)
 */
public record SpendWriterConfig(
        Path journalDirectory,
        long batchIntervalMillis,
        long syncIntervalMillis,
        int queueCapacity,
        int batchSize,
        int maxSegmentRecords,
        long retryInitialMillis,
        long retryMaxMillis,
        long closeTimeoutMillis,
        boolean spendLogs) {

    /** LiteLLM's default {@code proxy_batch_write_at}, in seconds. */
    public static final int DEFAULT_BATCH_WRITE_AT_SECONDS = 10;

    /** Validates the settings. */
    public SpendWriterConfig {
        requireNonNull(journalDirectory, "journalDirectory");
        positive("batchIntervalMillis", batchIntervalMillis);
        positive("syncIntervalMillis", syncIntervalMillis);
        positive("queueCapacity", queueCapacity);
        positive("batchSize", batchSize);
        positive("maxSegmentRecords", maxSegmentRecords);
        positive("retryInitialMillis", retryInitialMillis);
        if (retryMaxMillis < retryInitialMillis) {
            throw new IllegalArgumentException(
                    "retryMaxMillis: " + retryMaxMillis + " (expected: >= retryInitialMillis " + retryInitialMillis
                            + ")");
        }
        if (closeTimeoutMillis < 0) {
            throw new IllegalArgumentException("closeTimeoutMillis: " + closeTimeoutMillis + " (expected: >= 0)");
        }
    }

    /**
     * The defaults: a batch every {@code proxy_batch_write_at} seconds (LiteLLM's 10 when null), an fsync every
     * 100 ms, 65,536 queued records, 500 rows per transaction, segments of at most 100,000 records, retries from
     * 500 ms up to 30 s, and 10 s to commit on close.
     */
    public static SpendWriterConfig of(Path journalDirectory, @Nullable Integer proxyBatchWriteAtSeconds) {
        int seconds = proxyBatchWriteAtSeconds == null ? DEFAULT_BATCH_WRITE_AT_SECONDS : proxyBatchWriteAtSeconds;
        return new SpendWriterConfig(journalDirectory, seconds * 1000L, 100, 65_536, 500, 100_000, 500, 30_000,
                10_000, true);
    }

    /** These settings with another batch interval. */
    public SpendWriterConfig withBatchIntervalMillis(long millis) {
        return new SpendWriterConfig(journalDirectory, millis, syncIntervalMillis, queueCapacity, batchSize,
                maxSegmentRecords, retryInitialMillis, retryMaxMillis, closeTimeoutMillis, spendLogs);
    }

    /** These settings with another queue capacity. */
    public SpendWriterConfig withQueueCapacity(int capacity) {
        return new SpendWriterConfig(journalDirectory, batchIntervalMillis, syncIntervalMillis, capacity, batchSize,
                maxSegmentRecords, retryInitialMillis, retryMaxMillis, closeTimeoutMillis, spendLogs);
    }

    /** These settings with another batch size and segment size. */
    public SpendWriterConfig withBatchSize(int size, int segmentRecords) {
        return new SpendWriterConfig(journalDirectory, batchIntervalMillis, syncIntervalMillis, queueCapacity, size,
                segmentRecords, retryInitialMillis, retryMaxMillis, closeTimeoutMillis, spendLogs);
    }

    /** These settings with other retry waits. */
    public SpendWriterConfig withRetryMillis(long initial, long max) {
        return new SpendWriterConfig(journalDirectory, batchIntervalMillis, syncIntervalMillis, queueCapacity,
                batchSize, maxSegmentRecords, initial, max, closeTimeoutMillis, spendLogs);
    }

    /** These settings with another close timeout. */
    public SpendWriterConfig withCloseTimeoutMillis(long millis) {
        return new SpendWriterConfig(journalDirectory, batchIntervalMillis, syncIntervalMillis, queueCapacity,
                batchSize, maxSegmentRecords, retryInitialMillis, retryMaxMillis, millis, spendLogs);
    }

    /** These settings with spend-log rows written or not ({@code disable_spend_logs}). */
    public SpendWriterConfig withSpendLogs(boolean write) {
        return new SpendWriterConfig(journalDirectory, batchIntervalMillis, syncIntervalMillis, queueCapacity,
                batchSize, maxSegmentRecords, retryInitialMillis, retryMaxMillis, closeTimeoutMillis, write);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
