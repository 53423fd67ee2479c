package dev.llmproxy.bench.load;

/**
 * A monotonic nanosecond time source, injected so that measurement code never reads the clock directly.
 *
 * <p>Thread-safety: implementations must be safe to call from any thread.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current value of a monotonic clock in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /** Returns the ticker backed by {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
