package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * The requested model comes from the client, so as a label value it must be bounded: a client sending a new name
 * with every request would otherwise create a new series each time (LiteLLM issue #12159; PR #39136 collapses unknown
 * names on failure paths to "other", which is what happens here).
 *
 * Names of the config (model names, aliases, deployment ids) are always themselves. A name that routed only through a
 * wildcard entry ("openai/*") is itself for the first MAX_WILDCARD_NAMES distinct names, then "other". A name that did
 * not route is "other". Values are canonical instances, so series keys compare them by identity.
 *
 * The admitted set may overshoot its bound by at most one name per concurrent caller (size() is read before
 * putIfAbsent): the race is benign, the bound stays finite.
 */
/**
 * Maps the {@code model} a client asked for to a bounded {@code requested_model} label value.
 *
 * <p>Thread-safety: the config names are immutable; the wildcard names are a concurrent map.
 */
final class ModelLabels {
    /** The value of names that did not route, or beyond the bound; LiteLLM's. */
    static final String OTHER = "other";
    /** Distinct wildcard-routed names kept as themselves. */
    static final int MAX_WILDCARD_NAMES = 500;

    private final Map<String, String> configured;
    private final ConcurrentHashMap<String, String> wildcardNames = new ConcurrentHashMap<>();

    ModelLabels(RouteTable routes) {
        Map<String, String> names = new HashMap<>();
        for (String name : routes.publicModels()) {
            names.put(name, name);
        }
        for (Deployment deployment : routes.deployments()) {
            names.put(deployment.id(), deployment.id());
            if (deployment.modelGroup().indexOf('*') < 0) {
                names.put(deployment.modelGroup(), deployment.modelGroup());
            }
        }
        this.configured = Map.copyOf(names);
    }

    /**
     * The label value of {@code requested}.
     *
     * @param routed whether the request found a model group
     */
    String of(@Nullable String requested, boolean routed) {
        if (requested == null) {
            return Labels.NONE;
        }
        String known = configured.get(requested);
        if (known != null) {
            return known;
        }
        if (!routed) {
            return OTHER;
        }
        String admitted = wildcardNames.get(requested);
        if (admitted != null) {
            return admitted;
        }
        if (wildcardNames.size() >= MAX_WILDCARD_NAMES) {
            return OTHER;
        }
        String previous = wildcardNames.putIfAbsent(requested, requested);
        return previous != null ? previous : requested;
    }
}
