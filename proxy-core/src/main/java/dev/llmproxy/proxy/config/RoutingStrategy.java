package dev.llmproxy.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * The {@code router_settings.routing_strategy} values LiteLLM accepts; an unknown name is a config error.
 * {@link #USAGE_BASED_ROUTING} (LiteLLM's legacy v1) routes as {@link #USAGE_BASED_ROUTING_V2}.
 */
public enum RoutingStrategy {
    SIMPLE_SHUFFLE("simple-shuffle"),
    LEAST_BUSY("least-busy"),
    USAGE_BASED_ROUTING("usage-based-routing"),
    USAGE_BASED_ROUTING_V2("usage-based-routing-v2"),
    LATENCY_BASED_ROUTING("latency-based-routing"),
    COST_BASED_ROUTING("cost-based-routing");

    private final String configName;

    RoutingStrategy(String configName) {
        this.configName = configName;
    }

    /** The name as written in {@code config.yaml}. */
    public String configName() {
        return configName;
    }

    /** The strategy written as {@code name}, or {@code null} when LiteLLM has no such strategy. */
    public static @Nullable RoutingStrategy fromConfigName(String name) {
        for (RoutingStrategy strategy : values()) {
            if (strategy.configName.equals(name)) {
                return strategy;
            }
        }
        return null;
    }
}
