package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.ModelGroupAlias;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.provider.ProviderSpec;
import dev.llmproxy.proxy.provider.Providers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps a requested model name to the deployments that serve it. Thread-safety: immutable after {@link #build}, shared
 * by every event loop.
 *
 * <p>Resolution follows LiteLLM's router ({@code Router._common_checks_available_deployment} in
 * {@code litellm/router.py}): a deployment id ({@code model_info.id}) names that one deployment; then
 * {@code model_group_alias} is applied before anything else (an alias shadows a {@code model_name} of the same name,
 * as in LiteLLM); then the exact {@code model_name}; then wildcard {@code model_name}s ({@code *},
 * {@code openai/*}), most specific pattern first. Exact names, ids and aliases to exact names are precomputed, so
 * resolving them allocates nothing.
 */
public final class RouteTable {

    private final List<Deployment> deployments;
    private final Map<String, ModelRoute> exact;
    private final List<WildcardGroup> wildcards;
    private final Map<String, ModelGroupAlias> aliases;
    private final Map<String, Deployment> byId;
    private final List<String> publicModels;

    private RouteTable(List<Deployment> deployments, Map<String, ModelRoute> exact, List<WildcardGroup> wildcards,
            Map<String, ModelGroupAlias> aliases, Map<String, Deployment> byId, List<String> publicModels) {
        this.deployments = deployments;
        this.exact = exact;
        this.wildcards = wildcards;
        this.aliases = aliases;
        this.byId = byId;
        this.publicModels = publicModels;
    }

    /**
     * Builds the table from a loaded config.
     *
     * @throws ConfigException when a deployment names an unknown provider, a model whose provider cannot be inferred,
     *     or a supported provider without a base URL
     */
    public static RouteTable build(ProxyConfig config) {
        DeploymentFactory factory = new DeploymentFactory(config);
        List<Deployment> deployments = new ArrayList<>();
        Map<String, List<Deployment>> groups = new LinkedHashMap<>();
        Map<String, List<WildcardMember>> patterns = new LinkedHashMap<>();
        for (DeploymentConfig entry : config.modelList()) {
            WildcardMember member = member(entry, factory);
            deployments.add(member.primary());
            if (entry.modelName().indexOf('*') >= 0) {
                patterns.computeIfAbsent(entry.modelName(), k -> new ArrayList<>()).add(member);
            } else {
                if (member.primary().isWildcard() || member.anyProvider() != null) {
                    throw new ConfigException(entry.location(), entry.keyPath() + ".litellm_params.model",
                            "has a '*' but model_name '" + entry.modelName() + "' has none (expected a wildcard "
                                    + "model_name such as '*' or 'openai/*')");
                }
                groups.computeIfAbsent(entry.modelName(), k -> new ArrayList<>()).add(member.primary());
            }
        }
        // Later puts win: exact names, then aliases over names, then deployment ids over both (LiteLLM's order).
        Map<String, ModelRoute> exact = new HashMap<>();
        groups.forEach((name, members) -> exact.put(name, route(name, members)));
        Map<String, ModelGroupAlias> aliases = config.routerSettings().modelGroupAlias();
        Map<String, ModelRoute> byName = Map.copyOf(exact);
        aliases.forEach((alias, target) -> {
            ModelRoute route = byName.get(target.group());
            if (route != null) {
                exact.put(alias, route);
            } else {
                exact.remove(alias);
            }
        });
        Map<String, Deployment> byId = new HashMap<>();
        for (Deployment deployment : deployments) {
            byId.putIfAbsent(deployment.id(), deployment);
            if (!deployment.isWildcard() && deployment.modelGroup().indexOf('*') < 0) {
                exact.put(deployment.id(), route(deployment.modelGroup(), List.of(deployment)));
            }
        }
        List<WildcardGroup> wildcards = new ArrayList<>();
        patterns.forEach((pattern, members) -> wildcards.add(new WildcardGroup(pattern, members)));
        wildcards.sort(WildcardGroup.MOST_SPECIFIC_FIRST);
        return new RouteTable(List.copyOf(deployments), exact, List.copyOf(wildcards), aliases, byId,
                publicModels(groups.keySet(), aliases));
    }

    /**
     * The route for {@code requestedModel}, or {@code null} when nothing matches. Ids, aliases and exact names do not
     * allocate; a wildcard match builds its route (its model group is the requested name, as LiteLLM reports it).
     */
    public @Nullable ModelRoute resolve(String requestedModel) {
        ModelRoute route = exact.get(requestedModel);
        if (route != null) {
            return route;
        }
        ModelGroupAlias alias = aliasOf(requestedModel);
        String name = alias == null ? requestedModel : alias.group();
        for (WildcardGroup group : wildcards) {
            ModelRoute matched = group.match(name);
            if (matched != null) {
                return matched;
            }
        }
        return null;
    }

    /** The names listed by {@code GET /v1/models}: model names and non-hidden aliases, no wildcard entries. */
    public List<String> publicModels() {
        return publicModels;
    }

    /**
     * LiteLLM's model access groups: each name in a deployment's {@code model_info.access_groups} (a list of names,
     * or one name) to the model names of the deployments that carry it, in config order. Key and team model lists
     * may name a group instead of its models.
     */
    public Map<String, List<String>> accessGroups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Deployment d : deployments) {
            Object value = d.config().modelInfo().other().get("access_groups");
            List<?> names = value instanceof List<?> list ? list : value instanceof String one ? List.of(one) : List.of();
            for (Object name : names) {
                if (name instanceof String group) {
                    List<String> models = groups.computeIfAbsent(group, g -> new ArrayList<>());
                    if (!models.contains(d.modelGroup())) {
                        models.add(d.modelGroup());
                    }
                }
            }
        }
        return groups;
    }

    /** The deployment with this id, or {@code null}. */
    public @Nullable Deployment deploymentFor(String modelId) {
        return byId.get(modelId);
    }

    /** Every deployment in config order (for a {@code model: "*"} entry, its openai deployment). */
    public List<Deployment> deployments() {
        return deployments;
    }

    private @Nullable ModelGroupAlias aliasOf(String requestedModel) {
        return aliases.get(requestedModel);
    }

    private static WildcardMember member(DeploymentConfig entry, DeploymentFactory factory) {
        String model = entry.litellmParams().model();
        String location = entry.keyPath() + ".litellm_params.model";
        if (model.equals("*")) {
            // LiteLLM sends such requests to the provider named or inferred from the requested model.
            Map<String, Deployment> perProvider = new HashMap<>();
            for (ProviderSpec spec : Providers.all()) {
                Deployment d = tryCreate(factory, entry, spec);
                if (d != null) {
                    perProvider.put(spec.name(), d);
                }
            }
            Deployment openai = perProvider.get("openai");
            return new WildcardMember(openai != null ? openai : factory.create(entry, Providers.openAi(), "*"),
                    Collections.unmodifiableMap(perProvider));
        }
        ParsedModel parsed = ParsedModel.parse(model);
        if (parsed == null) {
            throw new ConfigException(entry.location(), location, "cannot infer the provider of '" + model
                    + "'; write it as '<provider>/" + model + "' (supported: "
                    + String.join(", ", Providers.supportedNames()) + ')');
        }
        if (parsed.provider() == null) {
            throw new ConfigException(entry.location(), location, "unknown provider '" + parsed.prefix()
                    + "' (supported: " + String.join(", ", Providers.supportedNames()) + ')');
        }
        boolean wildcardName = entry.modelName().indexOf('*') >= 0;
        if (wildcardName && stars(parsed.upstreamModel()) > stars(entry.modelName())) {
            throw new ConfigException(entry.location(), location, "has more '*' than model_name '"
                    + entry.modelName() + "' (each '*' of the model is filled from one '*' of the model_name)");
        }
        return new WildcardMember(factory.create(entry, parsed.provider(), parsed.upstreamModel()), null);
    }

    private static @Nullable Deployment tryCreate(DeploymentFactory factory, DeploymentConfig entry,
            ProviderSpec spec) {
        try {
            return factory.create(entry, spec, "*");
        } catch (ConfigException e) {
            // A catch-all entry only reaches providers whose URL is known; the others stay unrouted, as unknown.
            return null;
        }
    }

    private static int stars(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '*') {
                count++;
            }
        }
        return count;
    }

    static ModelRoute route(String group, List<Deployment> members) {
        List<Target> targets = new ArrayList<>(members.size());
        for (Deployment member : members) {
            targets.add(member.target());
        }
        return new ModelRoute(group, targets, weights(members));
    }

    /** LiteLLM's simple-shuffle weights; see {@link ModelRoute}. */
    static double[] weights(List<Deployment> members) {
        double[] weights = new double[members.size()];
        Deployment first = members.get(0);
        for (int i = 0; i < weights.length; i++) {
            Deployment member = members.get(i);
            if (first.weight() >= 0) {
                weights[i] = Math.max(0, member.weight());
            } else if (first.limits().rpm() != DeploymentLimits.NONE) {
                weights[i] = Math.max(0, member.limits().rpm());
            } else if (first.limits().tpm() != DeploymentLimits.NONE) {
                weights[i] = Math.max(0, member.limits().tpm());
            } else {
                weights[i] = 1;
            }
        }
        return weights;
    }

    private static List<String> publicModels(Set<String> names, Map<String, ModelGroupAlias> aliases) {
        Set<String> models = new LinkedHashSet<>(names);
        aliases.forEach((alias, target) -> {
            if (!target.hidden()) {
                models.add(alias);
            }
        });
        return List.copyOf(models);
    }

    /** A deployment of a wildcard entry, with per-provider variants for {@code model: "*"}. */
    record WildcardMember(Deployment primary, @Nullable Map<String, Deployment> anyProvider) {}
}
