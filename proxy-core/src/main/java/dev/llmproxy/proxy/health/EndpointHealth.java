package dev.llmproxy.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.route.Deployment;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one deployment's health check.
 *
 * @param deployment the deployment probed
 * @param mode the {@code model_info.mode} probed
 * @param healthy whether it answered as a working deployment does
 * @param error why not, for {@code unhealthy_endpoints} (never the provider's body, which may quote a key), or null
 */
public record EndpointHealth(Deployment deployment, String mode, boolean healthy, @Nullable String error) {

    public EndpointHealth {
        requireNonNull(deployment, "deployment");
        requireNonNull(mode, "mode");
    }
}
