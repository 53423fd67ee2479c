package dev.llmproxy.proxy.call;

import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ErrorClass;
import dev.llmproxy.proxy.route.Failure;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RetryRules;
import dev.llmproxy.proxy.route.TriedDeployments;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * The order of work follows LiteLLM's router: the requested group first, with its retry budget; then the fallback
 * groups in list order, each with a budget of its own. Within a group a retry goes at once to a deployment the call
 * has not tried, if one is in rotation and admits it (LiteLLM sleeps 0 when another healthy deployment exists); when
 * none is, the call waits (the provider's Retry-After, else the backoff) and then takes any deployment in rotation,
 * tried ones included, as LiteLLM's retry does. A failure the rules say no retry can cure (a 400, a 404, a group with
 * nothing left in rotation) goes straight to the fallbacks. The fallback list is chosen by the failure that ends the
 * requested group. Fallbacks nest as in LiteLLM (async_function_with_fallbacks runs again for each fallback group):
 * when a fallback group fails too, its own list for that failure is walked before the rest of the list that led to
 * it, depth first. The lists in progress are a stack of frames. A group the call has already been in is never
 * entered again (LiteLLM skips only the original group and relies on max_fallbacks to end a cycle), and the number of
 * fallback groups entered across the whole call is bounded by max_fallbacks (LiteLLM checks its depth only when a
 * nested fallback starts), so the walk always ends.
 */
/**
 * The retry and fallback progress of one call: which group it is in, the deployments tried there, the retries and
 * fallbacks used. Decides the next attempt by {@link RetryRules}; the call carries it out.
 *
 * <p>Thread-safety: confined to the call's event loop.
 */
final class CallRetries {
    private static final Logger log = LoggerFactory.getLogger(CallRetries.class);

    /** What {@link #plan} answers when the call has nothing left to try. */
    static final long GIVE_UP = -1;

    private final CallServices services;
    private final CallRequest request;
    private ModelRoute group;
    private @Nullable TriedDeployments tried;
    private int retriesInGroup;
    private int attemptedRetries;
    /** The deployment of the last failed attempt, for {@code x-litellm-fallback-errors}; null before one failed. */
    private @Nullable Deployment lastFailed;
    /** The message of a pretended failure ({@code mock_testing_*}) until it is noted; else null. */
    private @Nullable String mockMessage;
    /** {@code x-litellm-fallback-errors} entries (JSON objects), when the caller asked and the operator allows. */
    private @Nullable StringBuilder fallbackErrors;
    /** The retries allowed in the group of the last retry made ({@code x-litellm-max-retries}). */
    private int maxRetries;
    private int fallbacks;
    /** The requested group's fallback list, once a fallback was looked for (for the final error's text). */
    private @Nullable List<String> chain;
    /** The fallback lists being walked, innermost last; null until the first fallback is looked for. */
    private @Nullable List<Frame> frames;
    /** The groups the call has been in, so that no fallback enters one again. */
    private @Nullable List<String> visited;
    private @Nullable Lease lease;

    CallRetries(CallServices services, CallRequest request) {
        this.services = services;
        this.request = request;
        this.group = request.route();
    }

    /** The first attempt's lease: the requested group, else (nothing admits the call) its fallbacks; or null. */
    @Nullable Lease first() {
        Lease first = services.router().acquire(group, null, services.random().get(), request.stream());
        if (first == null) {
            first = fallbackLease(Failure.of(429));
        }
        if (first == null) {
            // The call may still wait for capacity in the group it asked for.
            group = request.route();
        }
        return first;
    }

    /** The model group of the attempts now being made. */
    ModelRoute group() {
        return group;
    }

    /** The retries made so far, across groups ({@code x-litellm-attempted-retries}). */
    int attemptedRetries() {
        return attemptedRetries;
    }

    /** The retries allowed where the last retry was made; meaningful once {@link #attemptedRetries} > 0. */
    int maxRetries() {
        return maxRetries;
    }

    /**
     * The first attempt's lease after the requested group failed before any deployment was tried, with the failure
     * the request asked the gateway to pretend (LiteLLM's {@code mock_testing_*}): a rate-limit error is retried in
     * the group (at once: no provider asked for a wait), any other goes straight to the fallbacks, as in LiteLLM.
     * Null when nothing is left to try.
     */
    @Nullable Lease firstAfter(Failure failure, String message) {
        mockMessage = message;
        if (failure.errorClass() == ErrorClass.RATE_LIMIT) {
            int allowed = services.retryRules().groupRetries(group, failure, request.options().numRetries());
            if (allowed > 0) {
                retriesInGroup++;
                attemptedRetries++;
                maxRetries = allowed;
                Lease next = services.router().acquire(group, null, services.random().get(), request.stream());
                if (next != null) {
                    return next;
                }
            }
        }
        return fallbackLease(failure);
    }

    /** The fallback groups tried so far ({@code x-litellm-attempted-fallbacks}). */
    int fallbacks() {
        return fallbacks;
    }

    /**
     * Plans what follows the failure of an attempt on {@code failed}: 0 when {@link #takeLease} holds the next
     * attempt's lease, a positive number of nanoseconds to wait before {@link #afterWait}, or {@link #GIVE_UP}.
     */
    long plan(Deployment failed, Failure failure) {
        TriedDeployments set = tried;
        if (set == null) {
            set = new TriedDeployments();
            tried = set;
        }
        if (!set.contains(failed)) {
            set.add(failed);
        }
        lastFailed = failed;
        RetryRules rules = services.retryRules();
        long now = services.ticker().getAsLong();
        int allowed = rules.retries(group, failed, failure, request.options().numRetries());
        if (!rules.skipsRetries(group, failure, now) && retriesInGroup < allowed) {
            retriesInGroup++;
            attemptedRetries++;
            maxRetries = allowed;
            Lease next = services.router().acquire(group, set, services.random().get(), request.stream());
            if (next != null) {
                lease = next;
                return 0;
            }
            return Math.max(1, rules.backoffNanos(retriesInGroup - 1, failure, services.random().get()));
        }
        Lease next = fallbackLease(failure);
        if (next == null) {
            return GIVE_UP;
        }
        lease = next;
        return 0;
    }

    /** The lease {@link #plan} found; null once taken. */
    @Nullable Lease takeLease() {
        Lease next = lease;
        lease = null;
        return next;
    }

    /** After a backoff wait: any deployment of the group in rotation, else the fallbacks; or null. */
    @Nullable Lease afterWait(Failure failure) {
        Lease next = services.router().acquire(group, null, services.random().get(), request.stream());
        return next != null ? next : fallbackLease(failure);
    }

    /** Gives back a lease planned but never used (the call ended first). */
    void releaseUnused() {
        Lease unused = takeLease();
        if (unused != null) {
            unused.release(0, null);
        }
    }

    /**
     * {@code x-litellm-fallback-errors}: a JSON list of the failures that made the call fall back, each as LiteLLM
     * describes an error ({@code message}, {@code type}, {@code param}, {@code code}); null when the call did not
     * fall back, or the caller did not ask ({@code include_fallback_errors}), or the operator does not allow it.
     */
    @Nullable String fallbackErrors() {
        StringBuilder errors = fallbackErrors;
        return errors == null ? null : errors + "]";
    }

    /** For the final error: what was tried, in LiteLLM's words where it has them. */
    String summary() {
        StringBuilder text = new StringBuilder();
        text.append(" Received Model Group=").append(request.route().modelGroup());
        if (fallbacks > 0) {
            text.append(", Last Model Group Tried=").append(group.modelGroup());
        }
        List<String> list = chain;
        text.append(", Available Model Group Fallbacks=").append(list == null || list.isEmpty() ? "None" : list);
        text.append(". LiteLLM Retried: ").append(attemptedRetries).append(" times, Fallbacks tried: ")
                .append(fallbacks);
        return text.toString();
    }

    /**
     * The next fallback group with a deployment that admits the call, made the current group; or null. The current
     * group has just failed with {@code failure} (or admitted nothing): when it is itself a fallback group, its own
     * fallback list for that failure is walked first.
     */
    private @Nullable Lease fallbackLease(Failure failure) {
        RetryRules rules = services.retryRules();
        CallOptions options = request.options();
        String original = request.route().modelGroup();
        if (options.includeFallbackErrors() && rules.settings().exposeFallbackErrors()) {
            noteFallbackError(failure);
        }
        List<Frame> stack = frames;
        List<String> seen = visited;
        if (stack == null || seen == null) {
            stack = new ArrayList<>(2);
            seen = new ArrayList<>(4);
            seen.add(original);
            frames = stack;
            visited = seen;
            List<String> list = listFor(original, failure);
            chain = list;
            stack.add(new Frame(list));
        } else if (fallbacks > 0) {
            stack.add(new Frame(listFor(group.modelGroup(), failure)));
        }
        int max = options.maxFallbacks() >= 0 ? options.maxFallbacks() : rules.maxFallbacks();
        while (!stack.isEmpty() && fallbacks < max) {
            Frame top = stack.get(stack.size() - 1);
            if (top.next >= top.groups.size()) {
                stack.remove(stack.size() - 1);
                continue;
            }
            String name = top.groups.get(top.next++);
            if (seen.contains(name)) {
                continue;
            }
            ModelRoute route = rules.resolve(name);
            if (route == null) {
                log.warn("[{}] fallback model group '{}' of '{}' does not exist", request.callId(), name, original);
                continue;
            }
            // A list may name a group another way (an alias, a provider prefix): the group itself is what counts.
            if (!route.modelGroup().equals(name)) {
                if (seen.contains(route.modelGroup())) {
                    continue;
                }
                seen.add(route.modelGroup());
            }
            seen.add(name);
            fallbacks++;
            group = route;
            tried = null;
            retriesInGroup = 0;
            Lease next = services.router().acquire(route, null, services.random().get(), request.stream());
            if (next != null) {
                log.debug("[{}] falling back from '{}' to '{}'", request.callId(), original, name);
                return next;
            }
            // Nothing of this group admits the call: LiteLLM's "No deployments available", a rate-limit error,
            // which leads to the group's own fallbacks first.
            Failure refused = Failure.of(429);
            if (options.includeFallbackErrors() && rules.settings().exposeFallbackErrors()) {
                noteFallbackError(refused);
            }
            stack.add(new Frame(listFor(name, refused)));
        }
        return null;
    }

    /** Adds the failure that ended the current group to the {@code x-litellm-fallback-errors} list. */
    private void noteFallbackError(Failure failure) {
        StringBuilder errors = fallbackErrors;
        if (errors == null) {
            errors = new StringBuilder("[");
            fallbackErrors = errors;
        } else {
            errors.append(',');
        }
        Deployment failed = lastFailed;
        String type = exceptionClass(failure.errorClass());
        String mock = mockMessage;
        String message = "litellm." + type + ": " + (mock != null ? mock : failed == null
                ? "no deployment of model group " + group.modelGroup() + " could take the request"
                : "deployment " + failed.id() + " of model group " + group.modelGroup() + " failed with "
                        + failure.status());
        lastFailed = null;
        mockMessage = null;
        errors.append("{\"message\":");
        appendJsonString(errors, message);
        errors.append(",\"type\":");
        appendJsonString(errors, type);
        errors.append(",\"param\":null,\"code\":\"").append(failure.status()).append("\"}");
    }

    /** The name of LiteLLM's exception for a failure of class {@code errorClass}. */
    private static String exceptionClass(ErrorClass errorClass) {
        return switch (errorClass) {
            case BAD_REQUEST, CONFLICT -> "BadRequestError";
            case CONTEXT_WINDOW_EXCEEDED -> "ContextWindowExceededError";
            case CONTENT_POLICY_VIOLATION -> "ContentPolicyViolationError";
            case AUTHENTICATION -> "AuthenticationError";
            case PERMISSION_DENIED -> "PermissionDeniedError";
            case NOT_FOUND -> "NotFoundError";
            case TIMEOUT, GATEWAY_TIMEOUT -> "Timeout";
            case RATE_LIMIT -> "RateLimitError";
            case INTERNAL_SERVER -> "InternalServerError";
            case BAD_GATEWAY -> "APIConnectionError";
            case SERVICE_UNAVAILABLE -> "ServiceUnavailableError";
        };
    }

    /** A JSON string of {@code text} in ASCII only (it goes into a header): other characters as escapes. */
    private static void appendJsonString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** The fallback list of {@code modelGroup} after {@code failure}, with the request's own lists. */
    private List<String> listFor(String modelGroup, Failure failure) {
        CallOptions options = request.options();
        if (options.disableFallbacks()) {
            return List.of();
        }
        return services.retryRules().fallbacks(modelGroup, failure.errorClass(), options.fallbacks(),
                options.contextWindowFallbacks(), options.contentPolicyFallbacks());
    }

    /** One fallback list being walked. */
    private static final class Frame {
        final List<String> groups;
        int next;

        Frame(List<String> groups) {
            this.groups = groups;
        }
    }
}
