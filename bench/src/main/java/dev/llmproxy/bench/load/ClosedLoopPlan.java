package dev.llmproxy.bench.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A closed-loop run: {@code connections} keep-alive connections, each sending its next request when the previous
 * response completed; after {@code warmup}, responses completing within {@code measure} are counted.
 */
public record ClosedLoopPlan(RequestTemplate request, int connections, Duration warmup, Duration measure) {

    /** Validates the plan; throws {@link IllegalArgumentException} on a non-positive count or window. */
    public ClosedLoopPlan {
        requireNonNull(request, "request");
        requireNonNull(warmup, "warmup");
        requireNonNull(measure, "measure");
        Plans.positive("connections", connections);
        Plans.window(warmup, measure);
    }
}
