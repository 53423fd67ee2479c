package dev.llmproxy.proxy.trace;

import dev.llmproxy.proxy.call.CallRecord;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * Event loops only offer the finished CallRecord to a bounded queue (ArrayBlockingQueue: its lock is held for a few
 * nanoseconds per offer, and offer never waits). When the queue is full the record is dropped and counted: a slow or
 * dead collector costs the request path nothing but that failed offer.
 *
 * One daemon thread per destination wakes every `linger` (or earlier, when an event loop has just queued the
 * maxBatchRecords-th record since the last early wake-up), drains what is queued in batches of at most
 * maxBatchRecords, encodes their spans straight into one reused protobuf buffer (OtlpTraceEncoder: no span objects, a
 * few allocations per record), and posts each batch, waiting at most exportTimeout. The thread sleeps with parkNanos,
 * not on the queue's condition, so that an offer finds no waiter to signal: at 2,000 requests a second waking the
 * exporter for every record (a futex wake on the event loop, a context switch on the exporter) cost more CPU than
 * encoding and posting the records. Retries are off: a failed batch is counted as lost and the thread moves on, so the queue drains at
 * the collector's pace or is dropped at the door, never both waiting.
 *
 * Ticker times are turned into epoch times with an anchor (ticker, clock) read once per batch, so a long uptime does
 * not drift the spans away from the wall clock.
 */
/**
 * The export path to one {@link TraceDestination}: a bounded queue of records and the thread that turns them into
 * spans and posts them.
 *
 * <p>Thread-safety: {@link #offer} from any thread; the rest runs on the pipeline's own thread, {@link #close} from
 * one thread.
 */
final class TracePipeline {
    private static final Logger log = LoggerFactory.getLogger(TracePipeline.class);
    private static final long CLOSE_SLACK_MILLIS = 400;
    static final String EXPERIMENT_ID_HEADER = "x-mlflow-experiment-id";
    private static final long LOOKUP_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The shortest sleep between drains, so that a zero linger does not spin. */
    private static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final TraceDestination destination;
    private final OtlpTraceEncoder encoder;
    private final OtlpHttpSender sender;
    private final LostRecords lost;
    private final LongSupplier ticker;
    private final Clock clock;
    private final int maxBatchRecords;
    private final long lingerNanos;
    private final long exportTimeoutNanos;
    private final ArrayBlockingQueue<CallRecord> queue;
    /** Written by event loops on a full queue, read by the exporter thread to log the drops. */
    private final AtomicLong dropped = new AtomicLong();
    /** Records queued since start; written by event loops, to wake the exporter once a full batch is waiting. */
    private final AtomicLong offered = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Thread thread;
    /** Looks up the MLflow experiment id before the first export, or null when the headers are complete. */
    private final @Nullable MlflowExperiments experiments;
    /** Exporter thread only: whether the experiment id is in the sender's headers (or none is needed). */
    private boolean experimentKnown;
    private long nextLookupTicks;
    /** The records of the batch being built; touched only by the pipeline's thread. */
    private final List<CallRecord> records = new ArrayList<>();
    /** Exporter thread only: whether the last export failed (failures are logged on the change, not each time). */
    private boolean failing;
    private long droppedLogged;
    private long dropsLoggedAtTicks;

    TracePipeline(TraceDestination destination, TraceSettings settings, OtlpTraceEncoder encoder,
            OtlpHttpSender sender, LostRecords lost, Clocks clocks) {
        this.destination = destination;
        String experiment = destination.mlflowExperimentName();
        String traces = destination.endpoint().toString();
        this.experiments = experiment == null ? null : new MlflowExperiments(
                URI.create(traces.substring(0, traces.length() - TraceSettings.TRACES_PATH.length())),
                withoutExperimentId(destination.headers()), settings.exportTimeout());
        this.experimentKnown = experiment == null;
        this.encoder = encoder;
        this.sender = sender;
        this.lost = lost;
        this.ticker = clocks.ticker();
        this.clock = clocks.clock();
        this.maxBatchRecords = settings.maxBatchRecords();
        this.lingerNanos = settings.linger().toNanos();
        this.exportTimeoutNanos = settings.exportTimeout().toNanos();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.thread = new Thread(this::run, "llmproxy-trace-" + destination.backend().callbackName());
        this.thread.setDaemon(true);
    }

    /** Starts the exporter thread. */
    void start() {
        thread.start();
    }

    /** Queues {@code record} if the destination wants it; never blocks. */
    void offer(CallRecord record, boolean success) {
        if (!destination.outcomes().includes(success)) {
            return;
        }
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
            lost.lost(destination.backend().callbackName(), 1);
        } else if (offered.incrementAndGet() % maxBatchRecords == 0) {
            LockSupport.unpark(thread);
        }
    }

    /** Exports what is queued (waiting at most the export timeout), then stops the thread. */
    void close() {
        closing.set(true);
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(exportTimeoutNanos) + CLOSE_SLACK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            exportUntilClosed();
        } finally {
            sender.close();
        }
    }

    private void exportUntilClosed() {
        long parkNanos = Math.max(MIN_PARK_NANOS, lingerNanos);
        while (true) {
            boolean last = closing.get();
            if (!experimentKnown && !lookUpExperiment()) {
                if (last) {
                    return;
                }
                LockSupport.parkNanos(this, parkNanos);
                continue;
            }
            int drained = queue.drainTo(records, maxBatchRecords);
            if (drained > 0) {
                try {
                    exportBatch();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    // A bug in span building must not end the thread (records would pile up unexported).
                    records.clear();
                    lost.lost(destination.backend().callbackName(), drained);
                    log.warn("Building or exporting spans for {} failed; the batch is lost", destination, e);
                }
                if (drained == maxBatchRecords) {
                    continue;
                }
            }
            if (last) {
                return;
            }
            LockSupport.parkNanos(this, parkNanos);
            if (Thread.interrupted()) {
                return;
            }
        }
    }

    /**
     * Looks the MLflow experiment up (at most every {@link #LOOKUP_RETRY_NANOS}); until it is found records stay
     * queued (and are dropped, counted, once the queue is full).
     */
    private boolean lookUpExperiment() {
        long now = ticker.getAsLong();
        MlflowExperiments lookup = experiments;
        String name = destination.mlflowExperimentName();
        if (lookup == null || name == null || now - nextLookupTicks < 0) {
            return false;
        }
        try {
            String id = lookup.resolve(name);
            sender.header(EXPERIMENT_ID_HEADER, id);
            experimentKnown = true;
            log.info("MLflow experiment '{}' has id {}; traces go there", name, id);
        } catch (IOException e) {
            nextLookupTicks = now + LOOKUP_RETRY_NANOS;
            if (!failing) {
                log.warn("Cannot look up MLflow experiment '{}' at {} ({}); traces wait in the queue, retrying every "
                        + "{} s", name, destination.endpoint().getHost(), e.getMessage(),
                        TimeUnit.NANOSECONDS.toSeconds(LOOKUP_RETRY_NANOS));
                failing = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing.set(true);
        }
        return experimentKnown;
    }

    private static Map<String, String> withoutExperimentId(Map<String, String> headers) {
        Map<String, String> rest = new HashMap<>(headers);
        rest.remove(EXPERIMENT_ID_HEADER);
        return rest;
    }

    private void exportBatch() throws InterruptedException {
        Instant now = clock.instant();
        long anchorTicks = ticker.getAsLong();
        long anchorEpochNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        int count = records.size();
        int spans = encoder.encode(records, anchorTicks, anchorEpochNanos);
        records.clear();
        if (spans == 0) {
            return;
        }
        boolean success = sender.send(encoder.array(), encoder.size());
        if (!success) {
            lost.lost(destination.backend().callbackName(), count);
        }
        report(success, count);
    }

    private void report(boolean success, int count) {
        if (!success && !failing) {
            log.warn("Trace export to {} failed; {} call record(s) lost. Requests are unaffected; lost records are "
                    + "counted in litellm_callback_logging_failures_metric until the collector answers again",
                    destination, count);
        } else if (success && failing) {
            log.info("Trace export to {} works again", destination);
        }
        failing = !success;
        long drops = dropped.get();
        long now = ticker.getAsLong();
        if (drops != droppedLogged && (droppedLogged == 0 || now - dropsLoggedAtTicks >= DROP_LOG_INTERVAL_NANOS)) {
            dropsLoggedAtTicks = now;
            log.warn("Trace queue for {} was full: {} call record(s) dropped so far (the collector is slower than the "
                    + "traffic)", destination, drops);
            droppedLogged = drops;
        }
    }

    /** The server's time sources. */
    record Clocks(LongSupplier ticker, Clock clock) {}
}
