package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.codec.json.RouterParams;
import dev.llmproxy.codec.multipart.MultipartPartFilter;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * <p>Three kinds of request take steps of their own, kept beside this handler: uploads and pass-through requests,
 * whose bodies stream in ({@link StreamedUploads}, {@link PassThroughRequests}), and the Responses API's stored
 * responses ({@link StoredResponses}). They answer through this handler ({@link RequestAnswers}), so that requests
 * still end here one at a time.
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements CallOwner, RequestAnswers {
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
    /** The uploads' steps: an upload being read until its call starts or it is answered. */
    private final StreamedUploads uploads;
    /** The pass-through requests' steps: a request being forwarded, its body streamed as it arrives. */
    private final PassThroughRequests passThroughs;
    /** The stored responses' steps: a relay, a kept turn being read, the input of a bridged call to keep. */
    private final StoredResponses storedResponses;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ModelCall current;
    /** A files or batches request being relayed. */
    private @Nullable FilesCall currentFiles;
    /** Requests waiting for the one in flight: whole requests, or an upload's head followed by its parts. */
    private @Nullable ArrayDeque<HttpObject> pipelined;
    /** A request waiting for its key lookup; owned here until it is dispatched or released. */
    private @Nullable AwaitingAuth awaitingAuth;
    /** A scrape being written on the metrics' thread; its answer is dropped if the client goes first. */
    private @Nullable AwaitingScrape awaitingScrape;
    /** A management request being answered on a store thread; its answer is dropped if the client goes first. */
    private @Nullable AwaitingManagement awaitingManagement;
    /** A {@code /health} report being made; its answer is dropped if the client goes first. */
    private @Nullable AwaitingHealth awaitingHealth;
    private boolean inFlight;
    /** Body bytes of the request being answered, reserved in the server's budget by the aggregator. */
    private long heldBodyBytes;

    ClientHandler(ServerContext server, HeadAuthResults headAuth) {
        this.server = server;
        this.headAuth = headAuth;
        this.uploads = new StreamedUploads(server, headAuth, this);
        this.passThroughs = new PassThroughRequests(server, headAuth, this, this);
        this.storedResponses = new StoredResponses(server, this,
                (context, request, path, facts, principal) ->
                        startModelCall(context, request, path, facts, principal, true));
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
                streamedPart(part);
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
            startStreamed(ctx, request);
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
        if (ctx.channel().isWritable()) {
            passThroughs.clientWritable();
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
        storedResponses.clientGone();
        uploads.clientGone();
        passThroughs.clientGone();
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
        storedResponses.callEnded();
        server.activeCalls.decrementAndGet();
        ChannelHandlerContext context = ctx;
        if (context != null && uploads.callEnded(context)) {
            keepAlive = false;
        }
        if (context != null && passThroughs.callEnded(context)) {
            keepAlive = false;
        }
        responseDone(keepAlive);
    }

    /** Keeps the bridged answer of the current call with its input, off the event loop (never waited for). */
    @Override
    public void onResponseRebuilt(RebuiltResponse response) {
        storedResponses.onResponseRebuilt(response);
    }

    /** A request whose body streams in ({@link ApiPath#streamsBody}): a pass-through request or an upload. */
    private void startStreamed(ChannelHandlerContext ctx, HttpRequest head) {
        inFlight = true;
        headAuth.clientBusy(true);
        if (!passThroughs.start(ctx, head)) {
            uploads.start(ctx, head);
        }
    }

    /** A part of the streamed request being read; taken. */
    private void streamedPart(HttpContent part) {
        if (passThroughs.isReading()) {
            passThroughs.part(part);
        } else {
            uploads.part(part);
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        inFlight = true;
        headAuth.clientBusy(true);
        heldBodyBytes = request.content().readableBytes();
        RequestFacts facts = RequestFacts.arriving(request, server);
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
                    "Method " + request.method() + " not allowed for " + pathOf(request.uri()), null, facts.callId());
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
            log.warn("[{}] key lookup failed: {}", waiting.facts.callId(),
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
        log.warn("[{}] key lookup took longer than {} s", waiting.facts.callId(),
                TimeUnit.NANOSECONDS.toSeconds(AUTH_TIMEOUT_NANOS));
        waiting.release();
        reject(context, waiting.facts, ProxyError.AUTH_UNAVAILABLE,
                "Authentication is unavailable right now; try again", null, waiting.path.endpoint(), null);
    }

    /** Answers an authenticated request; takes {@code request}. */
    private void dispatch(
            ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts, Principal principal) {
        switch (path.kind()) {
            case LIVENESS -> builtIn(ctx, request, facts, principal, server.builtIns.alive(facts.callId()));
            case READINESS -> builtIn(ctx, request, facts, principal,
                    server.builtIns.readiness(ctx.alloc(), facts.callId()));
            case HEALTH -> sendHealth(ctx, request, facts, principal);
            case MODELS -> builtIn(ctx, request, facts, principal, modelList(ctx, facts, principal));
            case MODEL_INFO -> sendModel(ctx, request, path, facts, principal);
            case MODEL_CALL -> startModelCall(ctx, request, path, facts, principal, false);
            case METRICS -> sendMetrics(ctx, request, facts, principal);
            case MANAGEMENT_GET, MANAGEMENT_POST -> sendManagement(ctx, request, facts, principal);
            case FILES -> startFiles(ctx, request, facts, principal);
            case RESPONSE, RESPONSE_INPUT_ITEMS -> storedResponses.sendResource(ctx, request, path, facts, principal);
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
                ? server.builtIns.modelList(facts.callId())
                : server.builtIns.modelList(ctx.alloc(), facts.callId(), key::allowsModel);
    }

    private void sendModel(
            ChannelHandlerContext ctx, FullHttpRequest request, ApiPath path, RequestFacts facts, Principal principal) {
        request.release();
        String id = path.pathModel();
        KeyGrant key = principal.key();
        FullHttpResponse response = id == null || key != null && !key.allowsModel(id)
                ? null : server.builtIns.model(ctx.alloc(), id, facts.callId());
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
            log.warn("[{}] metrics scrape failed: {}", waiting.facts.callId(),
                    failure != null ? failure.toString() : "no result");
            reject(context, waiting.facts, ProxyError.METRICS_UNAVAILABLE,
                    "Metrics are unavailable right now; try again", null, null, waiting.principal);
            return;
        }
        FullHttpResponse response = Responses.full(HttpResponseStatus.OK, waiting.format.contentType(), body,
                waiting.facts.callId());
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
            log.warn("[{}] health check failed: {}", waiting.facts.callId(),
                    failure != null ? failure.toString() : "no result");
            reject(context, waiting.facts, ProxyError.HEALTH_UNAVAILABLE,
                    "Health checks are unavailable right now; try again", null, null, waiting.principal);
            return;
        }
        ByteBuf body = Unpooled.wrappedBuffer(report.toJson());
        send(context, Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body,
                waiting.facts.callId()), waiting.facts);
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
        if (endpoint == Endpoint.RESPONSES && !continued
                && storedResponses.awaitEarlierTurn(ctx, request, path, facts, principal, route)) {
            return;
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
        storedResponses.callStarting(endpoint, route, body, principal);
        CallRequest callRequest = new CallRequest(facts.callId(), endpoint, model, route, info, principal,
                facts.startNanos(), facts.keepAlive(), facts.http10(), traceparent, options, anthropicBeta);
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
                facts.callId(), facts.startNanos(), facts.keepAlive(), facts.http10());
        if (!call.isDone()) {
            currentFiles = call;
        }
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
                log.debug("[{}] management answer dropped: the event loop is stopping", facts.callId());
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
            log.warn("[{}] management request failed: {}", waiting.facts.callId(),
                    failure != null ? failure.toString() : "no result");
            reject(context, waiting.facts, ProxyError.STORE_UNAVAILABLE,
                    "The key store is unavailable right now; try again", null, null, waiting.principal);
            return;
        }
        ByteBuf body = context.alloc().buffer(answer.json().length).writeBytes(answer.json());
        FullHttpResponse response = Responses.full(HttpResponseStatus.valueOf(answer.status()),
                HttpHeaderValues.APPLICATION_JSON, body, waiting.facts.callId());
        send(context, response, waiting.facts);
        record(waiting.facts, null, null, waiting.principal, null, answer.status());
    }

    private static String requiredField(Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES, MESSAGES_COUNT_TOKENS -> "messages";
            case COMPLETIONS -> "prompt";
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS, IMAGES_EDITS, IMAGES_VARIATIONS -> "file";
            case EMBEDDINGS, RESPONSES, AUDIO_SPEECH, MODERATIONS -> "input";
            case IMAGE_GENERATIONS -> "prompt";
            case RERANK -> "query";
            case PASS_THROUGH -> throw new IllegalStateException("a pass-through request is not a model call");
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
            case RERANK, PASS_THROUGH,
                    CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH -> true;
        };
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
        LingeringCloseHandler.answerAndClose(ctx, Responses.error(ctx.alloc(), error, message, null, facts.callId()),
                server.ticker, -1L);
        record(facts, null, null, null, error);
        responseDone(false);
    }

    @Override
    public void record(RequestFacts facts, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal, @Nullable ProxyError error, int status) {
        long now = server.ticker.getAsLong();
        server.listener.onCallEnded(new CallRecord(facts.callId(), endpoint, model, null, null, principal, status,
                error, false, null, facts.startNanos(), 0, now, 0, List.of()));
    }

    @Override
    public void send(ChannelHandlerContext ctx, FullHttpResponse response, RequestFacts facts) {
        Responses.setConnection(response, facts.keepAlive(), facts.http10());
        Responses.writeLast(ctx, response, facts.keepAlive());
        responseDone(facts.keepAlive());
    }

    @Override
    public void startCall(ChannelHandlerContext ctx, CallRequest request, StreamedBody body) {
        server.activeCalls.incrementAndGet();
        ModelCall call = new ModelCall(ctx, this, server.calls, request, body);
        current = call;
        call.start();
    }

    @Override
    public void startFileUpload(ChannelHandlerContext ctx, HttpRequest head, RequestFacts facts, Principal principal,
            MultipartPartFilter form, StreamedBody body) {
        server.activeCalls.incrementAndGet();
        FilesCall call = server.files.startUpload(ctx, this, head, ApiPath.originForm(head.uri()), form, body,
                principal, facts.callId(), facts.startNanos(), facts.keepAlive(), facts.http10());
        if (!call.isDone()) {
            currentFiles = call;
        }
    }

    @Override
    public void responseDone(boolean keepAlive) {
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
                startStreamed(context, nextUpload);
                while (queue.peek() instanceof HttpContent part && !(part instanceof FullHttpRequest)) {
                    queue.poll();
                    streamedPart(part);
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

    /** A management request under way on a store thread. */
    private record AwaitingManagement(RequestFacts facts, Principal principal) {}

    /** A scrape under way on the metrics' thread. */
    private record AwaitingScrape(RequestFacts facts, Principal principal, ExpositionFormat format, boolean gzip) {}

    /** A health report under way on the health checker's event loop. */
    private record AwaitingHealth(RequestFacts facts, Principal principal) {}

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
