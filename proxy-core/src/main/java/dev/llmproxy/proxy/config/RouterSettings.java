package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code router_settings} section.
 *
 * @param routingStrategy {@code routing_strategy} (default {@code simple-shuffle})
 * @param modelGroupAlias {@code model_group_alias}: alias → target group, in file order
 * @param timeout {@code timeout} for every deployment without its own, or {@code null}
 * @param streamTimeout {@code stream_timeout} for streamed requests to deployments without their own, or {@code null}
 * @param other every key not modelled above (reported in {@link ProxyConfig#ignoredKeys()}), values resolved
 */
public record RouterSettings(
        RoutingStrategy routingStrategy,
        Map<String, ModelGroupAlias> modelGroupAlias,
        @Nullable Duration timeout,
        @Nullable Duration streamTimeout,
        Map<String, @Nullable Object> other) {

    /** An absent section. */
    public static final RouterSettings DEFAULTS =
            new RouterSettings(RoutingStrategy.SIMPLE_SHUFFLE, Map.of(), null, null, Map.of());

    public RouterSettings {
        requireNonNull(routingStrategy, "routingStrategy");
        requireNonNull(modelGroupAlias, "modelGroupAlias");
        requireNonNull(other, "other");
    }

    /** Leaves out the values of {@link #other()}, which may hold secrets (passwords, URLs with credentials). */
    @Override
    public String toString() {
        return "RouterSettings[routingStrategy=" + routingStrategy + ", modelGroupAlias=" + modelGroupAlias
                + ", timeout=" + timeout
                + ", streamTimeout=" + streamTimeout + ", other=" + other.keySet() + ']';
    }
}
