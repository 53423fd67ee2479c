package dev.llmproxy.proxy.route;

import dev.llmproxy.codec.openai.Usage;
import org.jspecify.annotations.Nullable;

/**
 * A target admitted for one attempt: whatever admission took (a request slot, a parallel-call slot) is held until
 * {@link #release}. Thread-safety: used by one call on its event loop; implementations that share counters across
 * loops make them thread-safe.
 */
public interface Lease {

    /** The deployment and upstream model of the attempt. */
    Target target();

    /**
     * The attempt ended. Called exactly once per lease.
     *
     * @param status the HTTP status of the attempt: the provider's, or the gateway's for failures of its own (502
     *     cannot connect, 408 timeout, 499 the client went away)
     * @param usage the tokens the provider reported, or {@code null} when unknown
     */
    void release(int status, @Nullable Usage usage);
}
