package dev.llmproxy.bench.scenario;

import org.jspecify.annotations.Nullable;

/**
 * One performance target next to its measured value.
 *
 * @param name what is measured
 * @param target the goal, e.g. {@code "<= 0.30"}
 * @param measured the measured value as text ({@code "n/a"} if not measured)
 * @param passed whether the target is met; null if it could not be evaluated
 */
public record TargetCheck(String name, String target, String measured, @Nullable Boolean passed) {

    /** {@code PASS}, {@code FAIL} or {@code n/a}. */
    public String verdict() {
        return passed == null ? "n/a" : passed ? "PASS" : "FAIL";
    }
}
