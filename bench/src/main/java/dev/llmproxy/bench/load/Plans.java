package dev.llmproxy.bench.load;

import java.time.Duration;

/** Validation shared by the plan records. */
final class Plans {

    private Plans() {
    }

    static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    static void window(Duration warmup, Duration measure) {
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
        }
        if (measure.isNegative() || measure.isZero()) {
            throw new IllegalArgumentException("measure: " + measure + " (expected: > 0)");
        }
    }
}
