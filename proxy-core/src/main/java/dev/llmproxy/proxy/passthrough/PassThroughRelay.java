package dev.llmproxy.proxy.passthrough;

import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallOwner;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.CallServices;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * One upstream request, no retries (the body is sent as it arrives, and a pass-through call may not be idempotent).
 * start() leases a connection to the target; onConnected() sends the head, then attaches to the client's
 * StreamedBody: the bytes received so far go at once, the rest part by part as they arrive (onBodyPart). Reading
 * from the client pauses while the upstream connection is not writable and resumes on onWritable. A target that
 * signs the body's hash (Bedrock's SigV4) gets a relay started only once the whole body is held (PassThroughRequests
 * waits for it): the head is signed over it and leaves with its exact length.
 *
 * The answer is relayed as it arrives, whatever its status (the target's errors reach the client as the target wrote
 * them): the head with the connection's own headers replaced, then each part, flushed per read cycle; reading from
 * the target pauses while the client is not writable. Only a failure before the answer started gets an OpenAI
 * error (502 when the target cannot be reached); after that, the client connection is closed.
 *
 * End states (exactly one, guarded by `done`): answered, cut mid-answer, failed before the answer, or abandoned by the
 * client. Each releases the timer and the upstream connection, detaches from the body, sends one CallRecord and tells
 * the owner (who owns, and releases, the body).
 */
/**
 * Forwards one pass-through request to its target, bodies streamed both ways with backpressure.
 *
 * <p>Thread-safety: confined to the client connection's event loop, which is also the event loop of the upstream
 * connection it leases.
 */
public final class PassThroughRelay implements UpstreamExchange, StreamedBody.Sink {
    private static final Logger log = LoggerFactory.getLogger(PassThroughRelay.class);
    /** Hop-by-hop headers (RFC 9110 section 7.6.1) and the framing, which each side of the proxy sets for itself. */
    private static final Set<String> CONNECTION_HEADERS = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "te", "trailer", "upgrade", "content-length", "host", "expect");
    /** LiteLLM's prefix for a header always forwarded, the prefix dropped ({@code x-pass-anthropic-beta}). */
    private static final String PASS_PREFIX = "x-pass-";

    private final ChannelHandlerContext ctx;
    private final CallOwner owner;
    private final CallServices services;
    private final PassThroughRequest request;
    private final PassThroughTarget target;
    private final StreamedBody body;
    /** The router's admission of the deployment a router model's call goes to, released when the relay ends. */
    private final @Nullable Lease lease;
    private final Runnable timeoutCheck = this::checkTimeout;

    private @Nullable UpstreamConnection connection;
    private @Nullable ScheduledFuture<?> timer;
    /** Reads the answer's usage as it passes, or null when it is not read. */
    private @Nullable AnswerUsage usage;
    private boolean streamed;
    private long lastActivityNanos;
    private long sentNanos;
    private long headersNanos;
    private long firstByteNanos;
    private int status;
    private boolean answering;
    private boolean bodyEndsAtClose;
    private boolean upstreamKeepAlive;
    private boolean requestSent;
    private boolean awaitingWritability;
    private boolean done;

    /**
     * @param body the client's body; not taken (the owner releases it once the relay has ended)
     * @param lease the router's lease on the target's deployment (a router model's call), taken: released once, with
     *     the answer's status and usage, when the relay ends; or null
     */
    public PassThroughRelay(ChannelHandlerContext ctx, CallOwner owner, CallServices services,
            PassThroughRequest request, PassThroughTarget target, StreamedBody body, @Nullable Lease lease) {
        this.ctx = ctx;
        this.owner = owner;
        this.services = services;
        this.request = request;
        this.target = target;
        this.body = body;
        this.lease = lease;
    }

    /** Connects to the target; the relay may end before this returns. */
    public void start() {
        lastActivityNanos = services.ticker().getAsLong();
        timer = ctx.executor().schedule(timeoutCheck, target.timeoutNanos(), TimeUnit.NANOSECONDS);
        services.upstream().acquire(ctx.channel().eventLoop(), target.origin(), target.connectTimeoutMillis(), this);
    }

    /** Whether the relay has ended (its answer written, or abandoned). */
    public boolean isDone() {
        return done;
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
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.head().method(),
                target.pathAndQuery(), Responses.HEADERS.newHeaders());
        HttpHeaders headers = head.headers();
        copyClientHeaders(request.head().headers(), headers);
        for (Map.Entry<String, String> header : target.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        headers.set(HttpHeaderNames.HOST, target.origin().hostHeader());
        if (body.declaredLength() >= 0) {
            HttpUtil.setContentLength(head, body.declaredLength());
        } else if (HttpUtil.isTransferEncodingChunked(request.head())) {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        boolean signsBody = target.signsBody();
        if (!signsBody && !authorize(head, Unpooled.EMPTY_BUFFER, upstreamConnection)) {
            return;
        }
        ByteBuf received;
        try {
            received = body.attach(this);
        } catch (IllegalStateException e) {
            // The body failed while the connection was being made: too large, over the request-bytes budget, or cut.
            ProxyError failed = body.failure();
            String message = body.failureMessage();
            fail(failed != null ? failed : ProxyError.CLIENT_CLOSED,
                    failed != null && message != null ? message : "The client's request body was cut short");
            return;
        }
        if (signsBody) {
            // The whole body is here (the request waited for it): its length is known, and its hash is signed.
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            HttpUtil.setContentLength(head, received.readableBytes());
            if (!authorize(head, received, upstreamConnection)) {
                received.release();
                body.detach(this);
                return;
            }
        }
        sentNanos = services.ticker().getAsLong();
        requestSent = body.isComplete();
        upstreamConnection.send(head);
        upstreamConnection.sendPart(requestSent ? new DefaultLastHttpContent(received)
                : new DefaultHttpContent(received));
        if (!requestSent && !upstreamConnection.isWritable()) {
            body.pauseClient();
        }
    }

    /**
     * Adds the target's credentials to {@code head}; when they are not at hand yet, waits for them and sends again.
     *
     * @param payload the body, for a signature over its hash; read only
     * @return whether {@code head} carries its credentials and may leave now
     */
    private boolean authorize(HttpRequest head, ByteBuf payload, UpstreamConnection upstreamConnection) {
        UpstreamAuth auth = target.auth();
        if (auth.apply(head, payload)) {
            return true;
        }
        auth.ready().whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
            if (done || connection != upstreamConnection) {
                return;
            }
            if (failure != null) {
                fail(ProxyError.UPSTREAM_AUTH_FAILED, "Cannot authenticate with the provider (no credentials)");
                return;
            }
            send(upstreamConnection);
        }));
        return false;
    }

    /**
     * The client's headers as the route forwards them: all but the connection's own when it forwards headers, else
     * only the body's type; never the client's credentials when the route adds its own; {@code x-pass-*} always,
     * without the prefix.
     */
    private void copyClientHeaders(HttpHeaders from, HttpHeaders to) {
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(PASS_PREFIX) && name.length() > PASS_PREFIX.length()) {
                to.add(name.substring(PASS_PREFIX.length()), header.getValue());
                continue;
            }
            boolean forwarded = target.forwardClientHeaders() || name.equals("content-type");
            if (!forwarded || CONNECTION_HEADERS.contains(name)
                    || target.dropClientCredentials() && PassThroughRoutes.CREDENTIAL_HEADERS.contains(name)) {
                continue;
            }
            to.add(header.getKey(), header.getValue());
        }
    }

    @Override
    public void onBodyPart(ByteBuf part, boolean last) {
        UpstreamConnection upstreamConnection = connection;
        if (done || upstreamConnection == null) {
            part.release();
            return;
        }
        // The target is busy reading the body: its silence is measured from the last bytes it was sent.
        lastActivityNanos = services.ticker().getAsLong();
        requestSent = last;
        upstreamConnection.sendPart(last ? new DefaultLastHttpContent(part) : new DefaultHttpContent(part));
        if (!last && !upstreamConnection.isWritable()) {
            body.pauseClient();
        }
    }

    @Override
    public void onBodyFailed(ProxyError error, String message) {
        if (done) {
            return;
        }
        failOrCut(error, message);
    }

    @Override
    public void onWritable() {
        if (!done) {
            body.resumeClient();
        }
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        if (done) {
            return;
        }
        log.info("[{}] cannot connect to {}: {}", request.callId(), target.origin(), cause.toString());
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            fail(ProxyError.UPSTREAM_TLS_FAILED, "Cannot connect to the pass-through target: TLS failed");
            return;
        }
        fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the pass-through target " + target.origin());
    }

    @Override
    public void onResponsePart(HttpObject part) {
        if (done) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (part.decoderResult().isFailure()) {
            Throwable cause = part.decoderResult().cause();
            ReferenceCountUtil.release(part);
            onMalformedResponse(cause);
            return;
        }
        lastActivityNanos = services.ticker().getAsLong();
        if (part instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(part);
                return;
            }
            onHead(response);
        }
        if (part instanceof HttpContent content) {
            onContent(content);
        }
    }

    private void onHead(HttpResponse response) {
        answering = true;
        headersNanos = lastActivityNanos;
        status = response.status().code();
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), Responses.HEADERS);
        HttpHeaders headers = out.headers();
        for (Map.Entry<String, String> header : response.headers()) {
            if (!CONNECTION_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        long length = HttpUtil.getContentLength(response, -1L);
        bodyEndsAtClose = !HttpUtil.isTransferEncodingChunked(response) && length < 0 && status != 204
                && status != 304;
        if (length >= 0) {
            HttpUtil.setContentLength(out, length);
        } else if (status != 204 && status != 304) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        headers.set(Responses.CALL_ID, request.callId());
        usage = AnswerUsage.of(target.provider(), response, ctx.alloc());
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        streamed = type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
        Deployment deployment = target.deployment();
        if (deployment != null) {
            headers.set(Responses.MODEL_ID, deployment.idHeader());
        }
        Responses.setConnection(out, request.keepAlive(), request.http10());
        ctx.write(out, ctx.voidPromise());
    }

    private void onContent(HttpContent content) {
        if (firstByteNanos == 0 && content.content().isReadable()) {
            firstByteNanos = services.ticker().getAsLong();
        }
        AnswerUsage reading = usage;
        if (reading != null) {
            reading.read(content.content());
        }
        if (content instanceof LastHttpContent) {
            Responses.writeLast(ctx, content, request.keepAlive());
            cleanUp(upstreamKeepAlive && !bodyEndsAtClose && requestSent);
            finish(status, null, request.keepAlive());
        } else {
            ctx.write(content, ctx.voidPromise());
        }
    }

    @Override
    public void onReadComplete() {
        if (done) {
            return;
        }
        ctx.flush();
        UpstreamConnection upstreamConnection = connection;
        if (answering && upstreamConnection != null && !ctx.channel().isWritable()) {
            upstreamConnection.pauseReading();
            awaitingWritability = true;
        }
    }

    /** The client connection became writable again: reading from the target resumes. */
    public void onClientWritable() {
        if (awaitingWritability && !done) {
            awaitingWritability = false;
            lastActivityNanos = services.ticker().getAsLong();
            UpstreamConnection upstreamConnection = connection;
            if (upstreamConnection != null) {
                upstreamConnection.resumeReading();
            }
        }
    }

    /** The client connection closed: the relay ends at once, the upstream connection is closed. */
    public void onClientGone() {
        if (done) {
            return;
        }
        cleanUp(false);
        finish(ProxyError.CLIENT_CLOSED.status().code(), ProxyError.CLIENT_CLOSED, false);
    }

    @Override
    public void onMalformedResponse(Throwable cause) {
        if (done) {
            return;
        }
        connection = null;
        log.warn("[{}] malformed response from {}: {}", request.callId(), target.origin(), cause.toString());
        failOrCut(ProxyError.UPSTREAM_PROTOCOL_ERROR, "The pass-through target sent a malformed response");
    }

    @Override
    public void onConnectionLost(@Nullable Throwable cause) {
        if (done) {
            return;
        }
        connection = null;
        if (answering && bodyEndsAtClose) {
            Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, request.keepAlive());
            cleanUp(false);
            finish(status, null, request.keepAlive());
            return;
        }
        failOrCut(ProxyError.UPSTREAM_CLOSED,
                "The pass-through target closed the connection before the answer was complete");
    }

    private void checkTimeout() {
        if (done) {
            return;
        }
        long now = services.ticker().getAsLong();
        long limit = awaitingWritability ? services.clientWriteTimeoutNanos() : target.timeoutNanos();
        long idle = now - lastActivityNanos;
        if (idle < limit) {
            timer = ctx.executor().schedule(timeoutCheck, limit - idle, TimeUnit.NANOSECONDS);
            return;
        }
        if (awaitingWritability) {
            failOrCut(ProxyError.CLIENT_TOO_SLOW, "The client read nothing for its write timeout");
            return;
        }
        failOrCut(ProxyError.UPSTREAM_TIMEOUT, "Request timed out: no data from the pass-through target for "
                + TimeUnit.NANOSECONDS.toMillis(target.timeoutNanos()) / 1000.0 + " s");
    }

    private void failOrCut(ProxyError error, String message) {
        if (!answering) {
            fail(error, message);
            return;
        }
        log.info("[{}] {}", request.callId(), message);
        cleanUp(false);
        ctx.flush();
        ctx.close();
        finish(status, error, false);
    }

    /** Answers with an OpenAI error; nothing of the target's answer reached the client. */
    private void fail(ProxyError error, String message) {
        cleanUp(false);
        FullHttpResponse response = Responses.error(ctx.alloc(), error, message, null, request.callId());
        Responses.setConnection(response, request.keepAlive(), request.http10());
        Responses.writeLast(ctx, response, request.keepAlive());
        finish(error.status().code(), error, request.keepAlive());
    }

    /** Ends the relay: one record to the listeners, and the connection handed back to its owner. */
    private void finish(int clientStatus, @Nullable ProxyError error, boolean keepAlive) {
        long now = services.ticker().getAsLong();
        Deployment deployment = target.deployment();
        Principal principal = request.principal();
        AnswerUsage reading = usage;
        usage = null;
        if (reading != null) {
            reading.release();
        }
        Lease admitted = lease;
        if (admitted != null) {
            admitted.release(clientStatus, reading == null ? null : reading.usage());
        }
        // The model group is also the model a virtual key was admitted for: the record gives that admission back. A
        // route of no model group is still a call the spend is written for (LiteLLM logs every pass-through call),
        // so its record's group is empty rather than absent, which marks a request that never became a call.
        String model = deployment == null ? null : deployment.modelGroup();
        services.listener().onCallEnded(new CallRecord(request.callId(), Endpoint.PASS_THROUGH, model,
                model == null ? "" : model, deployment == null ? null : deployment.id(),
                principal, clientStatus, error, streamed, reading == null ? null : reading.usage(),
                request.startNanos(), firstByteNanos, now,
                headersNanos == 0 ? 0 : headersNanos - sentNanos, attempts(deployment, clientStatus, error, now),
                request.traceparent()));
        owner.onCallEnded(keepAlive);
    }

    /**
     * The one attempt of a provider route served by a deployment, so that the metrics count its tokens and cost as
     * those of the deployment's calls; none for a route without a deployment.
     */
    private List<AttemptRecord> attempts(@Nullable Deployment deployment, int clientStatus,
            @Nullable ProxyError error, long nowNanos) {
        if (deployment == null) {
            return List.of();
        }
        return List.of(new AttemptRecord(deployment.id(), clientStatus, error,
                sentNanos != 0 ? sentNanos : request.startNanos(), headersNanos, nowNanos));
    }

    private void cleanUp(boolean reuseConnection) {
        done = true;
        body.detach(this);
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
    }
}
