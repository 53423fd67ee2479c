package dev.llmproxy.bench.load;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/*
 * Implementation notes: coordinated omission.
 *
 * Request i is intended to be sent at runStart + offset + i * period. A pacer task wakes at each intended time and
 * issues every request that is due; a due request takes an idle connection or, if none is idle, waits in a FIFO
 * backlog that connections drain as their responses complete. Latency is always completion - intended time, so
 * time spent waiting for a connection (because the server stalled) counts, and a stall of S ms shows up in every
 * request that was due during it, not only in the few that happened to be in flight (Gil Tene, "How NOT to measure
 * latency"; wrk2). Requests still unanswered at the drain deadline are recorded with latency deadline - intended,
 * a lower bound, and counted as incomplete.
 */

/**
 * Open loop at a constant rate with latency measured from each request's intended send time.
 *
 * <p>Thread-safety: confined to the lane's event loop.
 */
final class OpenLoopLane extends Lane {

    final Histogram latencyMicros = Histograms.newMicros();
    final Histogram serviceMicros = Histograms.newMicros();
    long scheduled;
    long completed;
    long errors;
    long rateLimited;
    long incomplete;
    int maxBacklog;
    private final long periodNanos;
    private final long offsetNanos;
    private final ArrayDeque<LoadConnection> idle = new ArrayDeque<>();
    private final LongFifo backlog = new LongFifo();
    private long nextIntended;
    private boolean issuing;

    OpenLoopLane(LaneSettings settings, int connections, long periodNanos, long offsetNanos) {
        super(settings, connections, null);
        this.periodNanos = periodNanos;
        this.offsetNanos = offsetNanos;
    }

    @Override
    void onBegin(long now) {
        idle.addAll(connections);
        nextIntended = now + offsetNanos;
        issuing = true;
        pace();
    }

    @Override
    void onReconnected(LoadConnection connection, long now) {
        idle.push(connection);
        drainBacklog(now);
    }

    @Override
    void onResponse(LoadConnection connection, int status, long now) {
        long intended = connection.intendedNanos();
        if (isMeasuring(intended)) {
            if (status / 100 == 2) {
                completed++;
                Histograms.recordNanos(latencyMicros, now - intended);
                Histograms.recordNanos(serviceMicros, now - connection.sentNanos());
            } else {
                errors++;
                if (status == 429) {
                    rateLimited++;
                }
            }
        }
        idle.push(connection);
        drainBacklog(now);
        finishIfQuiescent(now);
    }

    @Override
    void onClosed(LoadConnection connection, boolean lost, long now) {
        idle.remove(connection);
        if (lost && isMeasuring(connection.intendedNanos())) {
            errors++;
        }
    }

    @Override
    boolean isQuiescent() {
        return !issuing && backlog.isEmpty() && idle.size() == connections.size();
    }

    @Override
    void onDrainTimeout(long now) {
        for (LoadConnection connection : connections) {
            if (connection.isInFlight()) {
                recordIncomplete(connection.intendedNanos(), now);
            }
        }
        while (!backlog.isEmpty()) {
            recordIncomplete(backlog.poll(), now);
        }
    }

    private void pace() {
        long now = ticker().nanoTime();
        while (nextIntended <= now && nextIntended < measureEnd) {
            issue(nextIntended, now);
            nextIntended += periodNanos;
        }
        if (nextIntended < measureEnd) {
            loop.schedule(this::pace, nextIntended - now, TimeUnit.NANOSECONDS);
        } else {
            issuing = false;
            finishIfQuiescent(now);
        }
    }

    private void issue(long intended, long now) {
        if (isMeasuring(intended)) {
            scheduled++;
        }
        LoadConnection connection = idle.poll();
        if (connection != null) {
            connection.send(intended, now);
        } else {
            backlog.add(intended);
            maxBacklog = Math.max(maxBacklog, backlog.size());
        }
    }

    private void drainBacklog(long now) {
        while (!backlog.isEmpty() && !idle.isEmpty()) {
            idle.pop().send(backlog.poll(), now);
        }
    }

    private void recordIncomplete(long intended, long now) {
        if (isMeasuring(intended)) {
            incomplete++;
            Histograms.recordNanos(latencyMicros, now - intended);
        }
    }

    /** A growable FIFO of primitive longs, so a backlog costs no boxing. */
    private static final class LongFifo {
        private long[] items = new long[64];
        private int head;
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void add(long value) {
            if (size == items.length) {
                long[] grown = new long[items.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = items[(head + i) % items.length];
                }
                items = grown;
                head = 0;
            }
            items[(head + size) % items.length] = value;
            size++;
        }

        long poll() {
            long value = items[head];
            head = (head + 1) % items.length;
            size--;
            return value;
        }
    }
}
