package dev.llmproxy.proxy.files;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.OpenAiAdapter;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.provider.UrlStyle;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Which deployment a files or batches request goes to, as LiteLLM chooses it: the model encoded in the id the
 * request names, else the {@code model} the request gives (form field, JSON member, {@code ?model=} or the
 * {@code x-litellm-model} header; a single {@code target_model_names} entry counts as one), else the provider it
 * names ({@code custom_llm_provider}; {@code openai} when none), whose first deployment the key may use answers.
 * Only deployments that speak OpenAI's wire format directly (OpenAI-compatible providers and Azure) hold files.
 *
 * <p>Thread-safety: immutable.
 */
final class FileTargets {
    private final RouteTable routes;

    FileTargets(RouteTable routes) {
        this.routes = requireNonNull(routes, "routes");
    }

    /** A chosen deployment, or why none is. */
    sealed interface Result permits Choice, Refusal {}

    /**
     * The deployment to call.
     *
     * @param encodeAs the model name written into the ids the client gets back, or null to hand them out as the
     *     provider made them (a provider-chosen deployment, as LiteLLM does)
     */
    record Choice(Deployment deployment, OpenAiAdapter adapter, @Nullable String encodeAs) implements Result {}

    /** The request cannot be served; the client gets this error. */
    record Refusal(ProxyError error, String message, @Nullable String param) implements Result {}

    /** The deployment for {@code model}: a model name (of any of its deployments) or a deployment id. */
    Result byModel(String model, @Nullable KeyGrant key, RandomGenerator random) {
        Deployment byId = routes.deploymentFor(model);
        List<Deployment> candidates = new ArrayList<>();
        String group;
        if (byId != null) {
            candidates.add(byId);
            group = byId.modelGroup();
        } else {
            ModelRoute route = routes.resolve(model);
            if (route == null) {
                return new Refusal(ProxyError.UNKNOWN_MODEL,
                        "Model '" + model + "' not found in model_list. Please check your config.yaml.", "model");
            }
            group = route.modelGroup();
            for (Target target : route.targets()) {
                candidates.add(target.deployment());
            }
        }
        KeyRefusal refused = key == null ? null : key.checkModel(group);
        if (refused != null) {
            return new Refusal(ProxyError.KEY_MODEL_DENIED, refused.message(), "model");
        }
        candidates.removeIf(d -> adapterOf(d) == null);
        if (candidates.isEmpty()) {
            return new Refusal(ProxyError.PROVIDER_NOT_SUPPORTED, "Model '" + model
                    + "' has no OpenAI or Azure deployment; files and batches are relayed to those only", "model");
        }
        Deployment chosen = candidates.size() == 1 ? candidates.get(0)
                : candidates.get(random.nextInt(candidates.size()));
        ModelRoute groupRoute = routes.resolve(group);
        boolean alone = groupRoute != null && groupRoute.targets().size() == 1;
        return choice(chosen, alone && byId == null ? model : chosen.id());
    }

    /** The deployment of an id made by {@link FileIds#encode}: the same deployment, written the same way. */
    Result byEncodedModel(String model, @Nullable KeyGrant key) {
        Deployment byId = routes.deploymentFor(model);
        Deployment found = byId;
        if (found == null) {
            ModelRoute route = routes.resolve(model);
            if (route != null) {
                for (Target target : route.targets()) {
                    if (adapterOf(target.deployment()) != null) {
                        found = target.deployment();
                        break;
                    }
                }
            }
        }
        if (found == null || adapterOf(found) == null) {
            return new Refusal(ProxyError.UNKNOWN_MODEL, "Model '" + model
                    + "' not found in model_list. Please check your config.yaml.", "model");
        }
        KeyRefusal refused = key == null ? null : key.checkModel(found.modelGroup());
        if (refused != null) {
            return new Refusal(ProxyError.KEY_MODEL_DENIED, refused.message(), "model");
        }
        return choice(found, model);
    }

    /** The first deployment of {@code provider} ({@code openai}, {@code azure}) the key may use. */
    Result byProvider(String provider, @Nullable KeyGrant key) {
        String name = provider.trim().toLowerCase(Locale.ROOT);
        for (Deployment deployment : routes.deployments()) {
            if (adapterOf(deployment) == null || !isProvider(deployment, name)) {
                continue;
            }
            if (key == null || key.allowsModel(deployment.modelGroup())) {
                return choice(deployment, null);
            }
        }
        return new Refusal(ProxyError.PROVIDER_NOT_SUPPORTED, "No " + name + " deployment in model_list"
                + (key == null ? "" : " that this key may use") + " serves files and batches; name a model with"
                + " `model` (or the x-litellm-model header)", "custom_llm_provider");
    }

    private static boolean isProvider(Deployment deployment, String name) {
        return deployment.provider().name().equals(name)
                || name.equals("azure") && deployment.provider().urlStyle() == UrlStyle.AZURE;
    }

    private static Choice choice(Deployment deployment, @Nullable String encodeAs) {
        OpenAiAdapter adapter = adapterOf(deployment);
        if (adapter == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " does not hold files");
        }
        return new Choice(deployment, adapter, encodeAs);
    }

    private static @Nullable OpenAiAdapter adapterOf(Deployment deployment) {
        ProviderAdapter adapter = deployment.adapter();
        if (adapter == null || deployment.origin() == null || deployment.isMock()) {
            return null;
        }
        return ResponsesBridgeAdapter.unwrap(adapter) instanceof OpenAiAdapter openAi ? openAi : null;
    }
}
