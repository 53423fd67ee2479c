package dev.llmproxy.proxy.route;

/**
 * {@code least-busy}: the deployment with the fewest calls in flight (admitted by this proxy and not yet ended), ties
 * at random. LiteLLM counts from the provider call's start to its end; so does this, from admission to the lease's
 * release. Thread-safety: immutable.
 */
final class LeastBusyPicker extends LowestScorePicker {

    LeastBusyPicker(RoutingStats stats) {
        super(stats, true);
    }

    @Override
    double score(DeploymentStats deployment, boolean stream, long nowMillis) {
        return deployment.inFlight();
    }

    @Override
    public boolean tracksLeases() {
        return true;
    }
}
