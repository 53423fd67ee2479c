package dev.llmproxy.store;

/**
 * Counters of a {@link SpendWriter} since it started.
 *
 * @param accepted records accepted by {@link SpendWriter#submit}
 * @param journaledByCaller records the caller had to journal itself because the queue was full
 * @param rejected records refused (writer closed, or queue full and journal unwritable)
 * @param inserted spend-log rows inserted (each with its spend increments)
 * @param committedBatches database transactions committed (each inserts rows and applies their increments)
 * @param duplicates records skipped because a row with their request id already existed
 * @param corrupt journal records that could not be read back (a torn write at a crash) and were skipped
 * @param failedBatches database batches that failed and will be retried
 * @param pendingSegments journal files waiting to be committed
 */
public record SpendWriterStats(
        long accepted,
        long journaledByCaller,
        long rejected,
        long inserted,
        long committedBatches,
        long duplicates,
        long corrupt,
        long failedBatches,
        int pendingSegments) {}
