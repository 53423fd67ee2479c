package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A loaded LiteLLM {@code config.yaml}: immutable, every {@code os.environ/NAME} resolved. Made by
 * {@link ConfigLoader#load(Path, Map)}. Thread-safety: immutable, safe to share. {@link #toString()} shows no secrets
 * (environment values are left out).
 *
 * @param source the file it was read from
 * @param modelList the {@code model_list} entries in file order
 * @param litellmSettings {@code litellm_settings}
 * @param routerSettings {@code router_settings}
 * @param generalSettings {@code general_settings}
 * @param environment the process environment overlaid with {@code environment_variables}; where provider keys and
 *     bases ({@code OPENAI_API_KEY}...) are looked up
 * @param ignoredKeys sorted, de-duplicated names of keys that are read but not acted on (not implemented yet, or not
 *     LiteLLM keys at all), e.g. {@code litellm_settings.success_callback},
 *     {@code router_settings.enable_pre_call_checks};
 *     to be printed once at start-up
 * @param reliability retries, fallbacks, cooldowns and proxy-wide parallel limits (from several sections)
 */
public record ProxyConfig(
        Path source,
        List<DeploymentConfig> modelList,
        LitellmSettings litellmSettings,
        RouterSettings routerSettings,
        GeneralSettings generalSettings,
        Map<String, String> environment,
        List<String> ignoredKeys,
        ReliabilitySettings reliability) {

    public ProxyConfig {
        requireNonNull(source, "source");
        modelList = List.copyOf(modelList);
        requireNonNull(litellmSettings, "litellmSettings");
        requireNonNull(routerSettings, "routerSettings");
        requireNonNull(generalSettings, "generalSettings");
        environment = Map.copyOf(environment);
        ignoredKeys = List.copyOf(ignoredKeys);
        requireNonNull(reliability, "reliability");
    }

    @Override
    public String toString() {
        return "ProxyConfig[source=" + source + ", modelList=" + modelList + ", litellmSettings=" + litellmSettings
                + ", routerSettings=" + routerSettings + ", generalSettings=" + generalSettings + ", environment="
                + environment.size() + " variables, ignoredKeys=" + ignoredKeys + ']';
    }
}
