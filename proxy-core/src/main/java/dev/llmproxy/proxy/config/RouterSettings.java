package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code router_settings} section.
 *
 * @param routingStrategy {@code routing_strategy} (default {@code simple-shuffle})
 * @param modelGroupAlias {@code model_group_alias}: alias → target group, in file order
 * @param timeout {@code timeout} for every deployment without its own, or {@code null}
 * @param streamTimeout {@code stream_timeout} for streamed requests to deployments without their own, or {@code null}
 * @param rpdResetZone {@code rpd_reset_timezone} (llmproxy's own key): the zone whose midnight starts a new day for
 *     {@code rpd} limits, for deployments without their own (default {@code America/Los_Angeles}, as Google resets)
 * @param strategyArgs {@code routing_strategy_args} (latency-based routing)
 * @param capacityWait {@code wait_for_capacity_timeout} and {@code wait_for_capacity_max_queue} (llmproxy's own keys),
 *     or {@code null} when requests never wait (the default: a group at its limits answers 429 at once)
 * @param other every key not modelled above (reported in {@link ProxyConfig#ignoredKeys()}), values resolved
 */
public record RouterSettings(
        RoutingStrategy routingStrategy,
        Map<String, ModelGroupAlias> modelGroupAlias,
        @Nullable Duration timeout,
        @Nullable Duration streamTimeout,
        ZoneId rpdResetZone,
        RoutingStrategyArgs strategyArgs,
        @Nullable CapacityWait capacityWait,
        Map<String, @Nullable Object> other) {

    /** Where a day starts for {@code rpd} unless configured: Google resets daily quotas at midnight Pacific time. */
    public static final ZoneId DEFAULT_RPD_RESET_ZONE = ZoneId.of("America/Los_Angeles");

    /** An absent section. */
    public static final RouterSettings DEFAULTS =
            new RouterSettings(RoutingStrategy.SIMPLE_SHUFFLE, Map.of(), null, null, DEFAULT_RPD_RESET_ZONE,
                    RoutingStrategyArgs.DEFAULTS, null, Map.of());

    public RouterSettings {
        requireNonNull(routingStrategy, "routingStrategy");
        requireNonNull(modelGroupAlias, "modelGroupAlias");
        requireNonNull(rpdResetZone, "rpdResetZone");
        requireNonNull(strategyArgs, "strategyArgs");
        requireNonNull(other, "other");
    }

    /** Leaves out the values of {@link #other()}, which may hold secrets (passwords, URLs with credentials). */
    @Override
    public String toString() {
        return "RouterSettings[routingStrategy=" + routingStrategy + ", modelGroupAlias=" + modelGroupAlias
                + ", timeout=" + timeout
                + ", streamTimeout=" + streamTimeout + ", rpdResetZone=" + rpdResetZone
                + ", strategyArgs=" + strategyArgs
                + ", capacityWait=" + capacityWait + ", other=" + other.keySet()
                + ']';
    }
}
