package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.route.Deployment;
import org.jspecify.annotations.Nullable;

/**
 * What a call's answer cost, for its {@code x-litellm-response-cost} header: the same computation the spend records
 * use (the spend package implements it), so that the header and the spend logged for the call are the same number.
 *
 * <p>Thread-safety: implementations are called on every event loop at once and must be safe for that.
 */
public interface ResponseCosts {
    /** No model has a price: no answer is held for its cost and none carries the header. */
    ResponseCosts NONE = new ResponseCosts() {
        @Override
        public boolean isPriced(Deployment deployment, @Nullable String requestedModel) {
            return false;
        }

        @Override
        public double cost(Deployment deployment, @Nullable String requestedModel, Usage usage) {
            return 0;
        }
    };

    /**
     * Whether calls on {@code deployment} (asked for as {@code requestedModel}) can cost anything: a price that is not
     * zero for both input and output. Called for every non-streamed answer; must not allocate for a deployment that
     * is not a wildcard.
     */
    boolean isPriced(Deployment deployment, @Nullable String requestedModel);

    /** The cost in USD of a call on {@code deployment} that used {@code usage}; 0 when unpriced. */
    double cost(Deployment deployment, @Nullable String requestedModel, Usage usage);
}
