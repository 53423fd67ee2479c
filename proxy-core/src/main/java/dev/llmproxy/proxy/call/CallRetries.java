package dev.llmproxy.proxy.call;

import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Failure;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.ModelRoute;
import dev.llmproxy.proxy.route.RetryRules;
import dev.llmproxy.proxy.route.TriedDeployments;
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
 * requested group and is walked flat: a fallback group's own fallbacks are not followed (LiteLLM nests them).
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
    private int fallbacks;
    private @Nullable List<String> chain;
    private int chainIndex;
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
        RetryRules rules = services.retryRules();
        long now = services.ticker().getAsLong();
        if (!rules.skipsRetries(group, failure, now)
                && retriesInGroup < rules.retries(group, failed, failure, request.options().numRetries())) {
            retriesInGroup++;
            attemptedRetries++;
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

    /** The next fallback group with a deployment that admits the call, made the current group; or null. */
    private @Nullable Lease fallbackLease(Failure failure) {
        RetryRules rules = services.retryRules();
        CallOptions options = request.options();
        String original = request.route().modelGroup();
        List<String> list = chain;
        if (list == null) {
            list = options.disableFallbacks() ? List.of() : rules.fallbacks(original, failure.errorClass(),
                    options.fallbacks(), options.contextWindowFallbacks(), options.contentPolicyFallbacks());
            chain = list;
        }
        int max = options.maxFallbacks() >= 0 ? options.maxFallbacks() : rules.maxFallbacks();
        while (chainIndex < list.size() && fallbacks < max) {
            String name = list.get(chainIndex++);
            if (name.equals(original)) {
                continue;
            }
            ModelRoute route = rules.resolve(name);
            if (route == null) {
                log.warn("[{}] fallback model group '{}' of '{}' does not exist", request.callId(), name, original);
                continue;
            }
            fallbacks++;
            group = route;
            tried = null;
            retriesInGroup = 0;
            Lease next = services.router().acquire(route, null, services.random().get(), request.stream());
            if (next != null) {
                log.debug("[{}] falling back from '{}' to '{}'", request.callId(), original, name);
                return next;
            }
        }
        return null;
    }
}
