package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * One {@code router_settings.model_group_alias} value: requests for the alias go to {@code group}.
 *
 * @param group the model group (a {@code model_name}) the alias stands for
 * @param hidden whether the alias is left out of {@code GET /v1/models}
 */
public record ModelGroupAlias(String group, boolean hidden) {

    public ModelGroupAlias {
        requireNonNull(group, "group");
    }
}
