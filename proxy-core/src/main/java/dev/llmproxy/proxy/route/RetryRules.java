package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.config.ReliabilitySettings;
import dev.llmproxy.proxy.config.RetryPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What a call does after an attempt failed before anything reached the client: how many retries its model group
 * allows, whether to skip them and go straight to the fallbacks, how long to wait before a retry, and which groups to
 * fall back to. LiteLLM's rules ({@code router.py}: {@code async_function_with_retries},
 * {@code should_retry_this_error}, {@code _time_to_sleep_before_retry}, {@code async_function_with_fallbacks}), with
 * the differences the README lists. The call carries the rules out; this class only decides.
 *
 * <p>Thread-safety: immutable apart from the {@link Cooldowns} it holds, which are thread-safe.
 */
public final class RetryRules {

    /** LiteLLM's {@code INITIAL_RETRY_DELAY}. */
    static final long INITIAL_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** LiteLLM's {@code MAX_RETRY_DELAY}. */
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(8);
    /** A provider's {@code Retry-After} is honoured up to this; a longer one falls back to the backoff. */
    static final long MAX_RETRY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final RouteTable routes;
    private final ReliabilitySettings settings;
    private final Cooldowns cooldowns;
    private final DeploymentAvailability availability;
    /** The retries each deployment sets for itself, by {@code model_list} index; -1 when it sets none. */
    private final int[] deploymentRetries;

    /**
     * @param availability which deployments may be routed to (the cooldowns, and whatever else the router honours)
     * @throws ConfigException when a deployment's {@code num_retries} is not a whole number >= 0
     */
    public RetryRules(RouteTable routes, ReliabilitySettings settings, Cooldowns cooldowns,
            DeploymentAvailability availability) {
        this.routes = requireNonNull(routes, "routes");
        this.settings = requireNonNull(settings, "settings");
        this.cooldowns = requireNonNull(cooldowns, "cooldowns");
        this.availability = requireNonNull(availability, "availability");
        int size = 0;
        for (Deployment deployment : routes.deployments()) {
            size = Math.max(size, deployment.config().index() + 1);
        }
        this.deploymentRetries = new int[size];
        Arrays.fill(deploymentRetries, -1);
        for (Deployment deployment : routes.deployments()) {
            deploymentRetries[deployment.config().index()] = retriesOf(deployment.config());
        }
    }

    /** Rules for {@code routes} with their own cooldowns, every other deployment available. */
    public static RetryRules of(RouteTable routes, ReliabilitySettings settings) {
        Cooldowns cooldowns = new Cooldowns(routes.deployments(), settings);
        return new RetryRules(routes, settings, cooldowns, cooldowns);
    }

    /** The cooldowns the calls feed. */
    public Cooldowns cooldowns() {
        return cooldowns;
    }

    /** The settings these rules follow. */
    public ReliabilitySettings settings() {
        return settings;
    }

    /**
     * How many retries {@code group} allows after {@code failure} on {@code deployment}: the retry policy's count for
     * the failure's class ({@code model_group_retry_policy} over {@code retry_policy}), else the deployment's own
     * {@code num_retries}/{@code max_retries}, else the request's, else {@code num_retries} (default 2).
     *
     * @param requestRetries the request's {@code num_retries}, or -1 when it set none
     */
    public int retries(ModelRoute group, Deployment deployment, Failure failure, int requestRetries) {
        Integer policy = policyRetries(group, failure.errorClass());
        if (policy != null) {
            return policy;
        }
        int index = deployment.config().index();
        if (index < deploymentRetries.length && deploymentRetries[index] >= 0) {
            return deploymentRetries[index];
        }
        return requestRetries >= 0 ? requestRetries : settings.effectiveNumRetries();
    }

    /**
     * How many retries {@code group} allows after {@code failure} before any deployment was tried: the retry
     * policy's count for the failure's class, else the request's, else {@code num_retries}.
     *
     * @param requestRetries the request's {@code num_retries}, or -1 when it set none
     */
    public int groupRetries(ModelRoute group, Failure failure, int requestRetries) {
        Integer policy = policyRetries(group, failure.errorClass());
        if (policy != null) {
            return policy;
        }
        return requestRetries >= 0 ? requestRetries : settings.effectiveNumRetries();
    }

    /**
     * Whether {@code failure} goes straight to the fallbacks without retrying in {@code group}: a failure that the
     * same request cannot escape (400 and its kinds, 404), a 401 in a group with no other deployment, or a group with
     * no deployment left in rotation. A retry policy with a count for the failure's class always retries.
     */
    public boolean skipsRetries(ModelRoute group, Failure failure, long nowNanos) {
        if (policyRetries(group, failure.errorClass()) != null) {
            return false;
        }
        if (!failure.errorClass().isTransient()) {
            return true;
        }
        if (failure.errorClass() == ErrorClass.AUTHENTICATION && group.size() <= 1) {
            return true;
        }
        for (int i = 0; i < group.size(); i++) {
            if (availability.isAvailable(group.target(i).deployment(), nowNanos)) {
                return false;
            }
        }
        return true;
    }

    /**
     * How long to wait before retrying on a deployment already tried: the provider's {@code Retry-After} when it is
     * between 0 and 60 s, else LiteLLM's backoff (0.5 s doubling up to 8 s, times a jitter in [0.75, 1]); never less
     * than {@code retry_after}.
     *
     * @param retriesDone retries the call already made in this group (the first wait is for 0)
     */
    public long backoffNanos(int retriesDone, Failure failure, RandomGenerator random) {
        long floor = settings.retryAfter().toNanos();
        if (failure.retryAfterNanos() > 0 && failure.retryAfterNanos() <= MAX_RETRY_AFTER_NANOS) {
            return Math.max(failure.retryAfterNanos(), floor);
        }
        int doublings = Math.min(Math.max(0, retriesDone - 1), 16);
        long base = Math.min(INITIAL_BACKOFF_NANOS << doublings, MAX_BACKOFF_NANOS);
        long jittered = (long) (base * (0.75 + 0.25 * random.nextDouble()));
        return Math.max(jittered, floor);
    }

    /**
     * The groups to try, in order, after {@code group} failed with {@code errorClass}: a context-length error uses
     * {@code context_window_fallbacks} and a content-policy refusal {@code content_policy_fallbacks} when they are
     * configured (an empty list when they have no entry for the group: the error is answered as it is); otherwise
     * {@code fallbacks}, else {@code default_fallbacks}. A list is found by the group's name, then by the name
     * without its provider prefix, then under {@code *}.
     */
    public List<String> fallbacks(String group, ErrorClass errorClass) {
        return fallbacks(group, errorClass, null, null, null);
    }

    /**
     * {@link #fallbacks(String, ErrorClass)} with the request's own lists, each replacing the configured one it
     * stands for when not null (LiteLLM's per-request {@code fallbacks}, {@code context_window_fallbacks},
     * {@code content_policy_fallbacks}).
     */
    public List<String> fallbacks(String group, ErrorClass errorClass, @Nullable List<String> requestFallbacks,
            @Nullable Map<String, List<String>> requestContextWindow,
            @Nullable Map<String, List<String>> requestContentPolicy) {
        Map<String, List<String>> contextWindow =
                requestContextWindow != null ? requestContextWindow : settings.contextWindowFallbacks();
        Map<String, List<String>> contentPolicy =
                requestContentPolicy != null ? requestContentPolicy : settings.contentPolicyFallbacks();
        if (errorClass == ErrorClass.CONTEXT_WINDOW_EXCEEDED && !contextWindow.isEmpty()) {
            List<String> list = lookup(contextWindow, group);
            return list == null ? List.of() : list;
        }
        if (errorClass == ErrorClass.CONTENT_POLICY_VIOLATION && !contentPolicy.isEmpty()) {
            List<String> list = lookup(contentPolicy, group);
            return list == null ? List.of() : list;
        }
        if (requestFallbacks != null) {
            return requestFallbacks;
        }
        List<String> list = lookup(settings.fallbacks(), group);
        return list != null ? list : settings.defaultFallbacks();
    }

    /**
     * Whether a success of {@code group} blocked by a content filter is answered by a fallback (LiteLLM's
     * {@code _should_raise_content_policy_error}): when {@code content_policy_fallbacks} (the request's, else the
     * configured) has a list for the group, or {@code default_fallbacks} are set. Allocates nothing.
     */
    public boolean mayFallBackOnContentPolicy(String group, @Nullable Map<String, List<String>> requestContentPolicy) {
        Map<String, List<String>> contentPolicy =
                requestContentPolicy != null ? requestContentPolicy : settings.contentPolicyFallbacks();
        if (contentPolicy.isEmpty() && settings.defaultFallbacks().isEmpty()) {
            return false;
        }
        List<String> list = lookup(contentPolicy, group);
        return (list != null && !list.isEmpty()) || !settings.defaultFallbacks().isEmpty();
    }

    /** The most fallback groups one call tries ({@code max_fallbacks}). */
    public int maxFallbacks() {
        return settings.maxFallbacks();
    }

    /**
     * Where a request for a model no group serves goes: the first of {@code default_fallbacks} that names a group
     * (LiteLLM's router does the same), or null.
     */
    public @Nullable ModelRoute defaultRoute() {
        for (String group : settings.defaultFallbacks()) {
            ModelRoute route = routes.resolve(group);
            if (route != null) {
                return route;
            }
        }
        return null;
    }

    /** The route of a fallback group, or null when no model group has that name. */
    public @Nullable ModelRoute resolve(String group) {
        return routes.resolve(group);
    }

    private @Nullable Integer policyRetries(ModelRoute group, ErrorClass errorClass) {
        RetryPolicy policy = settings.groupRetryPolicies().get(group.modelGroup());
        if (policy == null) {
            policy = settings.retryPolicy();
        }
        return switch (errorClass) {
            case AUTHENTICATION -> policy.authentication();
            case TIMEOUT, GATEWAY_TIMEOUT -> policy.timeout();
            case RATE_LIMIT -> policy.rateLimit();
            case CONTENT_POLICY_VIOLATION -> policy.contentPolicyViolation() != null
                    ? policy.contentPolicyViolation() : policy.badRequest();
            case BAD_REQUEST, CONTEXT_WINDOW_EXCEEDED -> policy.badRequest();
            case INTERNAL_SERVER, BAD_GATEWAY, SERVICE_UNAVAILABLE -> policy.internalServer();
            case PERMISSION_DENIED, NOT_FOUND, CONFLICT -> null;
        };
    }

    private static @Nullable List<String> lookup(Map<String, List<String>> lists, String group) {
        List<String> list = lists.get(group);
        int slash = group.indexOf('/');
        if (list == null && slash >= 0) {
            list = lists.get(group.substring(slash + 1));
        }
        return list != null ? list : lists.get("*");
    }

    /** {@code litellm_params.num_retries}, else {@code max_retries}; -1 when neither is set. */
    private static int retriesOf(DeploymentConfig config) {
        Object value = config.litellmParams().extraParams().get("num_retries");
        if (value != null) {
            if (!(value instanceof Number number) || number.doubleValue() < 0
                    || number.doubleValue() != Math.rint(number.doubleValue())) {
                throw new ConfigException(config.location(), config.keyPath() + ".litellm_params.num_retries",
                        "expected a whole number >= 0, got '" + value + "'");
            }
            return (int) Math.min(number.longValue(), Integer.MAX_VALUE);
        }
        Integer maxRetries = config.litellmParams().maxRetries();
        return maxRetries == null ? -1 : maxRetries;
    }
}
