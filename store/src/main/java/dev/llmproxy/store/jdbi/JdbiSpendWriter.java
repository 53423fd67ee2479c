package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.SpendWriterStats;
import dev.llmproxy.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * Three parties and one invariant: a record that submit() accepted is in the journal (within one sync interval of
 * being durable) until the database has it, and leaves the journal only after the transaction that inserted it
 * committed.
 *
 *   submitting threads --offer--> queue (bounded, LinkedBlockingQueue: offer never waits for space)
 *                      \--full--> journal.append (the caller's thread; rare: the disk has stalled)
 *   journal thread: queue --drain--> journal.append; journal.sync() at most every syncIntervalMillis
 *   flush thread: every batchIntervalMillis (sooner on flush() or a full segment; later while backing off):
 *                 journal.rollAndListClosed() --> for each segment, batches of batchSize in one transaction each
 *                 (SpendBatchCommitter) --> journal.delete(segment)
 *
 * flush() and close() travel through the queue as markers, so "everything accepted before" is exactly "everything
 * queued before the marker". The journal thread appends and fsyncs what precedes a marker, then hands the marker to
 * the flush thread, which rolls the segment and commits.
 *
 * Closing races with submitting. The Dekker-style pair (activeSubmits, closing) settles it:
 *   1. submit increments activeSubmits, then reads closing; close writes closing, then reads activeSubmits.
 *   2. Both are sequentially consistent (atomic/volatile), so either submit sees closing (and refuses), or close sees
 *      the submit in flight and spins until it has queued its record, before close queues its own marker.
 *   3. Hence the close marker is the last thing in the queue, and nothing accepted can follow it.
 *
 * Failures: a failed transaction changes nothing, so the flush thread keeps the segment, backs off (retryInitial,
 * doubling, up to retryMax) and retries the whole segment; records of it committed earlier are skipped (by the
 * segment's committed count in llmproxy_spend_segments, and with spend logs on also by request id) and their spend is
 * not added again. A journal write that fails is retried by the journal thread with the same
 * back-off; only at close, past the deadline, does it give up (and log how many records it could not keep).
 *
 * Time: waits use the injected ticker's clock for deadlines; the waits themselves are real (poll, awaitNanos).
 */

/** The {@link SpendWriter} on a {@link SpendJournal} and {@link SpendBatchCommitter}. Thread-safe. */
final class JdbiSpendWriter implements SpendWriter {
    private static final Logger logger = LoggerFactory.getLogger(JdbiSpendWriter.class);
    private static final int DRAIN_MAX = 8192;
    private static final Object CLOSE = new Object();

    private final SpendWriterConfig config;
    private final SpendJournal journal;
    private final SpendBatchCommitter committer;
    private final LongSupplier ticker;
    private final long syncNanos;
    private final LinkedBlockingQueue<Object> queue;

    /** Submits and flushes between their check of {@link #closing} and their enqueue; see the notes. */
    private final AtomicInteger activeSubmits = new AtomicInteger();

    /** Written once by close(); read by submitting threads and the flush thread. */
    private volatile boolean closing;

    /** Written by close() before {@link #closing}; read by the journal and flush threads after they see it. */
    private volatile long closeDeadlineNanos;

    private final Object closeLock = new Object();
    private boolean closed; // guarded by closeLock

    private final ReentrantLock flushLock = new ReentrantLock();
    private final Condition flushWake = flushLock.newCondition();
    private final List<CompletableFuture<Void>> waitingFlushes = new ArrayList<>(); // guarded by flushLock
    private boolean flushRequested; // guarded by flushLock
    private boolean journalFinished; // guarded by flushLock

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong journaledByCaller = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong committedBatches = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();

    private final Thread journalThread;
    private final Thread flushThread;

    private JdbiSpendWriter(
            SpendWriterConfig config, SpendJournal journal, SpendBatchCommitter committer, LongSupplier ticker) {
        this.config = config;
        this.journal = journal;
        this.committer = committer;
        this.ticker = ticker;
        this.syncNanos = TimeUnit.MILLISECONDS.toNanos(config.syncIntervalMillis());
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        this.journalThread = new Thread(this::runJournal, "llmproxy-spend-journal");
        this.flushThread = new Thread(this::runFlush, "llmproxy-spend-flush");
        journalThread.setDaemon(true);
        flushThread.setDaemon(true);
    }

    /**
     * Opens the journal and starts the writer's threads; segments left in the journal are committed first.
     *
     * @throws StoreException if the journal cannot be opened or is in use
     */
    static JdbiSpendWriter start(Jdbi jdbi, SpendWriterConfig config, LongSupplier ticker) {
        return create(jdbi, config, ticker).startThreads();
    }

    /** Opens the journal without starting the threads (tests fill the queue first); {@link #startThreads()} next. */
    static JdbiSpendWriter create(Jdbi jdbi, SpendWriterConfig config, LongSupplier ticker) {
        requireNonNull(config, "config");
        SpendJournal journal = SpendJournal.open(config.journalDirectory());
        int leftOver = journal.pendingSegments();
        if (leftOver > 0) {
            logger.info("Spend journal {} holds {} segment(s) from an earlier run; committing them",
                    config.journalDirectory(), leftOver);
        }
        return new JdbiSpendWriter(config, journal, new SpendBatchCommitter(jdbi), ticker);
    }

    JdbiSpendWriter startThreads() {
        journalThread.start();
        flushThread.start();
        return this;
    }

    @Override
    public boolean submit(SpendRecord record) {
        requireNonNull(record, "record");
        if (closing) {
            // Checked before entering too, so that a stream of late submits cannot keep close() spinning.
            return refuse(record);
        }
        activeSubmits.incrementAndGet();
        try {
            if (closing) {
                return refuse(record);
            }
            if (queue.offer(record)) {
                accepted.incrementAndGet();
                return true;
            }
            return journalOnCaller(record);
        } finally {
            activeSubmits.decrementAndGet();
        }
    }

    @Override
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        activeSubmits.incrementAndGet();
        try {
            if (closing) {
                done.completeExceptionally(new IllegalStateException("spend writer closed"));
                return done;
            }
            putUninterruptibly(done);
        } finally {
            activeSubmits.decrementAndGet();
        }
        return done;
    }

    @Override
    public SpendWriterStats stats() {
        return new SpendWriterStats(accepted.get(), journaledByCaller.get(), rejected.get(), inserted.get(),
                committedBatches.get(), duplicates.get(), corrupt.get(), failedBatches.get(),
                journal.pendingSegments());
    }

    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
            closeDeadlineNanos = ticker.getAsLong() + TimeUnit.MILLISECONDS.toNanos(config.closeTimeoutMillis());
            closing = true;
            while (activeSubmits.get() != 0) {
                Thread.onSpinWait();
            }
            putUninterruptibly(CLOSE);
            long graceMillis = config.closeTimeoutMillis() + config.retryMaxMillis() + 60_000;
            joinUninterruptibly(journalThread, graceMillis);
            joinUninterruptibly(flushThread, graceMillis);
            try {
                journal.close();
            } catch (IOException e) {
                logger.error("Spend journal {} did not close cleanly", config.journalDirectory(), e);
            }
            SpendWriterStats stats = stats();
            if (stats.pendingSegments() > 0) {
                logger.warn("Spend writer closed with {} journal segment(s) not yet in the database; the next start "
                        + "commits them ({})", stats.pendingSegments(), stats);
            } else {
                logger.info("Spend writer closed; every record is in the database ({})", stats);
            }
        }
    }

    private boolean refuse(SpendRecord record) {
        if (rejected.getAndIncrement() == 0) {
            logger.warn("Spend record {} refused: the spend writer is closed (further refusals are counted in stats)",
                    record.requestId());
        }
        return false;
    }

    private boolean journalOnCaller(SpendRecord record) {
        try {
            journal.append(List.of(record));
            journaledByCaller.incrementAndGet();
            accepted.incrementAndGet();
            return true;
        } catch (IOException e) {
            rejected.incrementAndGet();
            logger.error("Spend record {} lost: the queue is full and the journal cannot be written",
                    record.requestId(), e);
            return false;
        }
    }

    // ---- journal thread

    private void runJournal() {
        List<Object> drained = new ArrayList<>();
        List<SpendRecord> records = new ArrayList<>();
        long lastSync = ticker.getAsLong();
        boolean finished = false;
        while (!finished) {
            try {
                long wait = Math.max(0, lastSync + syncNanos - ticker.getAsLong());
                Object first = pollUninterruptibly(wait);
                if (first != null) {
                    drained.add(first);
                    queue.drainTo(drained, DRAIN_MAX);
                }
                for (Object item : drained) {
                    if (item instanceof SpendRecord record) {
                        records.add(record);
                        continue;
                    }
                    // A marker: everything before it goes to disk before the flush thread hears of it.
                    appendWithRetry(records);
                    records.clear();
                    syncWithRetry();
                    lastSync = ticker.getAsLong();
                    handOver(item);
                    finished |= item == CLOSE;
                }
                drained.clear();
                appendWithRetry(records);
                records.clear();
                if (ticker.getAsLong() - lastSync >= syncNanos) {
                    syncWithRetry();
                    lastSync = ticker.getAsLong();
                }
                if (journal.currentRecords() >= config.maxSegmentRecords()) {
                    requestFlush();
                }
            } catch (RuntimeException e) {
                // A bug, not an I/O failure (those are retried inside); keep the thread alive for what follows.
                logger.error("Spend journal thread failed; continuing", e);
            }
        }
    }

    private void appendWithRetry(List<SpendRecord> records) {
        if (!records.isEmpty() && !retryIo(() -> journal.append(records), "append to")) {
            logger.error("Spend writer closing: {} record(s) could not be written to the journal and are lost",
                    records.size());
        }
    }

    private void syncWithRetry() {
        retryIo(journal::sync, "fsync");
    }

    /** Runs the action until it succeeds, backing off between tries; false only when closing past the deadline. */
    private boolean retryIo(IoAction action, String what) {
        long backoffNanos = TimeUnit.MILLISECONDS.toNanos(config.retryInitialMillis());
        long maxNanos = TimeUnit.MILLISECONDS.toNanos(config.retryMaxMillis());
        for (int attempt = 1; ; attempt++) {
            try {
                action.run();
                if (attempt > 1) {
                    logger.info("Spend journal {} writable again after {} attempts", config.journalDirectory(),
                            attempt);
                }
                return true;
            } catch (IOException e) {
                if (attempt == 1) {
                    logger.error("Cannot {} the spend journal {}; retrying", what, config.journalDirectory(), e);
                }
                if (closing && ticker.getAsLong() - closeDeadlineNanos >= 0) {
                    return false;
                }
                LockSupport.parkNanos(backoffNanos);
                backoffNanos = Math.min(maxNanos, backoffNanos * 2);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void handOver(Object marker) {
        flushLock.lock();
        try {
            if (marker == CLOSE) {
                journalFinished = true;
            } else {
                waitingFlushes.add((CompletableFuture<Void>) marker);
            }
            flushRequested = true;
            flushWake.signalAll();
        } finally {
            flushLock.unlock();
        }
    }

    private void requestFlush() {
        flushLock.lock();
        try {
            flushRequested = true;
            flushWake.signalAll();
        } finally {
            flushLock.unlock();
        }
    }

    // ---- flush thread

    private void runFlush() {
        long batchNanos = TimeUnit.MILLISECONDS.toNanos(config.batchIntervalMillis());
        long initialBackoff = TimeUnit.MILLISECONDS.toNanos(config.retryInitialMillis());
        long maxBackoff = TimeUnit.MILLISECONDS.toNanos(config.retryMaxMillis());
        long backoff = initialBackoff;
        boolean backingOff = false;
        // Segments left by an earlier run are committed at once.
        long nextRound = ticker.getAsLong() + (journal.pendingSegments() > 0 ? 0 : batchNanos);
        while (true) {
            boolean finishing;
            List<CompletableFuture<Void>> completing;
            flushLock.lock();
            try {
                awaitRound(nextRound, backingOff);
                finishing = journalFinished;
                completing = new ArrayList<>(waitingFlushes);
                waitingFlushes.clear();
                flushRequested = false;
            } finally {
                flushLock.unlock();
            }
            boolean committed = commitPending(backingOff);
            long now = ticker.getAsLong();
            if (committed) {
                completing.forEach(f -> f.complete(null));
                backoff = initialBackoff;
                backingOff = false;
                nextRound = now + batchNanos;
                if (finishing) {
                    return;
                }
                continue;
            }
            backingOff = true;
            nextRound = now + backoff;
            backoff = Math.min(maxBackoff, backoff * 2);
            if (finishing && now - closeDeadlineNanos >= 0) {
                StoreException left = new StoreException("spend writer closed before the database was reachable; "
                        + "the records stay in the journal for the next start");
                completing.forEach(f -> f.completeExceptionally(left));
                return;
            }
            if (finishing && nextRound - closeDeadlineNanos > 0) {
                nextRound = closeDeadlineNanos;
            }
            requeue(completing);
        }
    }

    /** Waits, holding flushLock, until the next round is due or a flush is asked for (not while backing off). */
    private void awaitRound(long nextRound, boolean backingOff) {
        while (true) {
            long due = nextRound;
            if (journalFinished && due - closeDeadlineNanos > 0) {
                // Closing: a back-off must not outlast the close deadline.
                due = closeDeadlineNanos;
            }
            long remaining = due - ticker.getAsLong();
            if (remaining <= 0 || (!backingOff && (flushRequested || journalFinished))) {
                return;
            }
            try {
                flushWake.awaitNanos(remaining);
            } catch (InterruptedException e) {
                // Nobody but close() coordinates this thread, and it does so through the flags; keep waiting.
            }
        }
    }

    private void requeue(List<CompletableFuture<Void>> futures) {
        if (futures.isEmpty()) {
            return;
        }
        flushLock.lock();
        try {
            waitingFlushes.addAll(0, futures);
        } finally {
            flushLock.unlock();
        }
    }

    /** Commits every closed segment, oldest first; false at the first failure (the rest wait for the next round). */
    private boolean commitPending(boolean recovering) {
        List<Path> segments;
        try {
            segments = journal.rollAndListClosed();
        } catch (IOException e) {
            logger.error("Cannot roll the spend journal {}", config.journalDirectory(), e);
            return false;
        }
        long before = inserted.get();
        for (Path segment : segments) {
            try {
                commitSegment(segment);
            } catch (StoreException e) {
                failedBatches.incrementAndGet();
                if (!recovering) {
                    logger.warn("Spend batch not written ({}); records stay in the journal and will be retried",
                            describe(e));
                } else {
                    logger.debug("Spend batch retry failed", e);
                }
                return false;
            } catch (IOException e) {
                logger.error("Cannot read spend journal segment {}; retrying later", segment, e);
                return false;
            } catch (RuntimeException e) {
                // A bug rather than an outage; the segment stays and the thread lives on to retry.
                failedBatches.incrementAndGet();
                logger.error("Spend batch from {} failed unexpectedly; retrying later", segment, e);
                return false;
            }
        }
        if (recovering) {
            logger.info("Database reachable again; {} spend row(s) written from the journal", inserted.get() - before);
        }
        return true;
    }

    private void commitSegment(Path segment) throws IOException {
        try (SegmentReader reader = SpendJournal.read(segment)) {
            String segmentId = journal.segmentId(segment);
            int offset = 0;
            List<SpendRecord> batch;
            while (!(batch = reader.next(config.batchSize())).isEmpty()) {
                int rows = committer.commit(segmentId, offset, batch, config.spendLogs());
                offset += batch.size();
                committedBatches.incrementAndGet();
                inserted.addAndGet(rows);
                duplicates.addAndGet(batch.size() - rows);
            }
            if (reader.corrupt()) {
                corrupt.incrementAndGet();
                logger.warn("Spend journal segment {} ends in a damaged record (a write cut short by a crash); the "
                        + "records before it are written", segment);
            }
        }
        journal.delete(segment);
    }

    private static String describe(StoreException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return e.getMessage() + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    // ---- helpers

    private @Nullable Object pollUninterruptibly(long timeoutNanos) {
        try {
            return queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // Only close() coordinates this thread, through the queue; an interrupt just ends this wait.
            return null;
        }
    }

    private void putUninterruptibly(Object item) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(item);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinUninterruptibly(Thread thread, long millis) {
        boolean interrupted = false;
        long deadline = System.currentTimeMillis() + millis;
        while (thread.isAlive()) {
            long remaining = deadline - System.currentTimeMillis();
            if (remaining <= 0) {
                logger.error("{} did not stop within {} ms", thread.getName(), millis);
                break;
            }
            try {
                thread.join(remaining);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
