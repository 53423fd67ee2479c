package dev.llmproxy.bench.load;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Concurrent SSE streams: each connection runs one stream after another (closed loop). Start times are staggered so
 * the streams' events do not all fall on the same instants. Streams sent inside the measurement window are recorded.
 *
 * <p>Thread-safety: confined to the lane's event loop.
 */
final class StreamLane extends Lane {

    final Histogram firstEventMicros = Histograms.newMicros();
    final Histogram largestGapMicros = Histograms.newMicros();
    final ChunkLog chunks = new ChunkLog();
    long completed;
    long paced;
    long shortStreams;
    long errors;
    long incomplete;
    int maxEventsPerRead;
    private final int expectedEvents;
    private final long intervalNanos;
    private final long firstStartNanos;
    private final long staggerNanos;
    private int inFlight;
    private int pendingStarts;

    StreamLane(LaneSettings settings, int streams, StreamPlan plan, long firstStartNanos, long staggerNanos) {
        super(settings, streams, plan.shape());
        this.expectedEvents = plan.expectedEvents();
        this.intervalNanos = plan.upstreamInterval().toNanos();
        this.firstStartNanos = firstStartNanos;
        this.staggerNanos = staggerNanos;
    }

    @Override
    void onBegin(long now) {
        long delay = firstStartNanos;
        for (LoadConnection connection : connections) {
            connection.probe = new StreamProbe(expectedEvents, intervalNanos);
            pendingStarts++;
            loop.schedule(() -> {
                pendingStarts--;
                long at = ticker().nanoTime();
                if (at < measureEnd && !connection.isInFlight()) {
                    send(connection, at);
                }
                finishIfQuiescent(at);
            }, delay, TimeUnit.NANOSECONDS);
            delay += staggerNanos;
        }
    }

    @Override
    void onReconnected(LoadConnection connection, long now) {
        connection.probe = new StreamProbe(expectedEvents, intervalNanos);
        if (now < measureEnd) {
            send(connection, now);
        }
    }

    @Override
    void onEvents(LoadConnection connection, SseEventScanner events, int count, long now) {
        StreamProbe probe = connection.probe;
        if (probe != null) {
            probe.onEvents(events, count, now);
        }
    }

    @Override
    void onResponse(LoadConnection connection, int status, long now) {
        inFlight--;
        StreamProbe probe = connection.probe;
        if (probe != null && isMeasuring(probe.sentNanos())) {
            record(probe, status);
        }
        if (now < measureEnd) {
            send(connection, now);
        } else {
            finishIfQuiescent(now);
        }
    }

    @Override
    void onClosed(LoadConnection connection, boolean lost, long now) {
        StreamProbe probe = connection.probe;
        if (lost) {
            inFlight--;
            if (probe != null && isMeasuring(probe.sentNanos())) {
                errors++;
            }
        }
    }

    @Override
    boolean isQuiescent() {
        return inFlight == 0 && pendingStarts == 0;
    }

    @Override
    void onDrainTimeout(long now) {
        for (LoadConnection connection : connections) {
            StreamProbe probe = connection.probe;
            if (connection.isInFlight() && probe != null && isMeasuring(probe.sentNanos())) {
                incomplete++;
            }
        }
    }

    private void record(StreamProbe probe, int status) {
        if (status / 100 != 2) {
            errors++;
            return;
        }
        completed++;
        if (probe.hasFirstEvent()) {
            Histograms.recordNanos(firstEventMicros, probe.firstEventNanos());
            Histograms.recordNanos(largestGapMicros, probe.largestGapNanos());
        }
        if (probe.isPaced()) {
            paced++;
        }
        if (probe.isComplete()) {
            chunks.add(probe);
        } else {
            shortStreams++;
        }
        maxEventsPerRead = Math.max(maxEventsPerRead, probe.maxEventsPerRead());
    }

    private void send(LoadConnection connection, long now) {
        StreamProbe probe = connection.probe;
        if (probe != null) {
            probe.reset(now);
        }
        inFlight++;
        connection.send(now, now);
    }
}
