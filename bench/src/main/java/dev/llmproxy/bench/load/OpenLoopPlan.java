package dev.llmproxy.bench.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * An open-loop run at a constant {@code ratePerSecond} over at most {@code connections} concurrent requests. Latency
 * is measured from each request's intended send time; a request due while every connection is busy waits, and the
 * wait counts (coordinated omission corrected). Requests intended within {@code measure} after {@code warmup} are
 * recorded.
 */
public record OpenLoopPlan(
        RequestTemplate request, int connections, int ratePerSecond, Duration warmup, Duration measure) {

    /** Validates the plan; throws {@link IllegalArgumentException} on a non-positive count, rate or window. */
    public OpenLoopPlan {
        requireNonNull(request, "request");
        requireNonNull(warmup, "warmup");
        requireNonNull(measure, "measure");
        Plans.positive("connections", connections);
        Plans.positive("ratePerSecond", ratePerSecond);
        Plans.window(warmup, measure);
    }
}
