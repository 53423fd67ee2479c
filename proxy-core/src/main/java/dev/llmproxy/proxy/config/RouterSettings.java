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
 * @param other every key not modelled above (reported in {@link ProxyConfig#ignoredKeys()}), values resolved
 */
public record RouterSettings(
        RoutingStrategy routingStrategy,
        Map<String, ModelGroupAlias> modelGroupAlias,
        @Nullable Duration timeout,
        @Nullable Duration streamTimeout,
        ZoneId rpdResetZone,
        Map<String, @Nullable Object> other) {

    /** Where a day starts for {@code rpd} unless configured: Google resets daily quotas at midnight Pacific time. */
    public static final ZoneId DEFAULT_RPD_RESET_ZONE = ZoneId.of("America/Los_Angeles");

    /** An absent section. */
    public static final RouterSettings DEFAULTS =
            new RouterSettings(RoutingStrategy.SIMPLE_SHUFFLE, Map.of(), null, null, DEFAULT_RPD_RESET_ZONE, Map.of());

    public RouterSettings {
        requireNonNull(routingStrategy, "routingStrategy");
        requireNonNull(modelGroupAlias, "modelGroupAlias");
        requireNonNull(rpdResetZone, "rpdResetZone");
        requireNonNull(other, "other");
    }

    /** Leaves out the values of {@link #other()}, which may hold secrets (passwords, URLs with credentials). */
    @Override
    public String toString() {
        return "RouterSettings[routingStrategy=" + routingStrategy + ", modelGroupAlias=" + modelGroupAlias
                + ", timeout=" + timeout
                + ", streamTimeout=" + streamTimeout + ", rpdResetZone=" + rpdResetZone + ", other=" + other.keySet()
                + ']';
    }
}
