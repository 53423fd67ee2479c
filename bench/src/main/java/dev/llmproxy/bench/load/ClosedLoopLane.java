package dev.llmproxy.bench.load;

import org.HdrHistogram.Histogram;

/**
 * Closed loop: each connection sends its next request as soon as the previous response completed. Responses that
 * complete inside the measurement window are counted (throughput) and their latencies recorded.
 *
 * <p>Thread-safety: confined to the lane's event loop.
 */
final class ClosedLoopLane extends Lane {

    final Histogram latencyMicros = Histograms.newMicros();
    long completed;
    long errors;
    private int inFlight;

    ClosedLoopLane(LaneSettings settings, int connections) {
        super(settings, connections, null);
    }

    @Override
    void onBegin(long now) {
        for (LoadConnection connection : connections) {
            send(connection, now);
        }
    }

    @Override
    void onReconnected(LoadConnection connection, long now) {
        if (now < measureEnd) {
            send(connection, now);
        }
    }

    @Override
    void onResponse(LoadConnection connection, int status, long now) {
        inFlight--;
        if (isMeasuring(now)) {
            if (status / 100 == 2) {
                completed++;
                Histograms.recordNanos(latencyMicros, now - connection.sentNanos());
            } else {
                errors++;
            }
        }
        if (now < measureEnd) {
            send(connection, now);
        } else {
            finishIfQuiescent(now);
        }
    }

    @Override
    void onClosed(LoadConnection connection, boolean lost, long now) {
        if (lost) {
            inFlight--;
            if (isMeasuring(now)) {
                errors++;
            }
        }
    }

    @Override
    boolean isQuiescent() {
        return inFlight == 0;
    }

    @Override
    void onDrainTimeout(long now) {
        // Responses still outstanding complete after measureEnd, so they are outside the window either way.
    }

    private void send(LoadConnection connection, long now) {
        inFlight++;
        connection.send(now, now);
    }
}
