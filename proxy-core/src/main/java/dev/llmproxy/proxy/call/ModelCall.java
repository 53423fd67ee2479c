package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.json.RouterParams;
import dev.llmproxy.codec.openai.ResponseFacts;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.messages.MessagesAdapter;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.RebuiltResponse;
import dev.llmproxy.proxy.route.CapacityWaiter;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ErrorClass;
import dev.llmproxy.proxy.route.Failure;
import dev.llmproxy.proxy.route.GroupQuota;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.ModelRoute;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * States: ATTEMPTING (an attempt is under way, nothing has reached the client) -> [WAITING (a retry is scheduled on
 * the event loop after a backoff; no attempt exists) -> ATTEMPTING ...] -> COMMITTED (an attempt's response head was
 * accepted and is being relayed) -> ENDED. Before commit, an attempt that fails (cannot connect, times out before its
 * head, loses its connection, or answers with an error the call may retry) gives back its connection and its lease;
 * the failure feeds the cooldowns, and CallRetries plans the next attempt (at once elsewhere, after a wait, in a
 * fallback group) by the RetryRules. When nothing is left, the client gets the failure: the provider's own response
 * when there is one (it is then committed instead of retried), else an OpenAI error naming what was tried. After
 * commit there is no retry: a stream that fails mid-way ends with an error event, a plain body with a cut connection.
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
    /** A count of 0, and the cost of a failed call (LiteLLM's error answers say {@code x-litellm-response-cost: 0}). */
    static final AsciiString ZERO = AsciiString.cached("0");

    final ChannelHandlerContext ctx;
    final CallServices services;
    final CallRequest request;
    private final CallOwner owner;
    private final CallRetries retries;

    /** The client's body; owned here until the call ends. Attempts encode it for their provider. */
    private @Nullable ByteBuf body;
    /** An upload's body, streamed to the attempts as it arrives (then {@link #body} is null); owned here. */
    private final @Nullable StreamedBody streamed;

    private @Nullable Attempt current;
    /** The attempts so far: most calls make one, so a list is made only for a second. */
    private @Nullable AttemptRecord firstAttempt;
    private @Nullable List<AttemptRecord> moreAttempts;
    /** A retry waiting for its backoff to pass; cancelled when the call ends first. */
    private @Nullable ScheduledFuture<?> pendingRetry;
    /** The failure the pending retry follows. */
    private @Nullable Failure pendingFailure;
    /** The call's place in its group's queue while it waits for capacity, else null. */
    private CapacityWaiter.@Nullable Ticket waitTicket;
    /** Whether the call holds a slot of {@code global_max_parallel_requests}. */
    private boolean inFlight;
    private boolean committed;
    private boolean ended;
    /** The committed attempt's answer: its model and finish reasons, when tracing asked for them. */
    private @Nullable ResponseFacts responseFacts;

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
        this.streamed = null;
        this.retries = new CallRetries(services, request);
    }

    /**
     * A call whose body is streamed to its attempts as it arrives (an upload).
     *
     * @param streamed the body; taken: released when the call ends
     */
    public ModelCall(ChannelHandlerContext ctx, CallOwner owner, CallServices services, CallRequest request,
            StreamedBody streamed) {
        this.ctx = ctx;
        this.owner = owner;
        this.services = services;
        this.request = request;
        this.body = null;
        this.streamed = streamed;
        this.retries = new CallRetries(services, request);
        streamed.callStarted();
    }

    /** The request id ({@code x-litellm-call-id}), for logs. */
    public String callId() {
        return request.callId();
    }

    /** Starts the first attempt; the call may end before this returns. */
    public void start() {
        CallsInFlight gate = services.callsInFlight();
        if (gate != null) {
            if (!gate.tryAcquire()) {
                // LiteLLM's parallel request limiter's wording.
                fail(ProxyError.PARALLEL_LIMIT_REACHED, "Max parallel request limit reached. Hit limit for "
                        + "global_max_parallel_requests: " + gate.limit(), null, 1);
                return;
            }
            inFlight = true;
        }
        CallOptions options = request.options();
        if (!options.mockTestingParams().isEmpty() && startMockTesting(options)) {
            return;
        }
        Lease lease = retries.first();
        if (lease == null) {
            // Neither the group nor its fallbacks can take the call now: wait in the group if the router allows it.
            waitTicket = services.router().await(request.route(), request.stream(), new Waiter());
            if (waitTicket == null) {
                failNoDeployment(request.route());
            }
            return;
        }
        startAttempt(lease);
    }

    /**
     * A request with LiteLLM's {@code mock_testing_*} parameters: refused unless the operator allows them (as
     * LiteLLM's newer versions do: a client must not be able to send traffic to the fallbacks at will); else the
     * requested group fails at once with the failure asked for, no deployment is called (none is cooled down), and
     * the call goes on as after that failure: retries for a rate-limit error, the fallbacks for the others. False
     * when none of them is true: the call starts as any other.
     */
    private boolean startMockTesting(CallOptions options) {
        if (!services.retryRules().settings().allowMockTesting()) {
            fail(ProxyError.BAD_REQUEST, "Mock testing request params are disabled on this proxy: "
                    + String.join(", ", options.mockTestingParams()) + ". An admin can enable them by setting "
                    + "`general_settings.dangerously_allow_mock_testing_request_params: true` in config.yaml.",
                    options.mockTestingParams().get(0));
            return true;
        }
        String mock = options.mockFailure();
        if (mock == null) {
            return false;
        }
        String group = request.route().modelGroup();
        ProxyError error;
        Failure failure;
        String message;
        switch (mock) {
            case RouterParams.MOCK_TESTING_RATE_LIMIT_ERROR -> {
                error = ProxyError.MOCK_RATE_LIMITED;
                failure = Failure.of(429);
                message = "This is a mock exception for model=" + group + ", to trigger a rate limit error";
            }
            case RouterParams.MOCK_TESTING_CONTEXT_FALLBACKS -> {
                error = ProxyError.MOCK_CONTEXT_WINDOW_EXCEEDED;
                failure = new Failure(400, ErrorClass.CONTEXT_WINDOW_EXCEEDED, Failure.NO_RETRY_AFTER);
                message = "This is a mock exception for model=" + group + ", to trigger a context window fallback";
            }
            case RouterParams.MOCK_TESTING_CONTENT_POLICY_FALLBACKS -> {
                error = ProxyError.MOCK_CONTENT_POLICY_VIOLATION;
                failure = new Failure(400, ErrorClass.CONTENT_POLICY_VIOLATION, Failure.NO_RETRY_AFTER);
                message = "This is a mock exception for model=" + group + ", to trigger a content policy fallback";
            }
            default -> {
                error = ProxyError.MOCK_INTERNAL_SERVER_ERROR;
                failure = Failure.of(500);
                message = "This is a mock exception for model=" + group + ", to trigger a fallback";
            }
        }
        log.debug("[{}] {}", request.callId(), message);
        Lease lease = retries.firstAfter(failure, message);
        if (lease == null) {
            fail(error, message + "." + retries.summary(), null);
        } else {
            startAttempt(lease);
        }
        return true;
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
        cancelPendingRetry();
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

    /** The streamed body of an upload, or null when the body was collected ({@link #body()}). */
    @Nullable StreamedBody streamedBody() {
        return streamed;
    }

    /** The body attempts encode; not taken (its indexes must not change). */
    ByteBuf body() {
        ByteBuf requestBody = body;
        if (requestBody == null) {
            throw new IllegalStateException("the call has ended");
        }
        return requestBody;
    }

    /**
     * The silence an attempt allows its provider: the request's {@code timeout} when it set one, else the
     * deployment's {@code deploymentNanos}.
     */
    long attemptTimeoutNanos(long deploymentNanos) {
        long requested = request.options().timeoutNanos();
        return requested > 0 ? requested : deploymentNanos;
    }

    /**
     * Whether a plain success must be read before it is committed, because a {@code finish_reason} of
     * {@code content_filter} would make the call fall back (LiteLLM does so only when a content-policy or a default
     * fallback exists for the group). False for almost every call, without allocating.
     */
    boolean watchesContentFilter() {
        CallOptions options = request.options();
        return !options.disableFallbacks() && services.retryRules().mayFallBackOnContentPolicy(
                retries.group().modelGroup(), options.contentPolicyFallbacks());
    }

    /** {@link #shouldCommit(Attempt, Failure)} for a status alone. */
    boolean shouldCommit(Attempt attempt, int status) {
        return shouldCommit(attempt, Failure.of(status));
    }

    /**
     * An attempt received its response ({@code failure.status()}, and for an error its body or the start of it).
     * Answers whether the call commits to it (the attempt then relays it); otherwise the call has planned another
     * attempt, and this one must give back its connection and report {@link #attemptFailed}.
     */
    boolean shouldCommit(Attempt attempt, Failure failure) {
        if (failure.status() < 400) {
            committed = true;
            return true;
        }
        recordHealth(attempt, failure);
        if (plan(attempt, failure)) {
            return false;
        }
        committed = true;
        return true;
    }

    /**
     * An attempt failed before anything reached the client. The call tries again (elsewhere, after a wait, or in a
     * fallback group) if its retry rules allow it, else answers the client with {@code error}.
     *
     * @param status what the attempt's lease is released with (the gateway's status for {@code error}, or the
     *     provider's when {@link #shouldCommit} declined its head)
     * @param error the failure to report when no other attempt follows, or null when {@link #shouldCommit} already
     *     planned the next attempt
     */
    void attemptFailed(Attempt attempt, int status, @Nullable ProxyError error, @Nullable String message) {
        boolean planned = attempt.healthRecorded;
        if (!planned) {
            Failure failure = Failure.of(status);
            recordHealth(attempt, failure);
            attemptEnded(attempt, status, error, null);
            planned = plan(attempt, failure);
        } else {
            attemptEnded(attempt, status, error, null);
        }
        Lease lease = retries.takeLease();
        if (lease != null) {
            log.debug("[{}] attempt on {} failed with {}; trying {}", request.callId(),
                    attempt.lease.target().deployment().id(), status, lease.target().deployment().id());
            startAttempt(lease);
            return;
        }
        if (planned && pendingRetry != null) {
            return;
        }
        fail(error != null ? error : ProxyError.UPSTREAM_CLOSED,
                (message != null ? message : "The provider failed") + "." + retries.summary(), null);
    }

    /** Adds the headers that say who answered, to a committed attempt's response head. */
    void addProxyHeaders(HttpHeaders headers, Deployment deployment, long sentNanos, long headersNanos) {
        addRetryHeaders(headers);
        headers.set(Responses.CALL_ID, request.callId())
                .set(Responses.MODEL_ID, deployment.idHeader())
                .set(Responses.MODEL_GROUP, deployment.modelGroupHeader())
                .set(Responses.MODEL_API_BASE, deployment.apiBaseHeader())
                .set(Responses.RESPONSE_DURATION_MS, Durations.millis(headersNanos - request.startNanos()))
                .set(Responses.OVERHEAD_DURATION_MS, Durations.millis(sentNanos - request.startNanos()));
        KeyGrant key = request.principal().key();
        if (key != null) {
            // The key's spend before this call; addCostHeaders adds the call's cost when the answer was held for it.
            headers.set(Responses.KEY_SPEND, PythonFloats.repr(key.spend()));
        }
    }

    /**
     * Whether a successful answer from {@code deployment} is held until its usage is read, so that its head can carry
     * {@code x-litellm-response-cost}: only when the call is not streamed (LiteLLM sends no cost on streams, whose
     * head leaves before their usage) and the model has a price that is not zero (LiteLLM omits a cost of 0).
     */
    boolean holdsForCost(Deployment deployment) {
        return !request.stream() && services.costs().isPriced(deployment, request.requestedModel());
    }

    /**
     * Adds {@code x-litellm-response-cost} to the head of a complete answer whose {@code usage} costs more than 0 (the
     * figure its spend record gets), and sets {@code x-litellm-key-spend} to the key's spend with that cost added, as
     * LiteLLM's newer versions do.
     */
    void addCostHeaders(HttpHeaders headers, Deployment deployment, @Nullable Usage usage) {
        if (usage == null) {
            return;
        }
        double cost = services.costs().cost(deployment, request.requestedModel(), usage);
        if (!(cost > 0)) {
            return;
        }
        headers.set(Responses.RESPONSE_COST, PythonFloats.repr(cost));
        KeyGrant key = request.principal().key();
        if (key != null) {
            headers.set(Responses.KEY_SPEND, PythonFloats.repr(key.spend() + cost));
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

    /** What the committed attempt read of its answer (model, finish reasons), for the call's record. */
    void responseRead(ResponseFacts facts) {
        responseFacts = facts;
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
        StreamedBody upload = streamed;
        if (upload != null && !upload.isReplayable()) {
            lease.release(0, null);
            ProxyError failure = upload.failure();
            String message = upload.failureMessage();
            fail(failure != null ? failure : ProxyError.CLIENT_CLOSED,
                    message != null ? message : "The request body can no longer be sent", null);
            return;
        }
        long now = services.ticker().getAsLong();
        Attempt attempt = deployment.isMock()
                ? new MockAttempt(this, lease, now)
                : estimatesTokens(deployment) ? new TokenCountAttempt(this, lease, now)
                : FanOutAttempt.fansOut(deployment.adapter(), request) ? new FanOutAttempt(this, lease, now)
                : new UpstreamAttempt(this, lease, now);
        current = attempt;
        attempt.start();
    }

    /** Whether the proxy answers this call's token count itself: the deployment has no counting API it calls. */
    private boolean estimatesTokens(Deployment deployment) {
        ProviderAdapter adapter = deployment.adapter();
        return request.endpoint() == Endpoint.MESSAGES_COUNT_TOKENS
                && (adapter == null || !MessagesAdapter.speaksMessages(adapter));
    }

    /**
     * Plans the attempt after {@code attempt} failed with {@code failure}: a lease for {@link CallRetries#takeLease},
     * or a retry scheduled on the event loop after a backoff (the call never sleeps). False when nothing is left.
     */
    private boolean plan(Attempt attempt, Failure failure) {
        StreamedBody upload = streamed;
        if (upload != null && !upload.isReplayable()) {
            // Part of the body is gone to the failed attempt and is no longer held: no other attempt can send it.
            return false;
        }
        long delayNanos = retries.plan(attempt.lease.target().deployment(), failure);
        if (delayNanos == CallRetries.GIVE_UP) {
            return false;
        }
        if (delayNanos > 0) {
            log.debug("[{}] retrying {} in {} ms", request.callId(), retries.group().modelGroup(),
                    TimeUnit.NANOSECONDS.toMillis(delayNanos));
            pendingFailure = failure;
            pendingRetry = ctx.executor().schedule(this::retryAfterWait, delayNanos, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** The backoff passed: the next attempt, or the answer when nothing admits the call now. */
    private void retryAfterWait() {
        pendingRetry = null;
        Failure failure = pendingFailure;
        pendingFailure = null;
        if (ended || failure == null) {
            return;
        }
        Lease lease = retries.afterWait(failure);
        if (lease == null) {
            failNoDeployment(retries.group());
            return;
        }
        startAttempt(lease);
    }

    private void cancelPendingRetry() {
        ScheduledFuture<?> pending = pendingRetry;
        pendingRetry = null;
        pendingFailure = null;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /**
     * Feeds the cooldowns with how {@code attempt} went, once per attempt: a failure (a 4xx or 5xx answer, or the
     * gateway's own failure) or a success. Nothing for an attempt the client's leaving cut short.
     */
    private void recordHealth(Attempt attempt, @Nullable Failure failure) {
        if (attempt.healthRecorded) {
            return;
        }
        attempt.healthRecorded = true;
        Deployment deployment = attempt.lease.target().deployment();
        long now = services.ticker().getAsLong();
        if (failure == null) {
            services.retryRules().cooldowns().onSuccess(deployment, now);
        } else if (services.retryRules().cooldowns().onFailure(retries.group(), deployment, failure, now)) {
            log.info("[{}] deployment {} cooled down after {}", request.callId(), deployment.id(), failure.status());
        }
    }

    /**
     * {@code x-litellm-attempted-retries} and {@code -fallbacks}; {@code x-litellm-max-retries} once a retry was
     * made, {@code x-litellm-timeout} when the request set a timeout, {@code x-litellm-fallback-errors} when asked
     * for and allowed (each a field test when unset, so a plain call pays nothing for them); and the group's
     * {@code x-ratelimit-*} quota where the provider sent none of its own (LiteLLM passes the provider's through and
     * fills the group's otherwise).
     */
    private void addRetryHeaders(HttpHeaders headers) {
        headers.set(Responses.ATTEMPTED_RETRIES, count(retries.attemptedRetries()))
                .set(Responses.ATTEMPTED_FALLBACKS, count(retries.fallbacks()));
        if (retries.attemptedRetries() > 0) {
            headers.set(Responses.MAX_RETRIES, Integer.toString(retries.maxRetries()));
        }
        String timeout = request.options().timeoutHeader();
        if (timeout != null) {
            headers.set(Responses.TIMEOUT, timeout);
        }
        String fallbackErrors = retries.fallbackErrors();
        if (fallbackErrors != null) {
            headers.set(Responses.FALLBACK_ERRORS, fallbackErrors);
        }
        GroupQuota quota = services.router().quota(retries.group());
        if (quota != null) {
            addQuota(headers, Responses.LIMIT_REQUESTS, quota.limitRequests());
            addQuota(headers, Responses.REMAINING_REQUESTS, quota.remainingRequests());
            addQuota(headers, Responses.LIMIT_TOKENS, quota.limitTokens());
            addQuota(headers, Responses.REMAINING_TOKENS, quota.remainingTokens());
        }
    }

    /** A header value for {@code n}; the usual 0 is a shared constant, so a first-try answer allocates nothing. */
    private static CharSequence count(int n) {
        return n == 0 ? ZERO : Integer.toString(n);
    }

    private static void addQuota(HttpHeaders headers, AsciiString name, long value) {
        if (value != GroupQuota.NONE && !headers.contains(name)) {
            headers.set(name, Long.toString(value));
        }
    }

    /** Answers 429: nothing of {@code route} admits the call now (limits, cooldowns). */
    private void failNoDeployment(ModelRoute route) {
        failNoDeployment(route, services.router().retryAfterMillis(route));
    }

    /** The same, after {@code retryAfterMillis} until the earliest deployment frees up. */
    private void failNoDeployment(ModelRoute route, long retryAfterMillis) {
        // LiteLLM's wording (clients match on it).
        long seconds = ceilSeconds(retryAfterMillis);
        String tried = retries.attemptedRetries() > 0 || retries.fallbacks() > 0 ? "." + retries.summary() : "";
        fail(ProxyError.NO_DEPLOYMENT_AVAILABLE, "No deployments available for selected model, Try again in "
                + seconds + " seconds. Passed model=" + route.modelGroup() + tried, null, seconds);
    }

    /**
     * Records an attempt's end and releases its lease; later calls for the same attempt do nothing. A completing
     * attempt calls this before it writes its last bytes, so that a client sending its next request at once finds
     * the deployment's slot free and its tokens charged.
     */
    /** A successful attempt's rebuilt Responses answer, handed to the owner. */
    void responseRebuilt(RebuiltResponse response) {
        owner.onResponseRebuilt(response);
    }

    void attemptEnded(Attempt attempt, int status, @Nullable ProxyError error, @Nullable Usage usage) {
        if (attempt.recorded) {
            return;
        }
        attempt.recorded = true;
        if (error != ProxyError.CLIENT_CLOSED && error != ProxyError.CLIENT_TOO_SLOW) {
            int failedStatus = error != null ? error.status().code() : status;
            recordHealth(attempt, failedStatus >= 400 ? Failure.of(failedStatus) : null);
        }
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
        FullHttpResponse response =
                Responses.error(ctx.alloc(), error, message, param, request.callId(), request.endpoint());
        addRetryHeaders(response.headers());
        response.headers().set(Responses.RESPONSE_COST, ZERO);
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
        if (streamed != null) {
            streamed.release();
        }
        cancelPendingRetry();
        retries.releaseUnused();
        if (inFlight) {
            inFlight = false;
            CallsInFlight gate = services.callsInFlight();
            if (gate != null) {
                gate.release();
            }
        }
        List<AttemptRecord> list = attempts();
        String deploymentId = list.isEmpty() ? null : list.get(list.size() - 1).deploymentId();
        services.listener().onCallEnded(new CallRecord(
                request.callId(),
                request.endpoint(),
                request.requestedModel(),
                retries.group().modelGroup(),
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
                list,
                request.traceparent(),
                request.info(),
                responseFacts));
        owner.onCallEnded(keepAlive);
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
                failNoDeployment(request.route(), retryAfterMillis);
            }
        }
    }
}
