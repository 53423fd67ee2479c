package dev.llmproxy.proxy.route;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's default {@code simple-shuffle}: a random deployment of the group, weighted as {@link ModelRoute}
 * describes, never one the call already tried. Admits every pick, ignoring limits and {@code order}; the server
 * routes with {@link LimitingRouter}, which picks the same way when a group has neither. Kept for tests that want
 * routing without limits. Thread-safety: stateless.
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
}
