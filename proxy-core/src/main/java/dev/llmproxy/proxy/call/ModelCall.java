package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.route.CapacityWaiter;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.TriedDeployments;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * A ModelCall is the client side of one model request; each deployment it tries is an Attempt. Everything runs on the
 * client connection's event loop, which is also the event loop of every upstream connection its attempts lease: no
 * field is shared with another thread.
 *
 * States: ATTEMPTING (an attempt is under way, nothing has reached the client) -> COMMITTED (an attempt's response
 * head was accepted and is being relayed) -> ENDED. Before commit, an attempt that fails (cannot connect, times out
 * before its head, loses its connection, or answers with a status the router may retry) gives back its connection and
 * its lease, and the call asks the router for another deployment, excluding those tried; when there is none, or the
 * router allows no retry, or the deadline has passed, the client gets the failure: the provider's own response when
 * there is one (it is then committed instead of retried), else an OpenAI error. After commit there is no retry: a
 * stream that fails mid-way ends with an error event, a plain body with a cut connection.
 *
 * end() is the single exit of every path (complete, failed, aborted, client gone; mock answers too): it releases the
 * request body and the last lease, reports exactly one CallRecord (listeners are isolated, see CallListeners), and
 * hands the connection back to its owner.
 */
/**
 * One model request being answered, across the attempts it needs. Owns the request body (released when the call
 * ends) and the client connection's output until it reports its end to its {@link CallOwner}.
 *
 * <p>Thread-safety: confined to the client connection's event loop.
 */
public final class ModelCall {
    private static final Logger log = LoggerFactory.getLogger(ModelCall.class);

    final ChannelHandlerContext ctx;
    final CallServices services;
    final CallRequest request;
    private final CallOwner owner;
    private final long deadlineNanos;

    /** The client's body; owned here until the call ends. Attempts encode it for their provider. */
    private @Nullable ByteBuf body;

    private @Nullable Attempt current;
    private @Nullable TriedDeployments tried;
    /** The attempts so far: most calls make one, so a list is made only for a second. */
    private @Nullable AttemptRecord firstAttempt;
    private @Nullable List<AttemptRecord> moreAttempts;
    private @Nullable Lease nextLease;
    /** The call's place in its group's queue while it waits for capacity, else null. */
    private CapacityWaiter.@Nullable Ticket waitTicket;
    private boolean committed;
    private boolean ended;

    /**
     * @param body the client's request body; taken: released when the call ends
     */
    public ModelCall(
            ChannelHandlerContext ctx, CallOwner owner, CallServices services, CallRequest request, ByteBuf body) {
        this.ctx = ctx;
        this.owner = owner;
        this.services = services;
        this.request = request;
        this.body = body;
        this.deadlineNanos = request.startNanos() + request.route().longestTimeoutNanos(request.stream());
    }

    /** The request id ({@code x-litellm-call-id}), for logs. */
    public String callId() {
        return request.callId();
    }

    /** Starts the first attempt; the call may end before this returns. */
    public void start() {
        Lease lease = services.router().acquire(request.route(), null, services.random().get(), request.stream());
        if (lease == null) {
            waitTicket = services.router().await(request.route(), request.stream(), new Waiter());
            if (waitTicket == null) {
                failNoDeployment(services.router().retryAfterMillis(request.route()));
            }
            return;
        }
        startAttempt(lease);
    }

    /** The 429 of a group with no deployment available, in LiteLLM's wording (clients match on it). */
    private void failNoDeployment(long retryAfterMillis) {
        long seconds = ceilSeconds(retryAfterMillis);
        fail(ProxyError.NO_DEPLOYMENT_AVAILABLE, "No deployments available for selected model, Try again in "
                + seconds + " seconds. Passed model=" + request.route().modelGroup(), null, seconds);
    }

    /** The client connection can take more bytes again. */
    public void onClientWritable() {
        Attempt attempt = current;
        if (attempt != null && !ended) {
            attempt.onClientWritable();
        }
    }

    /** The client connection closed: stop, release everything, and record what was used. */
    public void onClientGone() {
        if (ended) {
            return;
        }
        log.debug("[{}] client went away; cancelling the call", request.callId());
        CapacityWaiter.Ticket ticket = waitTicket;
        if (ticket != null) {
            waitTicket = null;
            ticket.cancel();
        }
        Attempt attempt = current;
        if (attempt != null) {
            attempt.cancel();
            attemptEnded(attempt, ProxyError.CLIENT_CLOSED.status().code(), ProxyError.CLIENT_CLOSED, null);
        }
        end(ProxyError.CLIENT_CLOSED.status().code(), ProxyError.CLIENT_CLOSED, request.stream(), null, 0, 0, false);
    }

    /** The body attempts encode; not taken (its indexes must not change). */
    ByteBuf body() {
        ByteBuf requestBody = body;
        if (requestBody == null) {
            throw new IllegalStateException("the call has ended");
        }
        return requestBody;
    }

    /** How long an attempt may wait for its response head: its silence timeout, capped by the call's deadline. */
    long headTimeoutNanos(long silenceNanos) {
        return Math.min(silenceNanos, Math.max(0, deadlineNanos - services.ticker().getAsLong()));
    }

    /**
     * An attempt received its response head with {@code status}. Answers whether the call commits to it (the
     * attempt then relays it); otherwise the router offered another deployment for a status it may retry, and the
     * attempt must give back its connection and report {@link #attemptFailed}.
     */
    boolean shouldCommit(Attempt attempt, int status) {
        if (status < 400 || !mayRetry(status)) {
            committed = true;
            return true;
        }
        Lease lease = services.router().acquire(request.route(), triedWith(attempt), services.random().get(),
                    request.stream());
        if (lease == null) {
            committed = true;
            return true;
        }
        nextLease = lease;
        return false;
    }

    /**
     * An attempt failed before anything reached the client. The call tries another deployment if the router allows
     * it, else answers the client with {@code error}.
     *
     * @param status what the attempt's lease is released with (the gateway's status for {@code error}, or the
     *     provider's when {@link #shouldCommit} declined its head)
     * @param error the failure to report when no other attempt follows, or null when {@link #shouldCommit} already
     *     chose the next deployment
     */
    void attemptFailed(Attempt attempt, int status, @Nullable ProxyError error, @Nullable String message) {
        attemptEnded(attempt, status, error, null);
        Lease lease = nextLease;
        nextLease = null;
        if (lease == null && error != null && mayRetry(status)) {
            lease = services.router().acquire(request.route(), triedWith(attempt), services.random().get(),
                    request.stream());
        }
        if (lease != null) {
            log.debug("[{}] attempt on {} failed with {}; trying {}", request.callId(),
                    attempt.lease.target().deployment().id(), status, lease.target().deployment().id());
            startAttempt(lease);
            return;
        }
        fail(error != null ? error : ProxyError.UPSTREAM_CLOSED, message != null ? message : "The provider failed",
                null);
    }

    /** Adds the headers that say who answered, to a committed attempt's response head. */
    void addProxyHeaders(HttpHeaders headers, Deployment deployment, long sentNanos, long headersNanos) {
        headers.set(Responses.CALL_ID, request.callId())
                .set(Responses.MODEL_ID, deployment.idHeader())
                .set(Responses.MODEL_GROUP, deployment.modelGroupHeader())
                .set(Responses.MODEL_API_BASE, deployment.apiBaseHeader())
                .set(Responses.RESPONSE_DURATION_MS, Durations.millis(headersNanos - request.startNanos()))
                .set(Responses.OVERHEAD_DURATION_MS, Durations.millis(sentNanos - request.startNanos()));
        KeyGrant key = request.principal().key();
        if (key != null) {
            // The key's spend before this call: its own cost is known only once its usage has been relayed.
            headers.set(Responses.KEY_SPEND, Double.toString(key.spend()));
        }
    }

    /**
     * The committed attempt ended: its response is complete, or was cut (the caller wrote what ends it).
     *
     * @param status the status the client got
     * @param error the gateway-side failure that cut the response, or null
     * @param keepAlive whether the client connection stays open
     */
    void attemptFinished(Attempt attempt, int status, @Nullable ProxyError error, @Nullable Usage usage,
            boolean stream, long firstByteNanos, long upstreamNanos, boolean keepAlive) {
        attemptEnded(attempt, status, error, usage);
        end(status, error, stream, usage, firstByteNanos, upstreamNanos, keepAlive);
    }

    /** Whether the call has ended (attempts check this before touching the client). */
    boolean isEnded() {
        return ended;
    }

    /** Whether an attempt's response head was accepted. */
    boolean isCommitted() {
        return committed;
    }

    private void startAttempt(Lease lease) {
        Deployment deployment = lease.target().deployment();
        if (!deployment.provider().supported()) {
            // Refused before anything was tried: the lease is given back, and no attempt is recorded.
            lease.release(ProxyError.PROVIDER_NOT_SUPPORTED.status().code(), null);
            fail(ProxyError.PROVIDER_NOT_SUPPORTED, "Provider '" + deployment.provider().name() + "' (model group "
                    + request.route().modelGroup() + ") is not supported by this llmproxy version yet", "model");
            return;
        }
        long now = services.ticker().getAsLong();
        Attempt attempt = deployment.isMock()
                ? new MockAttempt(this, lease, now)
                : new UpstreamAttempt(this, lease, now);
        current = attempt;
        attempt.start();
    }

    private boolean mayRetry(int status) {
        int made = attemptCount() + 1;
        return services.ticker().getAsLong() < deadlineNanos && services.router().mayRetry(status, made);
    }

    private TriedDeployments triedWith(Attempt attempt) {
        TriedDeployments set = tried;
        if (set == null) {
            set = new TriedDeployments();
            tried = set;
        }
        Deployment deployment = attempt.lease.target().deployment();
        if (!set.contains(deployment)) {
            set.add(deployment);
        }
        return set;
    }

    /**
     * Records an attempt's end and releases its lease; later calls for the same attempt do nothing. A completing
     * attempt calls this before it writes its last bytes, so that a client sending its next request at once finds
     * the deployment's slot free and its tokens charged.
     */
    void attemptEnded(Attempt attempt, int status, @Nullable ProxyError error, @Nullable Usage usage) {
        if (attempt.recorded) {
            return;
        }
        attempt.recorded = true;
        if (current == attempt) {
            current = null;
        }
        AttemptRecord record = new AttemptRecord(attempt.lease.target().deployment().id(), status, error,
                attempt.startNanos, attempt.headersNanos, services.ticker().getAsLong());
        if (firstAttempt == null) {
            firstAttempt = record;
        } else {
            List<AttemptRecord> list = moreAttempts;
            if (list == null) {
                list = new ArrayList<>(4);
                list.add(firstAttempt);
                moreAttempts = list;
            }
            list.add(record);
        }
        attempt.lease.release(status, usage);
    }

    /** Answers the client with an OpenAI error; nothing of the response has been written yet. */
    private void fail(ProxyError error, String message, @Nullable String param) {
        fail(error, message, param, 0);
    }

    /** The same, with a {@code retry-after} header when {@code retryAfterSeconds > 0}. */
    private void fail(ProxyError error, String message, @Nullable String param, long retryAfterSeconds) {
        FullHttpResponse response = Responses.error(ctx.alloc(), error, message, param, request.callId());
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        Responses.setConnection(response, request.keepAlive(), request.http10());
        Responses.writeLast(ctx, response, request.keepAlive());
        end(error.status().code(), error, request.stream(), null, 0, 0, request.keepAlive());
    }

    /** Whole seconds for a {@code retry-after} header: rounded up, at least 1. */
    private static long ceilSeconds(long millis) {
        return Math.max(1, millis / 1000 + (millis % 1000 > 0 ? 1 : 0));
    }

    private void end(int status, @Nullable ProxyError error, boolean stream, @Nullable Usage usage,
            long firstByteNanos, long upstreamNanos, boolean keepAlive) {
        if (ended) {
            return;
        }
        ended = true;
        ByteBuf requestBody = body;
        body = null;
        if (requestBody != null) {
            requestBody.release();
        }
        Lease unused = nextLease;
        nextLease = null;
        if (unused != null) {
            unused.release(0, null);
        }
        List<AttemptRecord> list = attempts();
        String deploymentId = list.isEmpty() ? null : list.get(list.size() - 1).deploymentId();
        services.listener().onCallEnded(new CallRecord(
                request.callId(),
                request.endpoint(),
                request.requestedModel(),
                request.route().modelGroup(),
                deploymentId,
                request.principal(),
                status,
                error,
                stream,
                usage,
                request.startNanos(),
                firstByteNanos,
                services.ticker().getAsLong(),
                upstreamNanos,
                list));
        owner.onCallEnded(keepAlive);
    }

    private int attemptCount() {
        return moreAttempts != null ? moreAttempts.size() : firstAttempt != null ? 1 : 0;
    }

    /** The attempts as an unmodifiable list for the record. */
    private List<AttemptRecord> attempts() {
        List<AttemptRecord> list = moreAttempts;
        if (list != null) {
            return Collections.unmodifiableList(list);
        }
        return firstAttempt == null ? List.of() : List.of(firstAttempt);
    }

    /** The call's side of a wait for capacity: runs on the call's event loop. */
    private final class Waiter implements CapacityWaiter {

        @Override
        public EventExecutor executor() {
            return ctx.executor();
        }

        @Override
        public void granted(Lease lease) {
            waitTicket = null;
            if (ended) {
                lease.release(0, null);
                return;
            }
            startAttempt(lease);
        }

        @Override
        public void expired(long retryAfterMillis) {
            waitTicket = null;
            if (!ended) {
                failNoDeployment(retryAfterMillis);
            }
        }
    }
}
