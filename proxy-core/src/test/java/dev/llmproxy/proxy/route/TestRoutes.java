package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.ConfigLocation;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.LitellmParams;
import dev.llmproxy.proxy.config.ModelInfo;
import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.Providers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Routes built around a provider adapter of the test's own, for tests of the adapter seam. */
public final class TestRoutes {
    private TestRoutes() {}

    /** A group {@code group} of one deployment {@code id} calling model {@code model} through {@code adapter}. */
    public static ModelRoute single(String group, String id, String model, ProviderAdapter adapter, BaseUrl baseUrl,
            Duration timeout) {
        LitellmParams params = new LitellmParams("openai/" + model, null, baseUrl.toString(), null, timeout, timeout,
                null, null, null, null, null, null, null, null, Map.of());
        DeploymentConfig config = new DeploymentConfig(0, group, params, new ModelInfo(id, Map.of()), id,
                new ConfigLocation("test.yaml", 1));
        Deployment deployment = new Deployment(new Deployment.DeploymentSettings(config,
                Objects.requireNonNull(Providers.byName("openai")), adapter, baseUrl, model, timeout, timeout,
                DeploymentLimits.UNLIMITED, -1, 0));
        return RouteTable.route(group, List.of(deployment));
    }
}
