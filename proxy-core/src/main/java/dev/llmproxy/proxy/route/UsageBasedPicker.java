package dev.llmproxy.proxy.route;

/**
 * {@code usage-based-routing-v2} (and its legacy name {@code usage-based-routing}): the deployment that was charged the
 * fewest tokens in the current calendar minute (UTC, LiteLLM's window), ties broken by fewer requests this minute, then
 * at random. Unlike LiteLLM, limits are not checked here with an off-by-one (#33032): the router admits each pick
 * against the deployment's exact limits. Thread-safety: immutable.
 */
final class UsageBasedPicker extends LowestScorePicker {
    /** Requests weigh less than one token, so they only break ties between equal token counts. */
    private static final double REQUEST_WEIGHT = 1e-9;

    UsageBasedPicker(RoutingStats stats) {
        super(stats, true);
    }

    @Override
    double score(DeploymentStats deployment, boolean stream, long nowMillis) {
        return deployment.tokensThisMinute(nowMillis)
                + REQUEST_WEIGHT * Math.min(deployment.requestsThisMinute(nowMillis), 1_000_000);
    }

    @Override
    public boolean tracksLeases() {
        return true;
    }
}
