package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One performance target next to its measured value.
 *
 * @param name what is measured
 * @param target the goal, e.g. {@code "<= 0.30"}
 * @param measured the proxy's measured value as text ({@code "n/a"} if not measured)
 * @param nginx nginx's value for the same metric as text, for comparison ({@code "n/a"} if nginx did not run or the
 *     metric does not apply to it)
 * @param passed whether the target is met; null if it could not be evaluated
 */
public record TargetCheck(String name, String target, String measured, String nginx, @Nullable Boolean passed) {

    /** Validates the check. */
    public TargetCheck {
        requireNonNull(name, "name");
        requireNonNull(target, "target");
        requireNonNull(measured, "measured");
        requireNonNull(nginx, "nginx");
    }

    /** {@code PASS}, {@code FAIL} or {@code n/a}. */
    public String verdict() {
        return passed == null ? "n/a" : passed ? "PASS" : "FAIL";
    }
}
