package dev.llmproxy.bench.load;

import org.HdrHistogram.Histogram;

/**
 * The outcome of an {@link OpenLoopPlan}. Of the {@code scheduled} requests intended within the measurement window,
 * {@code completed} got a 2xx response, {@code errors} got another status or lost their connection (of them,
 * {@code rateLimited} got a 429), and
 * {@code incomplete} were unanswered at the drain deadline. {@code latencyMicros} is completion minus intended send
 * time (incomplete requests are included with deadline minus intended time, a lower bound); {@code
 * serviceTimeMicros} is completion minus actual send time, for comparison. {@code maxBacklog} is the most requests
 * ever waiting for a free connection. The histograms belong to the caller.
 */
public record OpenLoopResult(
        int ratePerSecond,
        int connections,
        long scheduled,
        long completed,
        long errors,
        long rateLimited,
        long incomplete,
        int maxBacklog,
        Histogram latencyMicros,
        Histogram serviceTimeMicros) {

    /**
     * This run and {@code other} (at the same rate, e.g. two slices of one window) as one: counts summed, histograms
     * merged into new ones, the larger backlog.
     */
    public OpenLoopResult plus(OpenLoopResult other) {
        Histogram latency = latencyMicros.copy();
        latency.add(other.latencyMicros);
        Histogram service = serviceTimeMicros.copy();
        service.add(other.serviceTimeMicros);
        return new OpenLoopResult(ratePerSecond, connections, scheduled + other.scheduled, completed + other.completed,
                errors + other.errors, rateLimited + other.rateLimited, incomplete + other.incomplete,
                Math.max(maxBacklog, other.maxBacklog), latency, service);
    }
}
