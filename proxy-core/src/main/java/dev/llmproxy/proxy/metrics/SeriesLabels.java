package dev.llmproxy.proxy.metrics;

import static dev.llmproxy.proxy.metrics.Labels.NONE;

import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The label values of one series by LiteLLM label name, for {@link Family#point}. Labels llmproxy has no value for
 * ({@code end_user}, {@code client_ip}, {@code user_agent}, {@code service_tier}) are {@code "None"}, as LiteLLM
 * writes a missing value.
 *
 * <p>Thread-safety: immutable.
 */
final class SeriesLabels implements UnaryOperator<String> {
    private final CallerLabels caller;
    private final String requestedModel;
    private final @Nullable DeploymentLabels deployment;
    private final String route;
    private final String status;
    private final String exceptionClass;

    SeriesLabels(CallerLabels caller, String requestedModel, @Nullable DeploymentLabels deployment, String route,
            String status, String exceptionClass) {
        this.caller = caller;
        this.requestedModel = requestedModel;
        this.deployment = deployment;
        this.route = route;
        this.status = status;
        this.exceptionClass = exceptionClass;
    }

    /** The labels of a deployment alone (its configured limits). */
    static SeriesLabels of(DeploymentLabels deployment) {
        return new SeriesLabels(CallerLabels.UNKNOWN, NONE, deployment, NONE, NONE, NONE);
    }

    /** The labels of a caller alone (its budget). */
    static SeriesLabels of(CallerLabels caller) {
        return new SeriesLabels(caller, NONE, null, NONE, NONE, NONE);
    }

    @Override
    public String apply(String label) {
        DeploymentLabels d = deployment;
        return switch (label) {
            case Labels.HASHED_API_KEY -> caller.hashedApiKey;
            case Labels.API_KEY_ALIAS -> caller.apiKeyAlias;
            case Labels.TEAM -> caller.team;
            case Labels.TEAM_ALIAS -> caller.teamAlias;
            case Labels.USER -> caller.user;
            case Labels.USER_EMAIL -> caller.userEmail;
            case Labels.REQUESTED_MODEL -> requestedModel;
            case Labels.MODEL -> d == null ? NONE : d.wildcard ? requestedModel : d.model;
            case Labels.MODEL_GROUP -> d == null ? NONE : d.wildcard ? requestedModel : d.modelGroup;
            case Labels.MODEL_ID -> d == null ? NONE : d.modelId;
            case Labels.LITELLM_MODEL_NAME -> d == null ? NONE : d.litellmModelName;
            case Labels.API_BASE -> d == null ? NONE : d.apiBase;
            case Labels.API_PROVIDER -> d == null ? NONE : d.apiProvider;
            case Labels.STATUS_CODE, Labels.EXCEPTION_STATUS -> status;
            case Labels.EXCEPTION_CLASS -> exceptionClass;
            case Labels.ROUTE -> route;
            default -> NONE;
        };
    }
}
