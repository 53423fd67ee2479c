package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.multipart.MultipartModelRewriter;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.JsonBodyUsageScanner;
import dev.llmproxy.codec.openai.ResponseFacts;
import dev.llmproxy.codec.openai.StreamChunk;
import dev.llmproxy.codec.openai.StreamChunkInspector;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.StreamFramer;
import dev.llmproxy.proxy.messages.MessagesAdapter;
import dev.llmproxy.proxy.provider.DeferredEncoding;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.NativeResponsesTranslator;
import dev.llmproxy.proxy.provider.RebuiltResponse;
import dev.llmproxy.proxy.provider.OpenAiAdapter;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ResponseTranslator;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Failure;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.Target;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * Flow: start() encodes the body through the deployment's adapter and leases a connection -> onConnected() applies
 * the adapter's authentication and sends -> onResponsePart() receives the head, which the call judges before anything
 * reaches the client (commit, or give the connection back and let the call retry elsewhere): an error's head waits
 * for its body (up to 64 KB, read by ProviderFailures), a stream's head for its first content part, so that a
 * provider failing before either can still be retried; then content parts; each
 * part is written to the client as it arrives and the read cycle's writes are flushed in onReadComplete(), so a
 * streamed token leaves in the read cycle it arrived in. When the client connection stops being writable, reading
 * from the provider pauses until it drains: a slow client slows the provider's socket instead of filling memory.
 *
 * OpenAI-format responses (the adapter has no translator) are relayed as they are. Streams are framed into whole SSE
 * events so that usage can be read from them and, when the proxy itself asked for usage, the usage-only event hidden
 * from a client that did not; only the incomplete tail of an event ever waits. Responses of translated providers go
 * through the adapter's ResponseTranslator: stream events one by one (forwarded, dropped or replaced), other bodies
 * whole (collected, bounded). A Responses API answer relayed from OpenAI or Azure goes through a
 * NativeResponsesTranslator, which changes only the response's id (to one that names the deployment).
 *
 * End states (exactly one, guarded by `done`): failed before commit (the call decides: retry or an OpenAI error);
 * complete; aborted mid-response (an SSE error event ends a stream, a plain body is cut by closing the connection);
 * cancelled by the call (the client went away: the upstream connection is closed at once, so the provider stops
 * generating). Each releases the encoded body, cancels the timer, and returns or closes the upstream connection.
 *
 * A pooled connection can have been closed by the provider just as it is reused. When such a connection fails before
 * any response byte, the request is sent once more on a fresh connection, as HTTP clients generally do.
 */
/**
 * An attempt that calls a provider. Thread-safety: confined to the client connection's event loop, which is also the
 * event loop of the upstream connection it leases.
 */
final class UpstreamAttempt extends Attempt implements UpstreamExchange, StreamedBody.Sink {
    private static final Logger log = LoggerFactory.getLogger(UpstreamAttempt.class);

    private static final int MAX_SSE_EVENT_BYTES = 4 * 1024 * 1024;
    /**
     * An error body is held back up to this size before the call decides whether to retry: enough for any provider's
     * error JSON, whose words tell a context-length error or a content-policy refusal from another 400.
     */
    private static final int MAX_HELD_ERROR_BYTES = 64 * 1024;
    /**
     * A plain success held back to read its {@code finish_reason} is decided at this size at the latest: a response
     * blocked by a content filter is short, and a longer one is relayed as it is.
     */
    private static final int MAX_HELD_SUCCESS_BYTES = 256 * 1024;
    /**
     * The most a priced non-streamed answer is held to put its cost in its head ({@code x-litellm-response-cost}); a
     * longer one is relayed as it arrives, without the header.
     */
    private static final int MAX_COSTED_BODY_BYTES = 1024 * 1024;
    /** The most a translated non-streamed body may weigh; translation needs it whole. */
    private static final int MAX_TRANSLATED_BODY_BYTES = 64 * 1024 * 1024;
    private static final String AWS_EVENT_STREAM = "application/vnd.amazon.eventstream";
    private static final AsciiString TEXT_EVENT_STREAM = AsciiString.cached("text/event-stream");
    private static final AsciiString ANY_TYPE = AsciiString.cached("*/*");
    private static final AsciiString USER_AGENT = AsciiString.cached("llmproxy/" + Version.current());
    private final ChannelHandlerContext ctx;
    private final CallRequest request;
    private final Target target;
    private final Deployment deployment;
    private final ProviderAdapter adapter;
    private final boolean stream;
    private final boolean hideUsage;
    private final long silenceNanos;
    private final Runnable timeoutCheck = this::checkTimeout;

    /** The encoded body; owned here until the attempt ends (kept for the one resend on a stale connection). */
    private @Nullable ByteBuf body;
    /** An upload's body, sent part by part as it arrives instead of {@link #body}; the call owns it. */
    private final @Nullable StreamedBody streamed;
    /** Rewrites the model field of a multipart upload for this deployment. */
    private @Nullable MultipartModelRewriter rewriter;
    /** False while an upload's body is still being sent: the connection cannot be reused before it is. */
    private boolean requestSent = true;

    private @Nullable UpstreamConnection connection;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable ResponseTranslator translator;
    private @Nullable StreamFramer framer;
    private @Nullable JsonBodyUsageScanner bodyUsage;
    /** The answer's model and finish reasons, read only when the call's records are traced; else null. */
    private final @Nullable ResponseFacts facts;
    /** A translated plain body being collected; owned here until translated or the attempt ends. */
    private @Nullable CompositeByteBuf collected;
    private @Nullable HttpResponse heldHead;
    /**
     * A priced answer relayed as it is, held until its usage gives its cost: the provider's buffers as they arrived,
     * not copied; owned here until written (complete, or too large to hold) or the attempt ends.
     */
    private @Nullable CompositeByteBuf costedBody;
    /** The head of {@link #costedBody}, written with the cost once the body is complete; not reference-counted. */
    private @Nullable HttpResponse costedHead;
    /** A stream's head until its first content arrives (nothing is committed before); not reference-counted. */
    private @Nullable HttpResponse streamHead;
    /** An error response's head while its body is held back, before the call decides; not reference-counted. */
    private @Nullable HttpResponse errorHead;
    /** The held error body; owned here until the call decides (then relayed or released) or the attempt ends. */
    private @Nullable CompositeByteBuf errorBody;
    private boolean scanBodyUsage;
    private @Nullable Usage usage;
    private long lastActivityNanos;
    private long pausedSinceNanos;
    private long sentNanos;
    private long firstByteNanos;
    private int status;
    private boolean responseStarted;
    private boolean upstreamKeepAlive;
    private boolean bodyEndsAtClose;
    private boolean receivedAny;
    private boolean retried;
    private boolean awaitingWritability;
    private boolean done;

    UpstreamAttempt(ModelCall call, Lease lease, long startNanos) {
        super(call, lease, startNanos);
        this.ctx = call.ctx;
        this.request = call.request;
        this.target = lease.target();
        this.deployment = target.deployment();
        ProviderAdapter providerAdapter = deployment.adapter();
        if (providerAdapter == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " has no adapter");
        }
        // Anthropic's /v1/messages goes to any deployment through an adapter of its own, over the deployment's.
        this.adapter = request.endpoint() == Endpoint.MESSAGES || request.endpoint() == Endpoint.MESSAGES_COUNT_TOKENS
                ? MessagesAdapter.forAttempt(providerAdapter) : providerAdapter;
        this.streamed = call.streamedBody();
        this.stream = request.stream();
        this.hideUsage = adapter.asksForStreamUsage(request.endpoint(), request.info());
        this.silenceNanos =
                call.attemptTimeoutNanos(stream ? deployment.streamTimeoutNanos() : deployment.timeoutNanos());
        this.facts = call.services.captureResponses() ? new ResponseFacts() : null;
    }

    @Override
    void start() {
        if (streamed != null) {
            if (!(ResponsesBridgeAdapter.unwrap(adapter) instanceof OpenAiAdapter)) {
                failBeforeCommit(ProxyError.BAD_REQUEST, request.endpoint().path() + " is not supported for "
                        + deployment.provider().name() + " models (only OpenAI-compatible and Azure deployments)");
                return;
            }
        } else {
            try {
                body = adapter.encodeRequest(ctx.alloc(), call.body(), request.info(), request.endpoint(),
                        target.upstreamModelJson(), hideUsage);
            } catch (InvalidRequestException e) {
                // Nothing was sent: the provider cannot take this request (LiteLLM's UnsupportedParamsError is a 400).
                failBeforeCommit(ProxyError.BAD_REQUEST, String.valueOf(e.getMessage()));
                return;
            } catch (DeferredEncoding later) {
                later.body().whenComplete((encoded, failure) -> ctx.executor().execute(() -> encoded(encoded,
                        failure)));
                return;
            }
        }
        connect();
    }

    /** A body whose encoding was deferred ({@link DeferredEncoding}) is ready, or could not be made. */
    private void encoded(@Nullable ByteBuf encoded, @Nullable Throwable failure) {
        if (done) {
            ReferenceCountUtil.release(encoded);
            return;
        }
        if (encoded == null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            failBeforeCommit(ProxyError.BAD_REQUEST, cause instanceof InvalidRequestException
                    ? String.valueOf(cause.getMessage()) : "The request could not be prepared for the provider");
            return;
        }
        body = encoded;
        connect();
    }

    private void connect() {
        lastActivityNanos = startNanos;
        timer = ctx.executor().schedule(timeoutCheck, silenceNanos, TimeUnit.NANOSECONDS);
        acquireConnection();
    }

    private void acquireConnection() {
        Origin origin = deployment.origin();
        if (origin == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " has no origin");
        }
        call.services.upstream().acquire(ctx.channel().eventLoop(), origin, deployment.connectTimeoutMillis(), this);
    }

    @Override
    public void onConnected(UpstreamConnection upstreamConnection) {
        if (done) {
            upstreamConnection.release();
            return;
        }
        connection = upstreamConnection;
        send(upstreamConnection);
    }

    private void send(UpstreamConnection upstreamConnection) {
        StreamedBody upload = streamed;
        HttpRequest upstreamRequest = upload != null ? newUploadHead(upload) : newUpstreamRequest();
        UpstreamAuth auth = adapter.auth();
        ByteBuf content = upstreamRequest instanceof FullHttpRequest full ? full.content() : Unpooled.EMPTY_BUFFER;
        if (auth.apply(upstreamRequest, content)) {
            MessagesAdapter.passAnthropicBeta(adapter, upstreamRequest, request.anthropicBeta());
            sentNanos = call.services.ticker().getAsLong();
            if (upload != null) {
                sendUpload(upstreamConnection, upstreamRequest, upload);
            } else {
                upstreamConnection.send(upstreamRequest);
            }
            return;
        }
        ReferenceCountUtil.release(upstreamRequest);
        auth.ready().whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
            if (done || connection != upstreamConnection) {
                return;
            }
            if (failure != null) {
                log.info("[{}] no credentials for {}: {}", request.callId(), deployment.id(), failure.toString());
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof UpstreamAuth.CredentialsException) {
                    failBeforeCommit(ProxyError.UPSTREAM_AUTH_FAILED, String.valueOf(cause.getMessage()));
                } else {
                    failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED,
                            "Cannot authenticate with the provider (no credentials available)");
                }
                return;
            }
            send(upstreamConnection);
        }));
    }

    /**
     * Sends an upload's head and the body received so far (the model field rewritten for this deployment); the rest
     * follows part by part ({@link #onBodyPart}).
     */
    private void sendUpload(UpstreamConnection upstreamConnection, HttpRequest head, StreamedBody upload) {
        ByteBuf received = upload.attach(this);
        String boundary = upload.boundary();
        ByteBuf first = received;
        if (boundary != null) {
            MultipartModelRewriter rewriting = MultipartModelRewriter.rewriter(boundary, target.upstreamModel());
            rewriter = rewriting;
            first = rewriting.rewrite(ctx.alloc(), received);
            received.release();
            if (!rewriting.hasModel()) {
                // The client's handler found the model in these bytes before the call started.
                first.release();
                failBeforeCommit(ProxyError.BAD_REQUEST, "Malformed multipart body");
                return;
            }
            if (upload.declaredLength() >= 0) {
                HttpUtil.setContentLength(head, upload.declaredLength() + rewriting.lengthChange());
            }
        } else if (upload.declaredLength() >= 0) {
            HttpUtil.setContentLength(head, upload.declaredLength());
        }
        if (upload.declaredLength() < 0) {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        requestSent = upload.isComplete();
        upstreamConnection.send(head);
        upstreamConnection.sendPart(requestSent ? new DefaultLastHttpContent(first) : new DefaultHttpContent(first));
        if (!requestSent && !upstreamConnection.isWritable()) {
            upload.pauseClient();
        }
    }

    @Override
    public void onBodyPart(ByteBuf part, boolean last) {
        UpstreamConnection upstreamConnection = connection;
        StreamedBody upload = streamed;
        if (done || upstreamConnection == null || upload == null) {
            part.release();
            return;
        }
        MultipartModelRewriter rewriting = rewriter;
        ByteBuf out = part;
        if (rewriting != null) {
            out = rewriting.rewrite(ctx.alloc(), part);
            part.release();
        }
        // The provider is busy reading the body: its silence is measured from the last bytes it was sent.
        lastActivityNanos = call.services.ticker().getAsLong();
        if (last) {
            requestSent = true;
        }
        upstreamConnection.sendPart(last ? new DefaultLastHttpContent(out) : new DefaultHttpContent(out));
        if (!last && !upstreamConnection.isWritable()) {
            upload.pauseClient();
        }
    }

    @Override
    public void onBodyFailed(ProxyError error, String message) {
        if (done) {
            return;
        }
        if (responseStarted) {
            abort(error, message);
        } else {
            failBeforeCommit(error, message);
        }
    }

    @Override
    public void onWritable() {
        StreamedBody upload = streamed;
        if (upload != null && !done) {
            upload.resumeClient();
        }
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        if (done) {
            return;
        }
        log.info("[{}] cannot connect to {}: {}", request.callId(), deployment.origin(), cause.toString());
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            // The detail (certificate path, protocol) is in the log line above; clients get no JSSE internals.
            failBeforeCommit(ProxyError.UPSTREAM_TLS_FAILED,
                    "TLS handshake with the provider failed (untrusted certificate or no common protocol)");
        } else if (cause instanceof UnknownHostException) {
            failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot resolve the provider's host name");
        } else if (cause instanceof ConnectTimeoutException) {
            failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED, "Timed out connecting to the provider");
        } else if (cause instanceof ConnectException) {
            failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED,
                    "Cannot connect to the provider (connection refused)");
        } else {
            failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the provider");
        }
    }

    @Override
    public void onResponsePart(HttpObject part) {
        if (done) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (part.decoderResult().isFailure()) {
            // The connection closed before the response was complete: the decoder marks the part it had.
            Throwable cause = part.decoderResult().cause();
            ReferenceCountUtil.release(part);
            onConnectionLost(cause);
            return;
        }
        lastActivityNanos = call.services.ticker().getAsLong();
        receivedAny = true;
        if (errorBody != null && part instanceof HttpContent content) {
            holdErrorPart(content);
            return;
        }
        HttpResponse heldStreamHead = streamHead;
        if (heldStreamHead != null && part instanceof HttpContent content) {
            streamHead = null;
            call.shouldCommit(this, status);
            startResponse(heldStreamHead);
            relay(content);
            return;
        }
        if (part instanceof HttpResponse head) {
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(part);
                return;
            }
            headersNanos = lastActivityNanos;
            status = head.status().code();
            if (status >= 400 || (!stream && status < 300 && call.watchesContentFilter())) {
                // Held back until the call decides: the body says what kind of error it is (or, for a success the
                // call may fall back from, whether a content filter blocked it).
                errorHead = head;
                errorBody = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
                if (part instanceof HttpContent content) {
                    holdErrorPart(content);
                }
                return;
            }
            if (stream && !(part instanceof HttpContent) && (isEventStream(head) || isAwsEventStream(head))) {
                // Held until the stream's first bytes, as LiteLLM waits for the first chunk: a provider that fails
                // before sending any can still be retried, and the client sees one clean answer.
                streamHead = head;
                return;
            }
            call.shouldCommit(this, status);
            startResponse(head);
            if (part instanceof FullHttpResponse full) {
                // Not written as content as it is: the encoder would send its head a second time.
                relay(new DefaultLastHttpContent(full.content()));
                return;
            }
        }
        if (part instanceof HttpContent content) {
            relay(content);
        }
    }

    /** Adds a part of a held error body; decides once it is complete or too large to hold. */
    private void holdErrorPart(HttpContent content) {
        CompositeByteBuf held = errorBody;
        if (held == null) {
            content.release();
            throw new IllegalStateException("no error body is held");
        }
        held.addComponent(true, content.content().retain());
        content.release();
        boolean last = content instanceof LastHttpContent;
        if (last || held.readableBytes() > (status >= 400 ? MAX_HELD_ERROR_BYTES : MAX_HELD_SUCCESS_BYTES)) {
            decideOnError(last);
        }
    }

    /**
     * The call decides on a held error: retry (the connection goes back to its pool when the error was read whole)
     * or commit (the held part is relayed like any response, the rest follows as it arrives).
     */
    private void decideOnError(boolean complete) {
        HttpResponse head = errorHead;
        CompositeByteBuf held = errorBody;
        errorHead = null;
        errorBody = null;
        if (head == null || held == null) {
            throw new IllegalStateException("no error is held");
        }
        Failure failure = status >= 400
                ? ProviderFailures.of(status, head.headers(), held, call.services.clock())
                : complete && ProviderFailures.isContentFiltered(held) ? ProviderFailures.CONTENT_FILTERED
                : Failure.of(status);
        if (!call.shouldCommit(this, failure)) {
            held.release();
            log.debug("[{}] {} answered {}; retrying", request.callId(), deployment.id(), status);
            cleanUp(complete && HttpUtil.isKeepAlive(head) && requestSent);
            call.attemptFailed(this, status, null, null);
            return;
        }
        startResponse(head);
        relay(complete ? new DefaultLastHttpContent(held) : new DefaultHttpContent(held));
    }

    @Override
    public void onReadComplete() {
        if (done) {
            return;
        }
        ctx.flush();
        UpstreamConnection upstreamConnection = connection;
        if (upstreamConnection != null && !ctx.channel().isWritable()) {
            upstreamConnection.pauseReading();
            awaitingWritability = true;
            pausedSinceNanos = call.services.ticker().getAsLong();
            // From now on the client is the slow side: its own timeout governs, not the provider's silence.
            rescheduleTimer(call.services.clientWriteTimeoutNanos());
        }
    }

    @Override
    void onClientWritable() {
        if (awaitingWritability && !done) {
            awaitingWritability = false;
            // The provider's silence is measured again from now: the pause was the client's doing.
            lastActivityNanos = call.services.ticker().getAsLong();
            UpstreamConnection upstreamConnection = connection;
            if (upstreamConnection != null) {
                upstreamConnection.resumeReading();
            }
        }
    }

    @Override
    public void onMalformedResponse(Throwable cause) {
        if (done) {
            return;
        }
        // The connection closed itself and never goes back to the pool.
        connection = null;
        log.warn("[{}] malformed response from {}: {}", request.callId(), deployment.origin(), cause.toString());
        String message = "The provider sent a malformed response";
        if (responseStarted) {
            cut(ProxyError.UPSTREAM_PROTOCOL_ERROR, message);
        } else {
            failBeforeCommit(ProxyError.UPSTREAM_PROTOCOL_ERROR, message);
        }
    }

    @Override
    public void onConnectionLost(@Nullable Throwable cause) {
        if (done) {
            return;
        }
        UpstreamConnection lost = connection;
        connection = null;
        if (!receivedAny && !retried && lost != null && lost.isReused()
                && (streamed == null || streamed.isReplayable())) {
            retried = true;
            if (streamed != null) {
                streamed.detach(this);
            }
            acquireConnection();
            return;
        }
        if (responseStarted && bodyEndsAtClose) {
            CompositeByteBuf costed = costedBody;
            if (costed != null) {
                holdForCost(costed, LastHttpContent.EMPTY_LAST_CONTENT, true);
            } else {
                complete(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        if (!responseStarted) {
            boolean tls = cause instanceof SSLException || (cause != null && cause.getCause() instanceof SSLException);
            failBeforeCommit(tls ? ProxyError.UPSTREAM_TLS_FAILED : ProxyError.UPSTREAM_CLOSED,
                    tls ? "TLS failure talking to the provider" : "The provider closed the connection without answering");
            return;
        }
        abort(ProxyError.UPSTREAM_CLOSED, "The provider closed the connection before the response was complete");
    }

    @Override
    void cancel() {
        if (!done) {
            cleanUp(false);
        }
    }

    /** An upload's head: the client's content type (with its boundary); the length is set once the body is read. */
    private HttpRequest newUploadHead(StreamedBody upload) {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                target.requestPath(request.endpoint(), false), Responses.HEADERS.newHeaders());
        head.headers()
                .set(HttpHeaderNames.HOST, deployment.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, upload.contentType())
                .set(HttpHeaderNames.ACCEPT, stream ? Responses.EVENT_STREAM : HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        return head;
    }

    private FullHttpRequest newUpstreamRequest() {
        ByteBuf encoded = body;
        if (encoded == null) {
            throw new IllegalStateException("the attempt has ended");
        }
        ByteBuf content = encoded.retainedDuplicate();
        FullHttpRequest upstreamRequest = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                target.requestPath(request.endpoint(), stream),
                content,
                Responses.HEADERS.newHeaders(),
                EmptyHttpHeaders.INSTANCE);
        upstreamRequest.headers()
                .set(HttpHeaderNames.HOST, deployment.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.ACCEPT, stream ? Responses.EVENT_STREAM
                        : request.endpoint() == Endpoint.AUDIO_SPEECH ? ANY_TYPE : HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        return upstreamRequest;
    }

    private void startResponse(HttpResponse head) {
        upstreamKeepAlive = HttpUtil.isKeepAlive(head);
        boolean eventStream = isEventStream(head);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status(), Responses.HEADERS);
        HttpHeaders headers = response.headers();
        ProviderHeaders.copy(head.headers(), headers);
        boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        long contentLength = HttpUtil.getContentLength(head, -1L);
        bodyEndsAtClose = !chunked && contentLength < 0;
        boolean success = head.status().codeClass() == HttpStatusClass.SUCCESS;
        // An upload's body streamed past and is not held: its translators (none today) get nothing to read.
        ByteBuf requestBody = streamed == null ? call.body() : Unpooled.EMPTY_BUFFER;
        ResponseTranslator responseTranslator =
                adapter.newTranslator(request.endpoint(), stream, request.info(), requestBody, call.services.clock());
        if (responseTranslator == null && request.endpoint() == Endpoint.RESPONSES) {
            // Relayed as it is, but for the response id, which must lead back to this deployment.
            responseTranslator = new NativeResponsesTranslator(deployment.provider().name(), deployment.id());
        }
        translator = responseTranslator;
        call.addProxyHeaders(headers, deployment, sentNanos, headersNanos);
        if (status >= 400) {
            headers.set(Responses.RESPONSE_COST, ModelCall.ZERO);
        }
        Responses.setConnection(response, request.keepAlive(), request.http10());
        responseStarted = true;
        StreamFramer ownFramer = success && responseTranslator != null
                ? responseTranslator.newStreamFramer(ctx.alloc(), head.headers().get(HttpHeaderNames.CONTENT_TYPE))
                : null;
        if (ownFramer != null) {
            // A binary stream (Bedrock's AWS event stream) the translator decodes itself; the client gets SSE.
            framer = ownFramer;
            headers.set(HttpHeaderNames.CONTENT_TYPE, TEXT_EVENT_STREAM);
            HttpUtil.setTransferEncodingChunked(response, true);
        } else if (eventStream && success) {
            ResponseFacts read = facts;
            framer = new SseEventFramer(ctx.alloc(), MAX_SSE_EVENT_BYTES, responseTranslator == null
                    ? this::inspectEvent
                    : read == null ? responseTranslator : new TranslatedEventReader(responseTranslator, read));
            HttpUtil.setTransferEncodingChunked(response, true);
        } else if (responseTranslator != null) {
            // Translated plain bodies are written whole, with their new length, once they are complete.
            headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            heldHead = response;
            collected = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            return;
        } else if (contentLength >= 0) {
            HttpUtil.setContentLength(response, contentLength);
        } else {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        // Audio is relayed untouched: there is no usage in it to look for.
        scanBodyUsage = success && !eventStream && request.endpoint() != Endpoint.AUDIO_SPEECH;
        if (scanBodyUsage && contentLength <= MAX_COSTED_BODY_BYTES && call.holdsForCost(deployment)) {
            costedHead = response;
            costedBody = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            return;
        }
        ctx.write(response, ctx.voidPromise());
    }

    private static boolean isAwsEventStream(HttpResponse head) {
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return contentType != null
                && contentType.regionMatches(true, 0, AWS_EVENT_STREAM, 0, AWS_EVENT_STREAM.length());
    }

    private static boolean isEventStream(HttpResponse head) {
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    private void relay(HttpContent content) {
        ByteBuf bytes = content.content();
        if (firstByteNanos == 0 && bytes.isReadable()) {
            firstByteNanos = call.services.ticker().getAsLong();
        }
        boolean last = content instanceof LastHttpContent;
        CompositeByteBuf whole = collected;
        if (whole != null) {
            collect(whole, content, last);
            return;
        }
        CompositeByteBuf costed = costedBody;
        if (costed != null) {
            holdForCost(costed, content, last);
            return;
        }
        StreamFramer sse = framer;
        if (sse != null) {
            ByteBuf events = sse.frame(bytes);
            content.release();
            ResponseTranslator responseTranslator = translator;
            if (responseTranslator != null && sse.isOverflowed()) {
                // The framer passes an oversized event through untouched: a provider's own bytes must not reach a
                // client that expects OpenAI chunks.
                events.release();
                abort(ProxyError.UPSTREAM_PROTOCOL_ERROR,
                        "The provider sent a stream event larger than " + MAX_SSE_EVENT_BYTES + " bytes");
                return;
            }
            writeContent(events);
            if (last) {
                ByteBuf incomplete = sse.finish();
                if (responseTranslator != null) {
                    // An event cut short by the end of the stream is not dispatched (HTML, "Parsing an event
                    // stream"); untranslated, it is not forwarded either. The translator's end says what was missing.
                    incomplete.release();
                    writeContent(responseTranslator.finishStream(ctx.alloc()));
                } else {
                    writeContent(incomplete);
                }
                complete(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        if (scanBodyUsage) {
            scanBodyUsage(bytes, last);
        }
        if (last) {
            complete((LastHttpContent) content);
        } else {
            ctx.write(content, ctx.voidPromise());
        }
    }

    /** Collects a body that is translated whole, then writes the held head and the translation. */
    private void collect(CompositeByteBuf whole, HttpContent content, boolean last) {
        ByteBuf bytes = content.content();
        if (whole.readableBytes() + bytes.readableBytes() > MAX_TRANSLATED_BODY_BYTES) {
            content.release();
            abort(ProxyError.UPSTREAM_CLOSED, "The provider's response is larger than "
                    + MAX_TRANSLATED_BODY_BYTES + " bytes");
            return;
        }
        whole.addComponent(true, bytes.retain());
        content.release();
        if (!last) {
            return;
        }
        collected = null;
        ResponseTranslator responseTranslator = translator;
        HttpResponse head = heldHead;
        heldHead = null;
        if (responseTranslator == null || head == null) {
            whole.release();
            throw new IllegalStateException("collecting without a translator");
        }
        ByteBuf translated = status >= 400
                ? responseTranslator.translateError(ctx.alloc(), status, whole)
                : responseTranslator.translateBody(ctx.alloc(), whole);
        int clientStatus = responseTranslator.clientStatus(status);
        if (clientStatus != status) {
            head.setStatus(HttpResponseStatus.valueOf(clientStatus));
            status = clientStatus;
        }
        if (status < 300) {
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, responseTranslator.bodyContentType());
            if (facts != null) {
                // The translated answer is OpenAI's shape (or Anthropic's, whose top-level model is read alike).
                JsonBodyUsageScanner.usageOf(translated, facts);
            }
            Usage translatedUsage = responseTranslator.usage();
            if (translatedUsage != null && call.holdsForCost(deployment)) {
                call.addCostHeaders(head.headers(), deployment, translatedUsage);
            }
        }
        HttpUtil.setContentLength(head, translated.readableBytes());
        ctx.write(head, ctx.voidPromise());
        complete(new DefaultLastHttpContent(translated));
    }

    /**
     * Adds a part of a priced answer to the held body, its usage read as it passes. Complete, its head is written
     * with the cost, then the body in one piece; grown beyond {@link #MAX_COSTED_BODY_BYTES}, its head goes without the
     * cost and the held part and the rest are relayed as any answer's.
     */
    private void holdForCost(CompositeByteBuf held, HttpContent content, boolean last) {
        HttpResponse head = costedHead;
        if (head == null) {
            content.release();
            throw new IllegalStateException("no priced answer is held");
        }
        // Read part by part as it arrives, as a relayed body is: scanning the composite at the end costs twice as much.
        scanBodyUsage(content.content(), last);
        held.addComponent(true, content.content().retain());
        content.release();
        if (last) {
            costedBody = null;
            costedHead = null;
            JsonBodyUsageScanner scanner = bodyUsage;
            if (scanner != null) {
                usage = scanner.usage();
            }
            call.addCostHeaders(head.headers(), deployment, usage);
            if (HttpUtil.isTransferEncodingChunked(head)) {
                HttpUtil.setTransferEncodingChunked(head, false);
            }
            HttpUtil.setContentLength(head, held.readableBytes());
            ctx.write(head, ctx.voidPromise());
            complete(new DefaultLastHttpContent(held));
        } else if (held.readableBytes() > MAX_COSTED_BODY_BYTES) {
            costedBody = null;
            costedHead = null;
            ctx.write(head, ctx.voidPromise());
            ctx.write(new DefaultHttpContent(held), ctx.voidPromise());
        }
    }

    /** Reads usage from a plain body: at once when it arrived whole, else incrementally part by part. */
    private void scanBodyUsage(ByteBuf bytes, boolean last) {
        JsonBodyUsageScanner scanner = bodyUsage;
        if (scanner == null && last) {
            usage = JsonBodyUsageScanner.usageOf(bytes, facts);
            return;
        }
        if (scanner == null) {
            scanner = new JsonBodyUsageScanner(facts);
            bodyUsage = scanner;
        }
        scanner.feed(bytes);
    }

    /** Looks at one complete SSE event's data, keeping its usage; drops the usage event the proxy asked for. */
    private SseEventFramer.Decision inspectEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
        StreamChunk chunk = StreamChunkInspector.inspect(data, index, length, facts);
        if (chunk.usage() != null) {
            usage = chunk.usage();
            if (hideUsage && chunk.usageOnly()) {
                return SseEventFramer.Decision.DROP;
            }
        }
        return SseEventFramer.Decision.FORWARD;
    }

    /**
     * A translator's SSE visitor whose output events (OpenAI chunks) are read for the answer's model and finish
     * reasons on their way to the client; used only when those are captured.
     */
    private static final class TranslatedEventReader
            implements SseEventFramer.RewritingVisitor, SseEventFramer.Emitter {
        private static final int DATA_PREFIX = 5;
        private final SseEventFramer.RewritingVisitor translator;
        private final ResponseFacts facts;
        /** The framer's emitter during {@link #onEvent}; null outside it. */
        private SseEventFramer.@Nullable Emitter out;

        TranslatedEventReader(SseEventFramer.RewritingVisitor translator, ResponseFacts facts) {
            this.translator = translator;
            this.facts = facts;
        }

        @Override
        public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter emitter) {
            out = emitter;
            try {
                SseEventFramer.Decision decision = translator.onEvent(data, index, length, this);
                if (decision == SseEventFramer.Decision.FORWARD) {
                    StreamChunkInspector.inspect(data, index, length, facts);
                }
                return decision;
            } finally {
                out = null;
            }
        }

        @Override
        public void emit(ByteBuf events) {
            SseEventFramer.Emitter emitter = out;
            if (emitter == null) {
                events.release();
                throw new IllegalStateException("emit outside onEvent");
            }
            readDataLines(events);
            emitter.emit(events);
        }

        /** Inspects each {@code data: } line of framed events (the translators write one line per event). */
        private void readDataLines(ByteBuf events) {
            int at = events.readerIndex();
            int end = events.writerIndex();
            while (at < end) {
                int lineEnd = events.indexOf(at, end, (byte) '\n');
                if (lineEnd < 0) {
                    lineEnd = end;
                }
                if (lineEnd - at > DATA_PREFIX && events.getByte(at) == 'd' && events.getByte(at + 4) == ':') {
                    StreamChunkInspector.inspect(events, at + DATA_PREFIX, lineEnd - at - DATA_PREFIX, facts);
                }
                at = lineEnd + 1;
            }
        }
    }

    private void writeContent(@Nullable ByteBuf bytes) {
        if (bytes == null) {
            return;
        }
        if (bytes.isReadable()) {
            ctx.write(new DefaultHttpContent(bytes), ctx.voidPromise());
        } else {
            bytes.release();
        }
    }

    private void complete(LastHttpContent last) {
        JsonBodyUsageScanner scanner = bodyUsage;
        if (scanner != null) {
            usage = scanner.usage();
        }
        ResponseTranslator responseTranslator = translator;
        if (responseTranslator != null && responseTranslator.usage() != null) {
            usage = responseTranslator.usage();
        }
        if (responseTranslator instanceof RebuiltResponse rebuilt && status == 200) {
            call.responseRebuilt(rebuilt);
        }
        ResponseFacts read = facts;
        if (read != null && !read.isEmpty()) {
            call.responseRead(read);
        }
        cleanUp(upstreamKeepAlive && !bodyEndsAtClose && requestSent);
        call.attemptEnded(this, status, null, usage);
        Responses.writeLast(ctx, last, request.keepAlive());
        call.attemptFinished(this, status, null, usage, framer != null, firstByteNanos,
                headersNanos - sentNanos, request.keepAlive());
    }

    /** Fails the attempt before anything reached the client: the call retries elsewhere or answers with an error. */
    private void failBeforeCommit(ProxyError error, String message) {
        cleanUp(false);
        call.attemptFailed(this, error.status().code(), error, message);
    }

    /**
     * Ends a response that already started: a stream gets an error event and a proper end, so the client sees why;
     * a plain body cannot be marked, so the connection is closed and the client sees a truncated response.
     */
    private void abort(ProxyError error, String message) {
        log.info("[{}] {}", request.callId(), message);
        cut(error, message);
    }

    /** {@link #abort} for a failure already logged. */
    private void cut(ProxyError error, String message) {
        boolean wasStream = framer != null;
        boolean bodyStarted = heldHead == null && costedHead == null;
        cleanUp(false);
        if (wasStream) {
            ResponseTranslator responseTranslator = translator;
            ByteBuf translatedEnd = responseTranslator == null ? null
                    : responseTranslator.failStream(ctx.alloc(), error.status().code(), message);
            ByteBuf event = translatedEnd != null ? translatedEnd
                    : Responses.errorEvent(ctx.alloc(), error, message, request.endpoint());
            ctx.write(new DefaultHttpContent(event), ctx.voidPromise());
            Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, request.keepAlive());
            call.attemptFinished(this, status, error, usage, true, firstByteNanos, headersNanos - sentNanos,
                    request.keepAlive());
            return;
        }
        if (!bodyStarted) {
            // A body was being held (to translate, or for its cost): nothing was written yet, so the client can get a
            // clean error.
            FullHttpResponse response =
                    Responses.error(ctx.alloc(), error, message, null, request.callId(), request.endpoint());
            response.headers().set(Responses.RESPONSE_COST, ModelCall.ZERO);
            Responses.setConnection(response, request.keepAlive(), request.http10());
            Responses.writeLast(ctx, response, request.keepAlive());
            call.attemptFinished(this, error.status().code(), error, usage, false, firstByteNanos,
                    headersNanos - sentNanos, request.keepAlive());
            return;
        }
        ctx.flush();
        ctx.close();
        call.attemptFinished(this, status, error, usage, false, firstByteNanos, headersNanos - sentNanos, false);
    }

    private void checkTimeout() {
        if (done) {
            return;
        }
        if (awaitingWritability) {
            long stalledNanos = call.services.ticker().getAsLong() - pausedSinceNanos;
            long limitNanos = call.services.clientWriteTimeoutNanos();
            if (stalledNanos < limitNanos) {
                timer = ctx.executor().schedule(timeoutCheck, limitNanos - stalledNanos, TimeUnit.NANOSECONDS);
            } else {
                clientTooSlow(stalledNanos);
            }
            return;
        }
        long idleNanos = call.services.ticker().getAsLong() - lastActivityNanos;
        if (idleNanos < silenceNanos) {
            timer = ctx.executor().schedule(timeoutCheck, silenceNanos - idleNanos, TimeUnit.NANOSECONDS);
            return;
        }
        String message = "Request timed out: no data from the provider for "
                + TimeUnit.NANOSECONDS.toMillis(silenceNanos) / 1000.0 + " s";
        if (responseStarted) {
            abort(ProxyError.UPSTREAM_TIMEOUT, message);
        } else {
            // Logged like a refused connection: the operator sees which deployment is not answering, whether or not
            // the call goes on to another one.
            log.info("[{}] {} ({})", request.callId(), message, deployment.id());
            failBeforeCommit(ProxyError.UPSTREAM_TIMEOUT, message);
        }
    }

    private void rescheduleTimer(long delayNanos) {
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            pending.cancel(false);
        }
        timer = ctx.executor().schedule(timeoutCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The client read nothing for its whole write timeout: it, not the provider, is the slow side. */
    private void clientTooSlow(long stalledNanos) {
        log.info("[{}] the client read nothing for {} s; closing its connection and the provider's",
                request.callId(), TimeUnit.NANOSECONDS.toMillis(stalledNanos) / 1000.0);
        boolean wasStream = framer != null;
        cleanUp(false);
        ctx.close();
        call.attemptFinished(this, status, ProxyError.CLIENT_TOO_SLOW, usage, wasStream, firstByteNanos,
                headersNanos - sentNanos, false);
    }

    /**
     * Releases what the attempt holds: the encoded body, the timer, the framer, a collected body, and the upstream
     * connection (back to its pool when {@code reuseConnection}, else closed).
     */
    private void cleanUp(boolean reuseConnection) {
        done = true;
        if (streamed != null) {
            streamed.detach(this);
        }
        ByteBuf encoded = body;
        body = null;
        if (encoded != null) {
            encoded.release();
        }
        ScheduledFuture<?> pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel(false);
        }
        UpstreamConnection upstreamConnection = connection;
        connection = null;
        if (upstreamConnection != null) {
            if (reuseConnection) {
                upstreamConnection.release();
            } else {
                upstreamConnection.discard();
            }
        }
        StreamFramer sse = framer;
        if (sse != null) {
            sse.release();
        }
        CompositeByteBuf whole = collected;
        collected = null;
        if (whole != null) {
            whole.release();
        }
        heldHead = null;
        CompositeByteBuf costed = costedBody;
        costedBody = null;
        costedHead = null;
        if (costed != null) {
            costed.release();
        }
        streamHead = null;
        CompositeByteBuf held = errorBody;
        errorBody = null;
        errorHead = null;
        if (held != null) {
            held.release();
        }
    }
}
