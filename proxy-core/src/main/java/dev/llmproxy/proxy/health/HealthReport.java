package dev.llmproxy.proxy.health;

import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.DeploymentLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@code GET /health} in LiteLLM's shape: {@code healthy_endpoints}, {@code unhealthy_endpoints} (each
 * with LiteLLM's allow-listed fields only: {@code model}, {@code model_id}, {@code api_base}, {@code api_version},
 * {@code custom_llm_provider}, {@code mode}, {@code rpm}, {@code tpm}, and {@code error} when unhealthy; never a key),
 * {@code healthy_count} and {@code unhealthy_count}.
 *
 * @param endpoints every deployment checked, in config order
 * @param checkedAtMillis when the round ended, epoch milliseconds
 */
public record HealthReport(List<EndpointHealth> endpoints, long checkedAtMillis) {

    public HealthReport {
        endpoints = List.copyOf(endpoints);
    }

    /** The endpoints that passed. */
    public List<EndpointHealth> healthy() {
        return endpoints.stream().filter(EndpointHealth::healthy).toList();
    }

    /** The endpoints that failed. */
    public List<EndpointHealth> unhealthy() {
        return endpoints.stream().filter(e -> !e.healthy()).toList();
    }

    /** Only the endpoints of model group {@code model} (LiteLLM's {@code ?model=}), or all when null. */
    public HealthReport forModel(@Nullable String model) {
        if (model == null || model.isEmpty()) {
            return this;
        }
        return new HealthReport(endpoints.stream()
                .filter(e -> e.deployment().modelGroup().equals(model)
                        || e.deployment().config().litellmParams().model().equals(model))
                .toList(), checkedAtMillis);
    }

    /** The report as JSON. */
    public byte[] toJson() {
        List<EndpointHealth> healthy = healthy();
        List<EndpointHealth> unhealthy = unhealthy();
        StringBuilder json = new StringBuilder(256 + 200 * endpoints.size());
        json.append("{\"healthy_endpoints\":");
        list(json, healthy);
        json.append(",\"unhealthy_endpoints\":");
        list(json, unhealthy);
        json.append(",\"healthy_count\":").append(healthy.size());
        json.append(",\"unhealthy_count\":").append(unhealthy.size()).append('}');
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void list(StringBuilder json, List<EndpointHealth> endpoints) {
        json.append('[');
        for (int i = 0; i < endpoints.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            endpoint(json, endpoints.get(i));
        }
        json.append(']');
    }

    private static void endpoint(StringBuilder json, EndpointHealth health) {
        Deployment deployment = health.deployment();
        json.append("{\"model\":");
        string(json, deployment.config().litellmParams().model());
        json.append(",\"model_id\":");
        string(json, deployment.id());
        String apiBase = deployment.apiBaseHeader().toString();
        if (!apiBase.isEmpty()) {
            json.append(",\"api_base\":");
            string(json, apiBase);
        }
        String apiVersion = deployment.config().litellmParams().apiVersion();
        if (apiVersion != null) {
            json.append(",\"api_version\":");
            string(json, apiVersion);
        }
        json.append(",\"custom_llm_provider\":");
        string(json, deployment.provider().name());
        json.append(",\"mode\":");
        string(json, health.mode());
        DeploymentLimits limits = deployment.limits();
        if (limits.rpm() != DeploymentLimits.NONE) {
            json.append(",\"rpm\":").append(limits.rpm());
        }
        if (limits.tpm() != DeploymentLimits.NONE) {
            json.append(",\"tpm\":").append(limits.tpm());
        }
        String error = health.error();
        if (error != null) {
            json.append(",\"error\":");
            string(json, error);
        }
        json.append('}');
    }

    private static void string(StringBuilder json, String value) {
        json.append(new String(JsonStrings.quote(value), StandardCharsets.UTF_8));
    }
}
