package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * One {@code model_list[]} entry: a deployment of a public model name.
 *
 * @param index the position in {@code model_list}, for messages ({@code model_list[index]})
 * @param modelName the public name clients ask for; several entries with one name form a load-balanced group, and
 *     {@code *} or {@code provider/*} are wildcards
 * @param litellmParams where and how to call the provider
 * @param modelInfo metadata
 * @param id {@code model_info.id}, else the SHA-256 hex of the model name and the {@code litellm_params} as written
 *     (before {@code os.environ/} resolution, keys sorted), so it is stable across restarts and machines and never
 *     derived from a secret
 * @param location where {@code litellm_params.model} is written, for errors found after loading (unknown provider)
 */
public record DeploymentConfig(
        int index,
        String modelName,
        LitellmParams litellmParams,
        ModelInfo modelInfo,
        String id,
        ConfigLocation location) {

    public DeploymentConfig {
        requireNonNull(modelName, "modelName");
        requireNonNull(litellmParams, "litellmParams");
        requireNonNull(modelInfo, "modelInfo");
        requireNonNull(id, "id");
        requireNonNull(location, "location");
    }

    /** The dotted path of this entry in messages: {@code model_list[index]}. */
    public String keyPath() {
        return "model_list[" + index + ']';
    }
}
