package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.json.RouterParams;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.responses.ManagedResponseIds;
import dev.llmproxy.codec.responses.StoredTurns;
import dev.llmproxy.codec.multipart.MultipartModelRewriter;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallIds;
import dev.llmproxy.proxy.call.CallOwner;
import dev.llmproxy.proxy.call.CallOptions;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.CallRequest;
import dev.llmproxy.proxy.call.ModelCall;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.files.FilesCall;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.health.HealthReport;
import dev.llmproxy.proxy.management.ManagementApi;
import dev.llmproxy.proxy.management.ManagementResponse;
import dev.llmproxy.proxy.metrics.ExpositionFormat;
import dev.llmproxy.proxy.metrics.LitellmMetrics;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.RebuiltResponse;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.ModelRoute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: authenticates each complete request, then answers it with a built-in
 * response or starts a {@link ModelCall}, one request at a time. In: {@link FullHttpRequest} (from the aggregator).
 * Out: {@link FullHttpResponse}, or a response head followed by content parts written by a model call.
 *
 * <p>Pipelined requests wait in a queue (and reading stops) until the response before them is complete, because
 * HTTP/1.1 responses must leave in request order. A request whose key must be looked up elsewhere (an authenticator
 * answering {@link AuthResult#isPending()}) is kept, retained, until the answer hops back to this event loop; it is
 * released on every path: answered, timed out, or the client gone.
 *
 * <p>Every request ends with exactly one {@link CallRecord} to the listeners: model calls report theirs, and this
 * handler reports the others (built-in answers and requests refused before routing).
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements CallOwner {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    /** How long a key lookup may take before the request is answered 503. */
    /** W3C Trace Context: the caller's span, which a model call's trace continues. */
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    /** Anthropic's feature flags; a client's value is passed on to Anthropic deployments. */
    private static final AsciiString ANTHROPIC_BETA = AsciiString.cached("anthropic-beta");
    /** LiteLLM's header naming the end user when the body has no {@code user}. */
    private static final AsciiString END_USER_HEADER = AsciiString.cached("x-litellm-end-user-id");
    static final long AUTH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ServerContext server;
    /** What {@link HeadAuthHandler} found on each request's head; shared with it, confined to the event loop. */
    private final HeadAuthResults headAuth;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ModelCall current;
    /** A files or batches request being relayed. */
    private @Nullable FilesCall currentFiles;
    /** Requests waiting for the one in flight: whole requests, or an upload's head followed by its parts. */
    private @Nullable ArrayDeque<HttpObject> pipelined;
    /** The upload being read (its head was handled), until its last part or its answer; see {@link Upload}. */
    private @Nullable Upload upload;
    /** A request waiting for its key lookup; owned here until it is dispatched or released. */
    private @Nullable AwaitingAuth awaitingAuth;
    /** A scrape being written on the metrics' thread; its answer is dropped if the client goes first. */
    private @Nullable AwaitingScrape awaitingScrape;
    /** A management request being answered on a store thread; its answer is dropped if the client goes first. */
    private @Nullable AwaitingManagement awaitingManagement;
    /** A {@code /health} report being made; its answer is dropped if the client goes first. */
    private @Nullable AwaitingHealth awaitingHealth;
    /** A stored response being fetched; the relay is cancelled if the client goes first. */
    private @Nullable AwaitingRelay awaitingRelay;
    /** A request waiting for the earlier turn it continues; owned here until continued or released. */
    private @Nullable AwaitingTurn awaitingTurn;
    /** A kept response being read or deleted; its answer is dropped if the client goes first. */
    private @Nullable AwaitingKept awaitingKept;
    /** The input of the current call's Responses request, kept with its bridged answer once complete. */
    private @Nullable PendingTurn pendingTurn;
    private boolean inFlight;
    /** Body bytes of the request being answered, reserved in the server's budget by the aggregator. */
    private long heldBodyBytes;

    ClientHandler(ServerContext server, HeadAuthResults headAuth) {
        this.server = server;
        this.headAuth = headAuth;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent part && !(msg instanceof FullHttpRequest)) {
            ArrayDeque<HttpObject> queue = pipelined;
            if (queue != null && !queue.isEmpty()) {
                // A part of an upload that waits in the queue behind the request in flight.
                queue.add(part);
            } else {
                uploadPart(part);
            }
            return;
        }
        if (!(msg instanceof HttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (inFlight) {
            if (pipelined == null) {
                pipelined = new ArrayDeque<>(4);
            }
            pipelined.add(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (request instanceof FullHttpRequest full) {
            handle(ctx, full);
        } else {
            handleUpload(ctx, request);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ModelCall call = current;
        if (call != null && ctx.channel().isWritable()) {
            call.onClientWritable();
        }
        FilesCall files = currentFiles;
        if (files != null && ctx.channel().isWritable()) {
            files.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DrainEvent.INSTANCE) {
            if (!inFlight) {
                ctx.close();
            }
            return;
        }
        if (event instanceof RequestAnswered answered) {
            record(new RequestFacts(answered.callId(), answered.startNanos(), false, false), null, null, null, null,
                    answered.status());
            return;
        }
        if (event instanceof RequestRefused refused) {
            record(new RequestFacts(refused.callId(), refused.startNanos(), false, false), refused.endpoint(), null,
                    null, refused.error());
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ModelCall call = current;
        current = null;
        if (call != null) {
            call.onClientGone();
        }
        FilesCall files = currentFiles;
        currentFiles = null;
        if (files != null) {
            files.onClientGone();
        }
        AwaitingAuth waiting = awaitingAuth;
        awaitingAuth = null;
        if (waiting != null) {
            waiting.release();
            record(waiting.facts, null, null, null, ProxyError.CLIENT_CLOSED);
        }
        AwaitingScrape scrape = awaitingScrape;
        awaitingScrape = null;
        if (scrape != null) {
            record(scrape.facts, null, null, scrape.principal, ProxyError.CLIENT_CLOSED);
        }
        AwaitingManagement managing = awaitingManagement;
        awaitingManagement = null;
        if (managing != null) {
            record(managing.facts, null, null, managing.principal, ProxyError.CLIENT_CLOSED);
        }
        AwaitingHealth health = awaitingHealth;
        awaitingHealth = null;
        if (health != null) {
            record(health.facts, null, null, health.principal, ProxyError.CLIENT_CLOSED);
        }
        AwaitingTurn turn = awaitingTurn;
        awaitingTurn = null;
        if (turn != null) {
            turn.request.release();
            record(turn.facts, Endpoint.RESPONSES, null, turn.principal, ProxyError.CLIENT_CLOSED);
        }
        AwaitingKept keptRead = awaitingKept;
        awaitingKept = null;
        if (keptRead != null) {
            record(keptRead.facts(), Endpoint.RESPONSES, null, keptRead.principal(), ProxyError.CLIENT_CLOSED);
        }
        AwaitingRelay relaying = awaitingRelay;
        awaitingRelay = null;
        if (relaying != null) {
            ResponseResourceRelay relay = relaying.relay;
            if (relay != null) {
                relay.cancel();
            }
            record(relaying.facts, Endpoint.RESPONSES, relaying.model, relaying.principal, ProxyError.CLIENT_CLOSED);
        }
        Upload reading = upload;
        upload = null;
        if (reading != null && !reading.started) {
            reading.body.release();
            if (!reading.ended) {
                reading.ended = true;
                record(reading.facts, reading.path.endpoint(), null, reading.principal, ProxyError.CLIENT_CLOSED);
            }
        }
        releasePipelined();
        releaseBody();
        ctx.fireChannelInactive();
    }

    /**
     * Ends the connection after an error nobody else handled. What a client can cause (a reset, a malformed request
     * the codec gave up on, a connection cut mid-body) is logged at DEBUG without a stack trace, so strangers cannot
     * flood the log; anything else is a bug and is logged at WARN with the call in progress.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ModelCall call = current;
        String id = call != null ? call.callId() : ctx.channel().id().asShortText();
        if (cause instanceof IOException || cause instanceof DecoderException) {
            log.debug("[{}] connection error: {}", id, cause.toString());
        } else {
            log.warn("[{}] unexpected error, closing the connection", id, cause);
        }
        ctx.close();
    }

    /** Called by the current call when its response is complete (or abandoned). */
    @Override
    public void onCallEnded(boolean keepAlive) {
        current = null;
        currentFiles = null;
        pendingTurn = null;
        server.activeCalls.decrementAndGet();
        Upload reading = upload;
        upload = null;
        ChannelHandlerContext context = ctx;
        if (reading != null && !reading.received && context != null) {
            // Answered before the whole upload arrived: the rest is read and dropped, then the connection closes.
            LingeringCloseHandler.start(context.pipeline(), server.ticker, LingeringCloseHandler.MAX_DISCARD_BYTES);
            keepAlive = false;
        }
        responseDone(keepAlive);
    }

    /** Keeps the bridged answer of the current call with its input, off the event loop (never waited for). */
    @Override
    public void onResponseRebuilt(RebuiltResponse response) {
        PendingTurn turn = pendingTurn;
        pendingTurn = null;
        BridgedResponses kept = server.bridgedResponses;
        String json = turn == null || kept == null ? null : response.rebuiltResponse();
        String id = json == null ? null : StoredTurns.responseId(json);
        if (turn == null || kept == null || json == null || id == null) {
            return;
        }
        kept.save(id, turn.owner(), turn.modelGroup(), turn.inputItems(), json).whenComplete((ignored, failure) -> {
            if (failure != null) {
                log.warn("could not keep bridged response {}: {}", id, failure.toString());
            }
        });
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        inFlight = true;
        headAuth.clientBusy(true);
        heldBodyBytes = request.content().readableBytes();
        RequestFacts facts = new RequestFacts(CallIds.next(), server.ticker.getAsLong(),
                HttpUtil.isKeepAlive(request) && !server.isDraining(),
                request.protocolVersion().equals(HttpVersion.HTTP_1_0));
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            request.release();
            if (decoded.cause() instanceof PrematureChannelClosureException) {
                // The client went away before its headers were complete: nobody is left to answer, and the request
                // was the client's to abandon, not a malformed one.
                record(facts, null, null, null, ProxyError.CLIENT_CLOSED);
                responseDone(false);
                return;
            }
            rejectUndecodable(ctx, decoded.cause(), facts);
            return;
        }
        ApiPath path = ApiPath.of(request.uri());
        if (path.kind() == ApiPath.Kind.NOT_FOUND) {
            request.release();
            reject(ctx, facts, ProxyError.NOT_FOUND, "Not Found: " + pathOf(request.uri()), null, null, null);
            return;
        }
        HttpMethod allowed = path.kind().method();
        if (path.kind() != ApiPath.Kind.FILES && (allowed == null || !path.kind().allows(request.method()))) {
            FullHttpResponse response = Responses.error(ctx.alloc(), ProxyError.METHOD_NOT_ALLOWED,
                    "Method " + request.method() + " not allowed for " + pathOf(request.uri()), null, facts.callId);
            if (allowed != null) {
                response.headers().set(HttpHeaderNames.ALLOW, path.kind().allowHeader());
            }
            request.release();
            send(ctx, response, facts);
            record(facts, null, null, null, ProxyError.METHOD_NOT_ALLOWED);
            return;
        }
        if (!path.kind().isAuthenticated() && !metricsNeedAuth(path)) {
            dispatch(ctx, request, path, facts, Principal.ANONYMOUS);
            return;
        }
        // Checked on the head already (HeadAuthHandler), unless the head's check was skipped.
        AuthResult checked = headAuth.take(request.headers());
        AuthResult auth = checked != null ? checked : server.authenticator.authenticate(request.headers());
        CompletionStage<AuthResult> pending = auth.pending();
        if (pending != null) {
            awaitAuth(ctx, request, path, facts, pending);
            return;
        }
        authenticated(ctx, request, path, facts, auth);
    }

    private void authenticated(
            ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts, AuthResult auth) {
        Principal principal = auth.principal();
        if (principal == null) {
            request.release();
            AuthResult.Failure failure = auth.failure() != null ? auth.failure() : AuthResult.Failure.INVALID_KEY;
            reject(ctx, facts, HeadAuthHandler.refusalError(failure), HeadAuthHandler.refusalMessage(failure), null,
                    path.endpoint(), null);
            return;
        }
        dispatch(ctx, request, path, facts, principal);
    }

    /**
     * Keeps the request until the lookup completes, then continues on this event loop. Reading stays as it is: the
     * request is in flight, so later pipelined requests queue as usual.
     */
    private void awaitAuth(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts,
            CompletionStage<AuthResult> pending) {
        AwaitingAuth waiting = new AwaitingAuth(request, path, facts);
        awaitingAuth = waiting;
        waiting.timeout = ctx.executor().schedule(() -> authTimedOut(waiting), AUTH_TIMEOUT_NANOS,
                TimeUnit.NANOSECONDS);
        pending.whenComplete((result, failure) -> ctx.executor().execute(
                () -> authCompleted(waiting, result, failure)));
    }

    private void authCompleted(AwaitingAuth waiting, @Nullable AuthResult result, @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingAuth != waiting || context == null) {
            return;
        }
        awaitingAuth = null;
        ScheduledFuture<?> timeout = waiting.timeout;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (failure != null || result == null || result.isPending()) {
            log.warn("[{}] key lookup failed: {}", waiting.facts.callId,
                    failure != null ? failure.toString() : "no result");
            waiting.release();
            reject(context, waiting.facts, ProxyError.AUTH_UNAVAILABLE,
                    "Authentication is unavailable right now; try again", null, waiting.path.endpoint(), null);
            return;
        }
        authenticated(context, waiting.request, waiting.path, waiting.facts, result);
    }

    private void authTimedOut(AwaitingAuth waiting) {
        ChannelHandlerContext context = ctx;
        if (awaitingAuth != waiting || context == null) {
            return;
        }
        awaitingAuth = null;
        log.warn("[{}] key lookup took longer than {} s", waiting.facts.callId,
                TimeUnit.NANOSECONDS.toSeconds(AUTH_TIMEOUT_NANOS));
        waiting.release();
        reject(context, waiting.facts, ProxyError.AUTH_UNAVAILABLE,
                "Authentication is unavailable right now; try again", null, waiting.path.endpoint(), null);
    }

    /** Answers an authenticated request; takes {@code request}. */
    private void dispatch(
            ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts, Principal principal) {
        switch (path.kind()) {
            case LIVENESS -> builtIn(ctx, request, facts, principal, server.builtIns.alive(facts.callId));
            case READINESS -> builtIn(ctx, request, facts, principal,
                    server.builtIns.readiness(ctx.alloc(), facts.callId));
            case HEALTH -> sendHealth(ctx, request, facts, principal);
            case MODELS -> builtIn(ctx, request, facts, principal, modelList(ctx, facts, principal));
            case MODEL_INFO -> sendModel(ctx, request, path, facts, principal);
            case MODEL_CALL -> startModelCall(ctx, request, path, facts, principal, false);
            case METRICS -> sendMetrics(ctx, request, facts, principal);
            case MANAGEMENT_GET, MANAGEMENT_POST -> sendManagement(ctx, request, facts, principal);
            case FILES -> startFiles(ctx, request, facts, principal);
            case RESPONSE, RESPONSE_INPUT_ITEMS -> sendResponseResource(ctx, request, path, facts, principal);
            default -> throw new IllegalStateException("unhandled path " + path.kind());
        }
    }

    private void builtIn(ChannelHandlerContext ctx, FullHttpRequest request, RequestFacts facts, Principal principal,
            FullHttpResponse response) {
        request.release();
        send(ctx, response, facts);
        record(facts, null, null, principal, null, response.status().code());
    }

    /** The model list; a virtual key with a model list sees only the models it may call. */
    private FullHttpResponse modelList(ChannelHandlerContext ctx, RequestFacts facts, Principal principal) {
        KeyGrant key = principal.key();
        return key == null
                ? server.builtIns.modelList(facts.callId)
                : server.builtIns.modelList(ctx.alloc(), facts.callId, key::allowsModel);
    }

    private void sendModel(
            ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts, Principal principal) {
        request.release();
        String id = path.pathModel();
        KeyGrant key = principal.key();
        FullHttpResponse response = id == null || key != null && !key.allowsModel(id)
                ? null : server.builtIns.model(ctx.alloc(), id, facts.callId);
        if (response == null) {
            reject(ctx, facts, ProxyError.NOT_FOUND, "The model `" + id + "` does not exist", "model", null,
                    principal);
            return;
        }
        send(ctx, response, facts);
        record(facts, null, id, principal, null, response.status().code());
    }

    private boolean metricsNeedAuth(ApiPath path) {
        LitellmMetrics metrics = server.metrics;
        return path.kind() == ApiPath.Kind.METRICS && metrics != null && metrics.requiresAuth();
    }

    /**
     * The Prometheus scrape: written on the metrics' own thread (it takes milliseconds on a large proxy), answered
     * when it hops back here. The request stays in flight meanwhile, so pipelined requests wait behind it.
     */
    private void sendMetrics(ChannelHandlerContext ctx, FullHttpRequest request, RequestFacts facts,
            Principal principal) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        boolean gzip = LitellmMetrics.acceptsGzip(request.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
        request.release();
        LitellmMetrics metrics = server.metrics;
        if (metrics == null) {
            reject(ctx, facts, ProxyError.NOT_FOUND, "Not Found: /metrics (metrics are off: add \"prometheus\" to litellm_settings.callbacks)", null, null, principal);
            return;
        }
        ExpositionFormat format = ExpositionFormat.forAccept(accept);
        AwaitingScrape waiting = new AwaitingScrape(facts, principal, format, gzip);
        awaitingScrape = waiting;
        metrics.scrapeAsync(ctx.alloc(), format, gzip).whenComplete((body, failure) -> {
            try {
                ctx.executor().execute(() -> scraped(waiting, body, failure));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: the connection is gone with it, and so is the answer.
                if (body != null) {
                    body.release();
                }
            }
        });
    }

    /** Answers a scrape on this event loop; takes {@code body}. */
    private void scraped(AwaitingScrape waiting, @Nullable ByteBuf body, @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingScrape != waiting || context == null) {
            if (body != null) {
                body.release();
            }
            return;
        }
        awaitingScrape = null;
        if (body == null) {
            log.warn("[{}] metrics scrape failed: {}", waiting.facts.callId,
                    failure != null ? failure.toString() : "no result");
            reject(context, waiting.facts, ProxyError.METRICS_UNAVAILABLE,
                    "Metrics are unavailable right now; try again", null, null, waiting.principal);
            return;
        }
        FullHttpResponse response = Responses.full(HttpResponseStatus.OK, waiting.format.contentType(), body,
                waiting.facts.callId);
        if (waiting.gzip) {
            response.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        send(context, response, waiting.facts);
        record(waiting.facts, null, null, waiting.principal, null, HttpResponseStatus.OK.code());
    }

    /**
     * {@code GET /health}: LiteLLM's report of every deployment, from the last background round or probed now. The
     * request stays in flight until the report hops back here (probes may take up to their timeout).
     */
    private void sendHealth(ChannelHandlerContext ctx, FullHttpRequest request, RequestFacts facts,
            Principal principal) {
        @Nullable String model = new QueryStringDecoder(request.uri()).parameters().getOrDefault("model", List.of())
                .stream()
                .findFirst().orElse(null);
        request.release();
        AwaitingHealth waiting = new AwaitingHealth(facts, principal);
        awaitingHealth = waiting;
        server.health.report(model, ctx.channel().eventLoop()).whenComplete((report, failure) -> {
            try {
                ctx.executor().execute(() -> healthReported(waiting, report, failure));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down, and the connection with it.
            }
        });
    }

    private void healthReported(AwaitingHealth waiting, @Nullable HealthReport report, @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingHealth != waiting || context == null) {
            return;
        }
        awaitingHealth = null;
        if (report == null) {
            log.warn("[{}] health check failed: {}", waiting.facts.callId,
                    failure != null ? failure.toString() : "no result");
            reject(context, waiting.facts, ProxyError.HEALTH_UNAVAILABLE,
                    "Health checks are unavailable right now; try again", null, null, waiting.principal);
            return;
        }
        ByteBuf body = Unpooled.wrappedBuffer(report.toJson());
        send(context, Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body,
                waiting.facts.callId), waiting.facts);
        record(waiting.facts, null, null, waiting.principal, null, HttpResponseStatus.OK.code());
    }

    /**
     * Starts the call for a model request.
     *
     * @param continued whether a kept earlier turn was looked up for it already ({@code previous_response_id} of a
     *     bridged response): the request then carries the earlier turns in its input
     */
    private void startModelCall(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts,
            Principal principal, boolean continued) {
        Endpoint endpoint = path.endpoint();
        if (endpoint == null) {
            request.release();
            throw new IllegalStateException("a model call path has an endpoint");
        }
        RequestInfo info = RequestScanner.scan(request.content());
        String error = info.error();
        if (error != null) {
            request.release();
            reject(ctx, facts, ProxyError.INVALID_JSON, error, null, endpoint, principal);
            return;
        }
        String model = info.model() != null ? info.model() : path.pathModel();
        if (model == null || model.isEmpty()) {
            request.release();
            reject(ctx, facts, ProxyError.MISSING_FIELD, "Missing required field: model", "model", endpoint,
                    principal);
            return;
        }
        KeyGrant key = principal.key();
        KeyRefusal modelRefusal = key == null ? null : key.checkModel(model);
        if (modelRefusal != null) {
            request.release();
            rejectKey(ctx, facts, modelRefusal, endpoint, model, principal);
            return;
        }
        if (!hasField(info, endpoint)) {
            request.release();
            String required = requiredField(endpoint);
            rejectModel(ctx, facts, ProxyError.MISSING_FIELD, "Missing required field: " + required, required,
                    endpoint, model, principal);
            return;
        }
        ModelRoute route = server.routes.resolve(model);
        if (route == null) {
            // LiteLLM sends a model it does not know to the first default fallback group, when there is one.
            route = server.calls.retryRules().defaultRoute();
        }
        if (route == null) {
            request.release();
            rejectModel(ctx, facts, ProxyError.UNKNOWN_MODEL, "Invalid model name passed in model=" + model
                    + ". Call `/v1/models` to view available models for your key.", "model", endpoint, model,
                    principal);
            return;
        }
        String modeRefusal = EndpointModes.refusal(route, endpoint, model);
        if (modeRefusal != null) {
            request.release();
            rejectModel(ctx, facts, ProxyError.BAD_REQUEST, modeRefusal, "model", endpoint, model, principal);
            return;
        }
        BridgedResponses kept = server.bridgedResponses;
        if (endpoint == Endpoint.RESPONSES && kept != null && !continued) {
            String previous = ResponsesContinuation.keptPreviousId(request.content());
            if (previous != null) {
                awaitEarlierTurn(ctx, request, path, facts, principal, kept, previous,
                        ResponsesContinuation.bridges(route));
                return;
            }
        }
        CallOptions options;
        ByteBuf body;
        try {
            options = CallOptions.fromHeaders(request.headers().get(CallOptions.NUM_RETRIES_HEADER),
                    request.headers().get(CallOptions.TIMEOUT_HEADER));
            if (info.hasRouterParams()) {
                // LiteLLM's router parameters steer the gateway and are never sent to the provider.
                RouterParams.Extracted extracted = RouterParams.extract(ctx.alloc(), request.content());
                options = options.withBody(extracted.params());
                body = extracted.body();
                info = RequestScanner.scan(body);
            } else {
                body = request.content().retain();
            }
        } catch (IllegalArgumentException e) {
            request.release();
            String message = e.getMessage();
            rejectModel(ctx, facts, ProxyError.BAD_REQUEST, message != null ? message : "Invalid request",
                    null, endpoint, model, principal);
            return;
        }
        if (endpoint == Endpoint.RESPONSES) {
            ResponsesContinuation continuation =
                    ResponsesContinuation.of(server.routes, route.modelGroup(), body, ctx.alloc());
            if (continuation != null) {
                body.release();
                body = continuation.body();
                info = RequestScanner.scan(body);
                route = continuation.route();
            }
        }
        String traceparent = request.headers().get(TRACEPARENT);
        String anthropicBeta = request.headers().get(ANTHROPIC_BETA);
        String endUser = info.user() != null ? info.user() : request.headers().get(END_USER_HEADER);
        if (endUser != null && !endUser.isEmpty()) {
            KeyRefusal refusal = server.endUsers.check(endUser);
            if (refusal != null) {
                body.release();
                request.release();
                rejectKey(ctx, facts, refusal, endpoint, model, principal);
                return;
            }
            principal = principal.forEndUser(endUser);
        }
        if (key != null) {
            KeyRefusal refusal = key.admit(model, server.clock.millis());
            if (refusal != null) {
                body.release();
                request.release();
                rejectKey(ctx, facts, refusal, endpoint, model, principal);
                return;
            }
            // From here the call holds the key's admission; the spend listener gives it back with the call's record.
            principal = principal.admittedCall();
        }
        request.release();
        String keptInput = endpoint == Endpoint.RESPONSES && kept != null && ResponsesContinuation.bridges(route)
                ? StoredTurns.inputToStore(body) : null;
        pendingTurn = keptInput == null ? null
                : new PendingTurn(route.modelGroup(), BridgedResponses.Owner.of(principal), keptInput);
        CallRequest callRequest = new CallRequest(facts.callId, endpoint, model, route, info, principal,
                facts.startNanos, facts.keepAlive, facts.http10, traceparent, options, anthropicBeta);
        server.activeCalls.incrementAndGet();
        ModelCall call = new ModelCall(ctx, this, server.calls, callRequest, body);
        current = call;
        call.start();
    }

    /** A files or batches request, relayed to the deployment that holds the file or batch. */
    private void startFiles(ChannelHandlerContext ctx, FullHttpRequest request, RequestFacts facts,
            Principal principal) {
        server.activeCalls.incrementAndGet();
        FilesCall call = server.files.start(ctx, this, request, ApiPath.originForm(request.uri()), principal,
                facts.callId, facts.startNanos, facts.keepAlive, facts.http10);
        if (!call.isDone()) {
            currentFiles = call;
        }
    }

    /**
     * Answers a virtual key's or an end user's refusal: 401 for the model or a blocked team, 400 for a blocked end
     * user, 429 for the budget and the limits (with retry-after).
     */
    private void rejectKey(ChannelHandlerContext ctx, RequestFacts facts, KeyRefusal refusal, Endpoint endpoint,
            String model, Principal principal) {
        ProxyError error = keyRefusalError(refusal);
        send(ctx, keyRefusalResponse(ctx, refusal, endpoint, facts.callId), facts);
        record(facts, endpoint, model, principal, error);
    }

    private static ProxyError keyRefusalError(KeyRefusal refusal) {
        return switch (refusal.reason()) {
            case MODEL_NOT_ALLOWED -> ProxyError.KEY_MODEL_DENIED;
            case TEAM_MODEL_NOT_ALLOWED -> ProxyError.TEAM_MODEL_DENIED;
            case TEAM_BLOCKED -> ProxyError.TEAM_BLOCKED;
            case BUDGET_EXCEEDED -> ProxyError.BUDGET_EXCEEDED;
            case RATE_LIMITED -> ProxyError.KEY_RATE_LIMITED;
            case END_USER_BLOCKED -> ProxyError.END_USER_BLOCKED;
        };
    }

    /** A virtual key's refusal as the client gets it (see {@link #rejectKey}). */
    private static FullHttpResponse keyRefusalResponse(ChannelHandlerContext ctx, KeyRefusal refusal,
            Endpoint endpoint, String callId) {
        FullHttpResponse response = Responses.error(ctx.alloc(), keyRefusalError(refusal), refusal.message(),
                refusal.reason() == KeyRefusal.Reason.MODEL_NOT_ALLOWED
                        || refusal.reason() == KeyRefusal.Reason.TEAM_MODEL_NOT_ALLOWED ? "model" : null,
                callId, endpoint);
        if (refusal.reason() == KeyRefusal.Reason.RATE_LIMITED) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER,
                    Long.toString(Math.max(1, (refusal.retryAfterMillis() + 999) / 1000)));
        }
        return response;
    }

    /**
     * A management route: answered on a store thread, written when the answer hops back here. The request stays in
     * flight meanwhile, so pipelined requests wait behind it.
     */
    private void sendManagement(ChannelHandlerContext ctx, FullHttpRequest request, RequestFacts facts,
            Principal principal) {
        ManagementApi management = server.management;
        if (management == null) {
            request.release();
            reject(ctx, facts, ProxyError.BAD_REQUEST, "Key management is off: it needs a master key "
                    + "(general_settings.master_key or LITELLM_MASTER_KEY) and the store", null, null, principal);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        String method = request.method().name();
        String uri = ApiPath.originForm(request.uri());
        request.release();
        AwaitingManagement waiting = new AwaitingManagement(facts, principal);
        awaitingManagement = waiting;
        management.handle(method, uri, body, principal).whenComplete((answer, failure) -> {
            try {
                ctx.executor().execute(() -> managed(waiting, answer, failure));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: the connection is gone with it, and so is the answer.
                log.debug("[{}] management answer dropped: the event loop is stopping", facts.callId);
            }
        });
    }

    private void managed(AwaitingManagement waiting, @Nullable ManagementResponse answer, @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingManagement != waiting || context == null) {
            return;
        }
        awaitingManagement = null;
        if (answer == null) {
            log.warn("[{}] management request failed: {}", waiting.facts.callId,
                    failure != null ? failure.toString() : "no result");
            reject(context, waiting.facts, ProxyError.STORE_UNAVAILABLE,
                    "The key store is unavailable right now; try again", null, null, waiting.principal);
            return;
        }
        ByteBuf body = context.alloc().buffer(answer.json().length).writeBytes(answer.json());
        FullHttpResponse response = Responses.full(HttpResponseStatus.valueOf(answer.status()),
                HttpHeaderValues.APPLICATION_JSON, body, waiting.facts.callId);
        send(context, response, waiting.facts);
        record(waiting.facts, null, null, waiting.principal, null, answer.status());
    }

    /**
     * {@code GET}/{@code DELETE /v1/responses/{id}} and {@code GET /v1/responses/{id}/input_items}: relayed to the
     * OpenAI or Azure deployment the managed id names. The request stays in flight until the answer comes back.
     */
    private void sendResponseResource(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path,
            RequestFacts facts, Principal principal) {
        String id = String.valueOf(path.pathModel());
        ResponseResourceRelay.Action action = path.kind() == ApiPath.Kind.RESPONSE_INPUT_ITEMS
                ? ResponseResourceRelay.Action.INPUT_ITEMS
                : request.method().equals(HttpMethod.DELETE) ? ResponseResourceRelay.Action.DELETE
                : ResponseResourceRelay.Action.RETRIEVE;
        String uri = request.uri();
        int queryStart = uri.indexOf('?');
        String query = queryStart < 0 ? "" : uri.substring(queryStart + 1);
        request.release();
        ManagedResponseIds.Decoded decoded = ManagedResponseIds.decode(id);
        BridgedResponses kept = server.bridgedResponses;
        if (decoded == null && kept != null) {
            AwaitingKept waiting = new AwaitingKept(facts, principal, id, action, query, kept);
            awaitingKept = waiting;
            hopBack(ctx, kept.find(id), (turn, failure) -> keptFound(waiting, turn, failure));
            return;
        }
        ModelRoute route = decoded == null ? null : server.routes.resolve(decoded.deploymentId());
        Deployment deployment = route == null ? null : route.targets().get(0).deployment();
        if (decoded == null || deployment == null || !deployment.id().equals(decoded.deploymentId())
                || deployment.isMock() || deployment.adapter() instanceof ResponsesBridgeAdapter) {
            reject(ctx, facts, ProxyError.NOT_FOUND, "Response with id '" + id + "' not found. llmproxy finds a "
                    + "response by the id it returned for it, which names the deployment that holds it", null,
                    Endpoint.RESPONSES, principal);
            return;
        }
        KeyGrant key = principal.key();
        KeyRefusal refusal = key == null ? null : key.checkModel(deployment.modelGroup());
        if (refusal != null) {
            rejectKey(ctx, facts, refusal, Endpoint.RESPONSES, deployment.modelGroup(), principal);
            return;
        }
        AwaitingRelay waiting = new AwaitingRelay(facts, principal, deployment.modelGroup());
        awaitingRelay = waiting;
        waiting.relay = ResponseResourceRelay.start(ctx, server.calls.upstream(), deployment, action, decoded, id,
                query, facts.callId, (response, error) -> relayed(waiting, response, error));
    }

    /**
     * Holds a request continuing a bridged response until the earlier turn is read from the store, then starts it
     * again with that turn's items in front of its input.
     */
    private void awaitEarlierTurn(ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path,
            RequestFacts facts, Principal principal, BridgedResponses kept, String previous, boolean bridged) {
        AwaitingTurn waiting = new AwaitingTurn(request, path, facts, principal, previous, bridged);
        awaitingTurn = waiting;
        hopBack(ctx, kept.find(previous), (turn, failure) -> earlierTurn(waiting, turn, failure));
    }

    private void earlierTurn(AwaitingTurn waiting, @Nullable Optional<BridgedResponses.Turn> found,
            @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingTurn != waiting || context == null) {
            return;
        }
        awaitingTurn = null;
        FullHttpRequest request = waiting.request;
        if (failure != null) {
            log.warn("[{}] reading the earlier response failed: {}", waiting.facts.callId, failure.toString());
            request.release();
            reject(context, waiting.facts, ProxyError.STORE_UNAVAILABLE, "The response store is unavailable right "
                    + "now; try again", null, Endpoint.RESPONSES, waiting.principal);
            return;
        }
        BridgedResponses.Turn turn = found == null ? null : found.orElse(null);
        if (turn == null) {
            if (waiting.bridged) {
                request.release();
                reject(context, waiting.facts, ProxyError.BAD_REQUEST, "Previous response with id '"
                        + waiting.previous + "' not found.", "previous_response_id", Endpoint.RESPONSES,
                        waiting.principal);
                return;
            }
            // Not one of the proxy's: the provider may know it.
            startModelCall(context, request, waiting.path, waiting.facts, waiting.principal, true);
            return;
        }
        String denied = turn.owner().refusal(waiting.principal);
        if (denied != null) {
            request.release();
            reject(context, waiting.facts, ProxyError.RESPONSE_NOT_OWNED, denied, "previous_response_id",
                    Endpoint.RESPONSES, waiting.principal);
            return;
        }
        ByteBuf body;
        try {
            body = StoredTurns.continuing(context.alloc(), request.content(), turn.inputItems(), turn.response());
        } catch (InvalidRequestException | IllegalArgumentException e) {
            request.release();
            reject(context, waiting.facts, ProxyError.BAD_REQUEST, String.valueOf(e.getMessage()), "input",
                    Endpoint.RESPONSES, waiting.principal);
            return;
        }
        FullHttpRequest continued = request.replace(body);
        request.release();
        startModelCall(context, continued, waiting.path, waiting.facts, waiting.principal, true);
    }

    /** Answers {@code GET}/{@code DELETE /v1/responses/{id}} or its input items from a kept turn. */
    private void keptFound(AwaitingKept waiting, @Nullable Optional<BridgedResponses.Turn> found,
            @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingKept != waiting || context == null) {
            return;
        }
        awaitingKept = null;
        if (failure != null) {
            log.warn("[{}] reading a kept response failed: {}", waiting.facts().callId, failure.toString());
            reject(context, waiting.facts(), ProxyError.STORE_UNAVAILABLE, "The response store is unavailable right "
                    + "now; try again", null, Endpoint.RESPONSES, waiting.principal());
            return;
        }
        BridgedResponses.Turn turn = found == null ? null : found.orElse(null);
        KeyGrant key = waiting.principal().key();
        if (turn == null || key != null && key.checkModel(turn.modelGroup()) != null) {
            reject(context, waiting.facts(), ProxyError.NOT_FOUND, "Response with id '" + waiting.id()
                    + "' not found.", null, Endpoint.RESPONSES, waiting.principal());
            return;
        }
        String denied = turn.owner().refusal(waiting.principal());
        if (denied != null) {
            reject(context, waiting.facts(), ProxyError.RESPONSE_NOT_OWNED, denied, null, Endpoint.RESPONSES,
                    waiting.principal());
            return;
        }
        switch (waiting.action()) {
            case RETRIEVE -> sendKept(context, waiting, turn.response());
            case INPUT_ITEMS -> {
                QueryStringDecoder query = new QueryStringDecoder(waiting.query(), false);
                int limit;
                try {
                    limit = intParam(query, "limit", 20);
                } catch (NumberFormatException e) {
                    reject(context, waiting.facts(), ProxyError.BAD_REQUEST, "limit must be a number", "limit",
                            Endpoint.RESPONSES, waiting.principal());
                    return;
                }
                sendKept(context, waiting, StoredTurns.inputItemsPage(turn.inputItems(), limit,
                        "asc".equals(param(query, "order")), param(query, "after")));
            }
            case DELETE -> {
                awaitingKept = waiting;
                hopBack(context, waiting.kept().delete(waiting.id()), (deleted, error) -> keptDeleted(waiting, error));
            }
        }
    }

    private void keptDeleted(AwaitingKept waiting, @Nullable Throwable failure) {
        ChannelHandlerContext context = ctx;
        if (awaitingKept != waiting || context == null) {
            return;
        }
        awaitingKept = null;
        if (failure != null) {
            log.warn("[{}] deleting a kept response failed: {}", waiting.facts().callId, failure.toString());
            reject(context, waiting.facts(), ProxyError.STORE_UNAVAILABLE, "The response store is unavailable right "
                    + "now; try again", null, Endpoint.RESPONSES, waiting.principal());
            return;
        }
        sendKept(context, waiting, "{\"id\":" + new String(JsonStrings.quote(waiting.id()), StandardCharsets.UTF_8)
                + ",\"object\":\"response\",\"deleted\":true}");
    }

    private void sendKept(ChannelHandlerContext context, AwaitingKept waiting, String json) {
        FullHttpResponse response = Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                ByteBufUtil.writeUtf8(context.alloc(), json), waiting.facts().callId);
        send(context, response, waiting.facts());
        record(waiting.facts(), Endpoint.RESPONSES, null, waiting.principal(), null, HttpResponseStatus.OK.code());
    }

    private static @Nullable String param(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static int intParam(QueryStringDecoder query, String name, int fallback) {
        String value = param(query, name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    /** Runs {@code then} on this connection's event loop once {@code stage} completes. */
    private static <T> void hopBack(ChannelHandlerContext ctx, CompletionStage<T> stage,
            BiConsumer<@Nullable T, @Nullable Throwable> then) {
        stage.whenComplete((value, failure) -> {
            try {
                ctx.executor().execute(() -> then.accept(value, failure));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: the connection is gone with it, and so is the answer.
                log.debug("answer from the response store dropped: the event loop is stopping");
            }
        });
    }

    private void relayed(AwaitingRelay waiting, FullHttpResponse response, @Nullable ProxyError error) {
        ChannelHandlerContext context = ctx;
        if (awaitingRelay != waiting || context == null) {
            response.release();
            return;
        }
        awaitingRelay = null;
        send(context, response, waiting.facts);
        record(waiting.facts, Endpoint.RESPONSES, waiting.model, waiting.principal, error,
                response.status().code());
    }

    private static String requiredField(Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES, MESSAGES_COUNT_TOKENS -> "messages";
            case COMPLETIONS -> "prompt";
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS, IMAGES_EDITS, IMAGES_VARIATIONS -> "file";
            case EMBEDDINGS, RESPONSES, AUDIO_SPEECH, MODERATIONS -> "input";
            case IMAGE_GENERATIONS -> "prompt";
            case RERANK -> "query";
            case CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH -> "";
        };
    }

    private static boolean hasField(RequestInfo info, Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES, MESSAGES_COUNT_TOKENS -> info.hasMessages();
            case COMPLETIONS -> info.hasPrompt();
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS, IMAGES_EDITS, IMAGES_VARIATIONS -> true;
            case EMBEDDINGS, RESPONSES, AUDIO_SPEECH, MODERATIONS -> info.hasInput();
            case IMAGE_GENERATIONS -> info.hasPrompt();
            // The request scan does not look for query and documents; the provider names what is missing.
            case RERANK,
                    CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH -> true;
        };
    }

    /**
     * An upload's head ({@link ApiPath#streamsBody}): its body is not collected but streamed to the provider as it
     * arrives. The key is checked and the parts read until the {@code model} field is found (the bytes before it are
     * held, up to {@code max_request_size_mb}); then the call starts with the body, which it owns from then on.
     */
    private void handleUpload(ChannelHandlerContext ctx, HttpRequest head) {
        inFlight = true;
        headAuth.clientBusy(true);
        RequestFacts facts = new RequestFacts(CallIds.next(), server.ticker.getAsLong(),
                HttpUtil.isKeepAlive(head) && !server.isDraining(), head.protocolVersion().equals(HttpVersion.HTTP_1_0));
        ApiPath path = ApiPath.of(head.uri());
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String boundary = MultipartModelRewriter.boundary(contentType);
        // A path that names the model (Azure's form) needs no model field: the body then goes as it is.
        boolean modelInPath = path.pathModel() != null;
        StreamedBody body = new StreamedBody(ctx, contentType == null ? "" : contentType,
                modelInPath ? null : boundary, HttpUtil.getContentLength(head, -1L), server.settings.maxRequestBytes(),
                server.requestBudget);
        Upload reading = new Upload(head, path, facts, body,
                boundary == null || modelInPath ? null : MultipartModelRewriter.scanner(boundary));
        upload = reading;
        if (boundary == null) {
            refuseUpload(reading, ProxyError.BAD_REQUEST, "Invalid Content-Type: expected multipart/form-data with "
                    + "a boundary", null, null);
            return;
        }
        AuthResult checked = headAuth.take(head.headers());
        AuthResult auth = checked != null ? checked : server.authenticator.authenticate(head.headers());
        CompletionStage<AuthResult> pending = auth.pending();
        if (pending == null) {
            uploadAuthenticated(reading, auth, null);
            return;
        }
        ScheduledFuture<?> timeout = ctx.executor().schedule(
                () -> uploadAuthenticated(reading, null, null), AUTH_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        pending.whenComplete((result, failure) -> ctx.executor().execute(() -> {
            timeout.cancel(false);
            uploadAuthenticated(reading, result, failure);
        }));
    }

    private void uploadAuthenticated(Upload reading, @Nullable AuthResult result, @Nullable Throwable failure) {
        if (upload != reading || reading.ended || reading.principal != null) {
            return;
        }
        if (failure != null || result == null || result.isPending()) {
            log.warn("[{}] key lookup failed: {}", reading.facts.callId,
                    failure != null ? failure.toString() : "no result in time");
            refuseUpload(reading, ProxyError.AUTH_UNAVAILABLE, "Authentication is unavailable right now; try again",
                    null, null);
            return;
        }
        Principal principal = result.principal();
        if (principal == null) {
            AuthResult.Failure refused = result.failure() != null ? result.failure() : AuthResult.Failure.INVALID_KEY;
            refuseUpload(reading, HeadAuthHandler.refusalError(refused), HeadAuthHandler.refusalMessage(refused),
                    null, null);
            return;
        }
        reading.principal = principal;
        startUploadWhenReady(reading);
    }

    /** A part of the upload being read; taken. */
    private void uploadPart(HttpContent part) {
        Upload reading = upload;
        if (reading == null) {
            part.release();
            return;
        }
        boolean failed = part.decoderResult().isFailure();
        boolean last = !failed && part instanceof LastHttpContent;
        MultipartModelRewriter scanner = reading.scanner;
        if (!reading.started && !reading.ended && !failed && scanner != null) {
            scanner.scan(part.content());
            if (last) {
                scanner.finish();
            }
        }
        reading.received = last;
        reading.body.add(part);
        if (reading.ended && last) {
            upload = null;
        }
        startUploadWhenReady(reading);
    }

    /** Starts the upload's call once its key is checked and its model known; refuses a body that cannot be read. */
    private void startUploadWhenReady(Upload reading) {
        if (reading.started || reading.ended) {
            return;
        }
        ProxyError bodyFailure = reading.body.failure();
        if (bodyFailure != null) {
            String message = reading.body.failureMessage();
            refuseUpload(reading, bodyFailure, message != null ? message : "Invalid request body", null, null);
            return;
        }
        String model = reading.path.pathModel();
        MultipartModelRewriter scanner = reading.scanner;
        if (scanner != null) {
            String error = scanner.error();
            if (error != null) {
                refuseUpload(reading, ProxyError.BAD_REQUEST, error, null, null);
                return;
            }
            if (scanner.isModelMissing() || reading.received && !scanner.hasModel()) {
                refuseUpload(reading, ProxyError.MISSING_FIELD, "Missing required field: model", "model", null);
                return;
            }
            if (!scanner.hasModel()) {
                if (reading.body.receivedBytes() > server.settings.maxRequestBytes()) {
                    refuseUpload(reading, ProxyError.BODY_TOO_LARGE, "The model field must come within the first "
                            + server.settings.maxRequestBytes() + " bytes of an upload, before the file "
                            + "(general_settings.max_request_size_mb)", "model", null);
                }
                return;
            }
            if (!scanner.fieldsRead() && !reading.received
                    && reading.body.receivedBytes() <= server.settings.maxRequestBytes()) {
                return;
            }
            model = scanner.model();
        }
        Principal principal = reading.principal;
        if (principal == null) {
            return;
        }
        if (model == null || model.isEmpty()) {
            refuseUpload(reading, ProxyError.MISSING_FIELD, "Missing required field: model", "model", null);
            return;
        }
        startUploadCall(reading, principal, model);
    }

    private void startUploadCall(Upload reading, Principal principal, String model) {
        ChannelHandlerContext context = ctx;
        Endpoint endpoint = reading.path.endpoint();
        if (context == null || endpoint == null) {
            throw new IllegalStateException("an upload without a connection or an endpoint");
        }
        KeyGrant key = principal.key();
        KeyRefusal modelRefusal = key == null ? null : key.checkModel(model);
        if (modelRefusal != null) {
            answerUpload(reading, keyRefusalResponse(context, modelRefusal, endpoint, reading.facts.callId),
                    keyRefusalError(modelRefusal), model);
            return;
        }
        ModelRoute route = server.routes.resolve(model);
        if (route == null) {
            route = server.calls.retryRules().defaultRoute();
        }
        if (route == null) {
            refuseUpload(reading, ProxyError.UNKNOWN_MODEL, "Invalid model name passed in model=" + model
                    + ". Call `/v1/models` to view available models for your key.", "model", model);
            return;
        }
        String modeRefusal = EndpointModes.refusal(route, endpoint, model);
        if (modeRefusal != null) {
            refuseUpload(reading, ProxyError.BAD_REQUEST, modeRefusal, "model", model);
            return;
        }
        HttpHeaders headers = reading.head.headers();
        CallOptions options;
        try {
            options = CallOptions.fromHeaders(headers.get(CallOptions.NUM_RETRIES_HEADER),
                    headers.get(CallOptions.TIMEOUT_HEADER));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            refuseUpload(reading, ProxyError.BAD_REQUEST, message != null ? message : "Invalid request", null, model);
            return;
        }
        if (key != null) {
            KeyRefusal refusal = key.admit(model, server.clock.millis());
            if (refusal != null) {
                answerUpload(reading, keyRefusalResponse(context, refusal, endpoint, reading.facts.callId),
                        keyRefusalError(refusal), model);
                return;
            }
            principal = principal.admittedCall();
        }
        reading.started = true;
        RequestFacts facts = reading.facts;
        MultipartModelRewriter scanner = reading.scanner;
        boolean stream = scanner != null && "true".equalsIgnoreCase(scanner.stream());
        CallRequest callRequest = new CallRequest(facts.callId, endpoint, model, route, uploadInfo(model, stream),
                principal,
                facts.startNanos, facts.keepAlive, facts.http10, headers.get(TRACEPARENT), options, null);
        server.activeCalls.incrementAndGet();
        ModelCall call = new ModelCall(context, this, server.calls, callRequest, reading.body);
        current = call;
        call.start();
    }

    /** What the call needs to know of an upload's fields: its model, and whether it asks for a stream. */
    private static RequestInfo uploadInfo(String model, boolean stream) {
        return new RequestInfo(null, model, -1, -1, stream, false, false, false, false, false, false, false, -1, null);
    }

    private void refuseUpload(Upload reading, ProxyError error, String message, @Nullable String param,
            @Nullable String model) {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            return;
        }
        answerUpload(reading, Responses.error(context.alloc(), error, message, param, reading.facts.callId,
                reading.path.endpoint()), error, model);
    }

    /**
     * Answers an upload before its call started: at once, whether or not its body has arrived. The body is dropped;
     * when part of it is still to come, the connection closes lingering (the rest is read and dropped).
     */
    private void answerUpload(Upload reading, FullHttpResponse response, ProxyError error, @Nullable String model) {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            response.release();
            return;
        }
        reading.ended = true;
        reading.body.release();
        record(reading.facts, reading.path.endpoint(), model, reading.principal, error);
        if (reading.received) {
            upload = null;
            send(context, response, reading.facts);
            return;
        }
        upload = null;
        long declared = reading.body.declaredLength();
        LingeringCloseHandler.answerAndClose(context, response, server.ticker,
                declared < 0 ? -1L : declared - reading.body.receivedBytes());
        responseDone(false);
    }

    private void rejectUndecodable(ChannelHandlerContext ctx, Throwable cause, RequestFacts facts) {
        ProxyError error;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            error = ProxyError.URI_TOO_LONG;
            message = "Request line is longer than " + ServerSettings.MAX_INITIAL_LINE_BYTES + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = ProxyError.HEADERS_TOO_LARGE;
            message = "Request headers are larger than " + server.settings.maxHeaderBytes() + " bytes";
        } else if (cause instanceof TooLongFrameException) {
            error = ProxyError.BODY_TOO_LARGE;
            message = "Request body is larger than " + server.settings.maxRequestBytes() + " bytes";
        } else {
            error = ProxyError.BAD_REQUEST;
            message = "Malformed HTTP request";
        }
        // The decoder has lost its place in the byte stream, so the connection cannot carry another request. The
        // client may still be sending the rest of it: a lingering close lets it read the answer instead of a reset.
        LingeringCloseHandler.answerAndClose(ctx, Responses.error(ctx.alloc(), error, message, null, facts.callId),
                server.ticker, -1L);
        record(facts, null, null, null, error);
        responseDone(false);
    }

    private void reject(ChannelHandlerContext ctx, RequestFacts facts, ProxyError error, String message,
            @Nullable String param, @Nullable Endpoint endpoint, @Nullable Principal principal) {
        rejectModel(ctx, facts, error, message, param, endpoint, null, principal);
    }

    private void rejectModel(ChannelHandlerContext ctx, RequestFacts facts, ProxyError error, String message,
            @Nullable String param, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal) {
        send(ctx, Responses.error(ctx.alloc(), error, message, param, facts.callId, endpoint), facts);
        record(facts, endpoint, model, principal, error);
    }

    private void record(RequestFacts facts, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal, ProxyError error) {
        record(facts, endpoint, model, principal, error, error.status().code());
    }

    private void record(RequestFacts facts, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal, @Nullable ProxyError error, int status) {
        long now = server.ticker.getAsLong();
        server.listener.onCallEnded(new CallRecord(facts.callId, endpoint, model, null, null, principal, status,
                error, false, null, facts.startNanos, 0, now, 0, List.of()));
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, RequestFacts facts) {
        Responses.setConnection(response, facts.keepAlive, facts.http10);
        Responses.writeLast(ctx, response, facts.keepAlive);
        responseDone(facts.keepAlive);
    }

    private void responseDone(boolean keepAlive) {
        inFlight = false;
        headAuth.clientBusy(false);
        releaseBody();
        ChannelHandlerContext context = ctx;
        if (context == null || !keepAlive) {
            releasePipelined();
            return;
        }
        ArrayDeque<HttpObject> queue = pipelined;
        HttpObject next = queue == null ? null : queue.poll();
        if (next instanceof FullHttpRequest nextRequest) {
            // Not handled inline: a burst of pipelined requests answered synchronously would recurse once each.
            context.executor().execute(() -> handle(context, nextRequest));
            return;
        }
        if (next instanceof HttpRequest nextUpload && queue != null) {
            context.executor().execute(() -> {
                handleUpload(context, nextUpload);
                while (queue.peek() instanceof HttpContent part && !(part instanceof FullHttpRequest)) {
                    queue.poll();
                    uploadPart(part);
                }
            });
            return;
        }
        if (next != null) {
            ReferenceCountUtil.release(next);
        }
        if (!context.channel().config().isAutoRead()) {
            context.channel().config().setAutoRead(true);
        }
        if (server.isDraining()) {
            context.close();
        }
    }

    private void releasePipelined() {
        ArrayDeque<HttpObject> queue = pipelined;
        if (queue == null) {
            return;
        }
        HttpObject queued;
        while ((queued = queue.poll()) != null) {
            if (queued instanceof FullHttpRequest request) {
                server.requestBudget.release(request.content().readableBytes());
            }
            ReferenceCountUtil.release(queued);
        }
    }

    /** Gives the answered request's body bytes back to the server's budget (the body itself is freed by its owner). */
    private void releaseBody() {
        server.requestBudget.release(heldBodyBytes);
        heldBodyBytes = 0;
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** The facts of a request settled when it arrives. */
    private record RequestFacts(String callId, long startNanos, boolean keepAlive, boolean http10) {}

    /** The input of a Responses call to keep with its bridged answer. */
    private record PendingTurn(String modelGroup, BridgedResponses.Owner owner, String inputItems) {}

    /** A kept response being read or deleted on a store thread. */
    private record AwaitingKept(RequestFacts facts, Principal principal, String id,
            ResponseResourceRelay.Action action, String query, BridgedResponses kept) {}

    /** A request kept while the earlier turn it continues is read; the request is owned until released. */
    private record AwaitingTurn(FullHttpRequest request, ApiPath path, RequestFacts facts, Principal principal,
            String previous, boolean bridged) {}

    /** A stored response being fetched from its deployment. */
    private static final class AwaitingRelay {
        final RequestFacts facts;
        final Principal principal;
        final String model;
        @Nullable ResponseResourceRelay relay;

        AwaitingRelay(RequestFacts facts, Principal principal, String model) {
            this.facts = facts;
            this.principal = principal;
            this.model = model;
        }
    }

    /** A management request under way on a store thread. */
    private record AwaitingManagement(RequestFacts facts, Principal principal) {}

    /** A scrape under way on the metrics' thread. */
    private record AwaitingScrape(RequestFacts facts, Principal principal, ExpositionFormat format, boolean gzip) {}

    /** A health report under way on the health checker's event loop. */
    private record AwaitingHealth(RequestFacts facts, Principal principal) {}

    /**
     * An upload being read: its head, what the scan of its body found so far, and the body, owned here until the
     * call starts (then by the call) or the upload is answered.
     */
    private static final class Upload {
        final HttpRequest head;
        final ApiPath path;
        final RequestFacts facts;
        final StreamedBody body;
        /** Finds the model field; null when the path names the model or the body is not multipart. */
        final @Nullable MultipartModelRewriter scanner;
        /** Who calls; null while the key is being checked. */
        @Nullable Principal principal;
        /** Whether the body's last part arrived. */
        boolean received;
        /** Whether the call started (it owns the body). */
        boolean started;
        /** Whether the upload was answered before its call started. */
        boolean ended;

        Upload(HttpRequest head, ApiPath path, RequestFacts facts, StreamedBody body,
                @Nullable MultipartModelRewriter scanner) {
            this.head = head;
            this.path = path;
            this.facts = facts;
            this.body = body;
            this.scanner = scanner;
        }
    }

    /** A request kept while its key is looked up; the request is owned until {@link #release()} or dispatch. */
    private static final class AwaitingAuth {
        final FullHttpRequest request;
        final ApiPath path;
        final RequestFacts facts;
        @Nullable ScheduledFuture<?> timeout;

        AwaitingAuth(FullHttpRequest request, ApiPath path, RequestFacts facts) {
            this.request = request;
            this.path = path;
            this.facts = facts;
        }

        void release() {
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
            request.release();
        }
    }
}
