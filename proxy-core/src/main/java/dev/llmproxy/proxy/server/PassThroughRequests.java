package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallOwner;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.passthrough.PassThroughRelay;
import dev.llmproxy.proxy.passthrough.PassThroughRequest;
import dev.llmproxy.proxy.passthrough.PassThroughTarget;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.ModelRoute;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pass-through requests of one connection ({@link ApiPath#isPassThrough}): the key is checked when the route
 * asks for one, then a {@link PassThroughRelay} forwards the request, its body streamed to the target as it arrives
 * (held meanwhile up to {@link StreamedBody#REPLAY_BYTES}, then the client waits). A target that signs the body's
 * hash (Bedrock) gets its relay once the whole body is held, up to {@code max_request_size_mb} (413 beyond; the held
 * bytes count in {@code max_buffered_requests_mb}, 503 beyond). The body is owned here until the
 * relay has ended; a request refused before its relay started drops its body, and when part of it is still to come
 * the connection closes lingering (the rest is read and dropped).
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class PassThroughRequests {
    private static final Logger log = LoggerFactory.getLogger(PassThroughRequests.class);
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

    private final ServerContext server;
    private final HeadAuthResults headAuth;
    private final RequestAnswers answers;
    private final CallOwner owner;
    /** The request whose head was handled, until its relay ended or it was refused and its body fully read. */
    private @Nullable Forwarding current;

    PassThroughRequests(ServerContext server, HeadAuthResults headAuth, RequestAnswers answers, CallOwner owner) {
        this.server = server;
        this.headAuth = headAuth;
        this.answers = answers;
        this.owner = owner;
    }

    /** Whether the parts that arrive belong to a pass-through request. */
    boolean isReading() {
        return current != null;
    }

    /**
     * Starts the pass-through request {@code head} introduces; the request is in flight.
     *
     * @return false when {@code head} is no longer a pass-through route (nothing was done)
     */
    boolean start(ChannelHandlerContext ctx, HttpRequest head) {
        if (!ApiPath.isPassThrough(head.uri(), server.passThrough)) {
            return false;
        }
        String uri = ApiPath.originForm(head.uri());
        PassThroughTarget target = server.passThrough.resolve(uri);
        if (target == null) {
            return false;
        }
        ModelRoute group = target.signsBody() ? server.passThrough.bedrockGroup(uri) : null;
        RequestFacts facts = RequestFacts.arriving(head, server);
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        StreamedBody body = new StreamedBody(ctx, contentType == null ? "" : contentType, null,
                HttpUtil.getContentLength(head, -1L),
                target.signsBody() ? server.settings.maxRequestBytes() : StreamedBody.REPLAY_BYTES,
                server.requestBudget);
        Forwarding forwarding = new Forwarding(ctx, head, target, group, facts, body);
        current = forwarding;
        // A head the head handler checked leaves its result behind: taken either way, so it is never reused.
        AuthResult checked = headAuth.take(head.headers());
        if (checked != null && checked.failure() == AuthResult.Failure.IP_NOT_ALLOWED) {
            refuse(forwarding, ProxyError.IP_NOT_ALLOWED,
                    HeadAuthHandler.refusalMessage(AuthResult.Failure.IP_NOT_ALLOWED));
            return true;
        }
        if (!target.authRequired()) {
            forward(forwarding, Principal.ANONYMOUS);
            return true;
        }
        AuthResult auth = checked != null ? checked : server.authenticator.authenticate(head.headers());
        CompletionStage<AuthResult> pending = auth.pending();
        if (pending == null) {
            authenticated(forwarding, auth, null);
            return true;
        }
        ScheduledFuture<?> timeout = ctx.executor().schedule(() -> authenticated(forwarding, null, null),
                ClientHandler.AUTH_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        pending.whenComplete((result, failure) -> ctx.executor().execute(() -> {
            timeout.cancel(false);
            authenticated(forwarding, result, failure);
        }));
        return true;
    }

    /** A part of the request's body; taken. */
    void part(HttpContent part) {
        Forwarding forwarding = current;
        if (forwarding == null) {
            part.release();
            return;
        }
        boolean last = !part.decoderResult().isFailure() && part instanceof LastHttpContent;
        forwarding.received = last;
        forwarding.body.add(part);
        if (forwarding.ended && last) {
            current = null;
        }
        if (forwarding.awaitingBody) {
            startWhenHeld(forwarding);
        }
    }

    /** The client connection became writable again. */
    void clientWritable() {
        Forwarding forwarding = current;
        PassThroughRelay relay = forwarding == null ? null : forwarding.relay;
        if (relay != null) {
            relay.onClientWritable();
        }
    }

    /**
     * The relay ended: its body is released.
     *
     * @return whether the connection must close: the answer came before the whole body, so the rest is read and
     *     dropped (a lingering close has started)
     */
    boolean callEnded(ChannelHandlerContext ctx) {
        Forwarding forwarding = current;
        if (forwarding == null || forwarding.relay == null) {
            return false;
        }
        current = null;
        forwarding.body.release();
        if (!forwarding.received) {
            LingeringCloseHandler.start(ctx.pipeline(), server.ticker, LingeringCloseHandler.MAX_DISCARD_BYTES);
            return true;
        }
        return false;
    }

    /**
     * The client went away: the relay ends (and records itself), or the request not yet forwarded is recorded; the
     * body is released either way (the relay's end finds no request left to release it).
     */
    void clientGone() {
        Forwarding forwarding = current;
        current = null;
        if (forwarding == null) {
            return;
        }
        PassThroughRelay relay = forwarding.relay;
        if (relay != null) {
            relay.onClientGone();
        }
        forwarding.body.release();
        if (relay == null && !forwarding.ended) {
            forwarding.ended = true;
            answers.record(forwarding.facts, Endpoint.PASS_THROUGH, forwarding.model(), forwarding.principal,
                    ProxyError.CLIENT_CLOSED);
        }
    }

    private void authenticated(Forwarding forwarding, @Nullable AuthResult result, @Nullable Throwable failure) {
        if (current != forwarding || forwarding.ended || forwarding.principal != null) {
            return;
        }
        if (failure != null || result == null || result.isPending()) {
            log.warn("[{}] key lookup failed: {}", forwarding.facts.callId(),
                    failure != null ? failure.toString() : "no result in time");
            refuse(forwarding, ProxyError.AUTH_UNAVAILABLE, "Authentication is unavailable right now; try again");
            return;
        }
        Principal principal = result.principal();
        if (principal == null) {
            AuthResult.Failure refused = result.failure() != null ? result.failure() : AuthResult.Failure.INVALID_KEY;
            refuse(forwarding, HeadAuthHandler.refusalError(refused), HeadAuthHandler.refusalMessage(refused));
            return;
        }
        forward(forwarding, principal);
    }

    private void forward(Forwarding forwarding, Principal caller) {
        Principal principal = caller;
        KeyGrant key = caller.key();
        if (key != null) {
            // As LiteLLM's pre-call hooks for call type pass_through_endpoint: the key's budgets and limits hold for
            // every route it calls, those of a model only on a provider route served by a model group's deployment;
            // the record of the relay gives the admission back with its usage and cost.
            KeyRefusal refusal = key.admit(forwarding.model(), server.clock.millis());
            if (refusal != null) {
                forwarding.principal = caller;
                refuse(forwarding, RequestAnswers.keyRefusalResponse(forwarding.ctx, refusal, Endpoint.PASS_THROUGH,
                        forwarding.facts.callId()), RequestAnswers.keyRefusalError(refusal));
                return;
            }
            principal = caller.admittedCall();
        }
        forwarding.principal = principal;
        if (forwarding.target.signsBody()) {
            forwarding.awaitingBody = true;
            startWhenHeld(forwarding);
            return;
        }
        startRelay(forwarding, principal);
    }

    /**
     * Starts the relay of a request whose body must be whole before it leaves, once it is; refuses it when the body
     * failed or grew past {@code max_request_size_mb}.
     */
    private void startWhenHeld(Forwarding forwarding) {
        StreamedBody body = forwarding.body;
        ProxyError failed = body.failure();
        long limit = server.settings.maxRequestBytes();
        if (failed != null) {
            String message = body.failureMessage();
            forwarding.awaitingBody = false;
            refuse(forwarding, failed, message != null ? message : "The client's request body was cut short");
        } else if (body.declaredLength() > limit || body.receivedBytes() > limit) {
            forwarding.awaitingBody = false;
            refuse(forwarding, ProxyError.BODY_TOO_LARGE, "Request body is larger than the limit of " + limit
                    + " bytes (general_settings.max_request_size_mb)");
        } else if (body.isComplete()) {
            forwarding.awaitingBody = false;
            Principal principal = forwarding.principal;
            startRelay(forwarding, principal != null ? principal : Principal.ANONYMOUS);
        }
    }

    private void startRelay(Forwarding forwarding, Principal principal) {
        RequestFacts facts = forwarding.facts;
        PassThroughTarget target = forwarding.target;
        Lease lease = null;
        ModelRoute group = forwarding.group;
        if (group != null) {
            // LiteLLM's router model: one of the group's deployments, picked and admitted as a chat call's would be.
            lease = server.calls.router().acquire(group, null, server.calls.random().get());
            if (lease == null) {
                refuseNoDeployment(forwarding, group);
                return;
            }
            target = server.passThrough.forDeployment(target, lease.target().deployment(),
                    ApiPath.originForm(forwarding.head.uri()));
        }
        PassThroughRequest request = new PassThroughRequest(facts.callId(), forwarding.head, principal,
                facts.startNanos(), facts.keepAlive(), facts.http10(), forwarding.head.headers().get(TRACEPARENT));
        server.activeCalls.incrementAndGet();
        PassThroughRelay relay = new PassThroughRelay(forwarding.ctx, owner, server.calls, request, target,
                forwarding.body, lease);
        forwarding.relay = relay;
        relay.start();
    }

    /** Answers 429 with LiteLLM's words when no deployment of a router model's group can take the call now. */
    private void refuseNoDeployment(Forwarding forwarding, ModelRoute group) {
        long seconds = Math.max(1, (server.calls.router().retryAfterMillis(group) + 999) / 1000);
        FullHttpResponse response = Responses.error(forwarding.ctx.alloc(), ProxyError.NO_DEPLOYMENT_AVAILABLE,
                "No deployments available for selected model, Try again in " + seconds + " seconds. Passed model="
                        + group.modelGroup(), null, forwarding.facts.callId());
        response.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        refuse(forwarding, response, ProxyError.NO_DEPLOYMENT_AVAILABLE);
    }

    /** Answers a request refused before its relay started, at once, whether or not its body has arrived. */
    private void refuse(Forwarding forwarding, ProxyError error, String message) {
        refuse(forwarding, Responses.error(forwarding.ctx.alloc(), error, message, null, forwarding.facts.callId()),
                error);
    }

    /**
     * Answers {@code response} to a request refused before its relay started; its record gives back the key's
     * admission, if it was taken.
     */
    private void refuse(Forwarding forwarding, FullHttpResponse response, ProxyError error) {
        forwarding.ended = true;
        forwarding.body.release();
        answers.record(forwarding.facts, Endpoint.PASS_THROUGH, forwarding.model(), forwarding.principal, error);
        if (forwarding.received) {
            current = null;
            answers.send(forwarding.ctx, response, forwarding.facts);
            return;
        }
        long declared = forwarding.body.declaredLength();
        LingeringCloseHandler.answerAndClose(forwarding.ctx, response, server.ticker,
                declared < 0 ? -1L : declared - forwarding.body.receivedBytes());
        current = null;
        answers.responseDone(false);
    }

    /** A pass-through request: its head, its target, and its body (owned here until the relay has ended). */
    private static final class Forwarding {
        final ChannelHandlerContext ctx;
        final HttpRequest head;
        final PassThroughTarget target;
        /** The model group a Bedrock path names (LiteLLM's router model), or null. */
        final @Nullable ModelRoute group;
        final RequestFacts facts;
        final StreamedBody body;
        /** Who calls; null while the key is being checked. */
        @Nullable Principal principal;
        /** The relay, once started. */
        @Nullable PassThroughRelay relay;
        /** Whether the body's last part arrived. */
        boolean received;
        /** Whether the request was refused before its relay started. */
        boolean ended;
        /** Whether the key was checked and the relay waits for the whole body (its target signs the body). */
        boolean awaitingBody;

        Forwarding(ChannelHandlerContext ctx, HttpRequest head, PassThroughTarget target, @Nullable ModelRoute group,
                RequestFacts facts, StreamedBody body) {
            this.ctx = ctx;
            this.head = head;
            this.target = target;
            this.group = group;
            this.facts = facts;
            this.body = body;
        }

        /**
         * The model group a provider route calls (the router model's, else its deployment's), or null for a route
         * without a deployment.
         */
        @Nullable String model() {
            ModelRoute named = group;
            if (named != null) {
                return named.modelGroup();
            }
            Deployment deployment = target.deployment();
            return deployment == null ? null : deployment.modelGroup();
        }
    }
}
