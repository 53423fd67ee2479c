package dev.llmproxy.store;

import java.util.concurrent.CompletableFuture;

/**
 * Writes {@link SpendRecord}s to the database in batches, and never loses one it accepted.
 *
 * <p>A record is first appended to a local journal (fsynced every {@link SpendWriterConfig#syncIntervalMillis()}),
 * then every {@link SpendWriterConfig#batchIntervalMillis()} the journal is committed to the database: spend-log rows
 * and the matching increments of key, user, team and member spend, in one transaction per batch. While the database
 * is down or slow, records wait in the journal and are committed when it is back. A record is committed exactly
 * once: its request id is the spend-log row's primary key, and spend is added only for rows actually inserted, so a
 * batch retried after an unknown outcome or replayed after a crash adds nothing twice.
 *
 * <p>What a crash can lose: records accepted in the last {@code syncIntervalMillis} that the operating system had not
 * yet written to disk. {@link #close()} loses nothing.
 *
 * <p>Thread-safety: {@link #submit} may be called from any thread and never waits for the database or the disk
 * except when the in-memory queue is full (see there). The other methods are thread-safe too.
 */
public interface SpendWriter extends AutoCloseable {

    /**
     * Accepts a record for writing.
     *
     * <p>The record goes to a bounded in-memory queue that the writer's journal thread drains. If the queue is full
     * (the disk has stalled for a while), the caller appends the record to the journal itself, without fsync: that
     * write may block, but the record is not dropped.
     *
     * @return true if the record was accepted and will be committed; false if the writer is closed, or if the queue
     *     was full and the journal could not be written (both logged)
     */
    boolean submit(SpendRecord record);

    /**
     * Commits every record accepted before this call. The future completes when they are all in the database; while
     * the database is unavailable it stays incomplete (the writer keeps retrying), so wait on it with a timeout.
     */
    CompletableFuture<Void> flush();

    /** Counters since the writer started. */
    SpendWriterStats stats();

    /**
     * Stops accepting records, journals every accepted record and commits what it can within
     * {@link SpendWriterConfig#closeTimeoutMillis()}. Whatever could not be committed (the database is down) stays in
     * the journal and is committed by the next writer opened on the same directory. Blocks until done.
     */
    @Override
    void close();
}
