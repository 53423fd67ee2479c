package dev.llmproxy.proxy.route;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's default {@code simple-shuffle}: a random deployment of the group, weighted as {@link ModelRoute}
 * describes, never one the call already tried. Admits every pick (no limits yet) and does not retry, which is what
 * llmproxy did before routing was configurable; the routing issue adds limits, retries and cooldowns behind
 * {@link Router}. Thread-safety: stateless.
 */
public final class SimpleShuffleRouter implements Router {

    /** The one instance. */
    public static final SimpleShuffleRouter INSTANCE = new SimpleShuffleRouter();

    private SimpleShuffleRouter() {}

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random) {
        Target target = route.pick(random, tried);
        return target == null ? null : target.unlimitedLease();
    }

    @Override
    public boolean mayRetry(int status, int attempts) {
        return false;
    }
}
