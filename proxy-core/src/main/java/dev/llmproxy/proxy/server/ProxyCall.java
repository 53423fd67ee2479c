package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.RequestRewriter;
import dev.llmproxy.codec.openai.JsonBodyUsageScanner;
import dev.llmproxy.codec.openai.StreamChunk;
import dev.llmproxy.codec.openai.StreamChunkInspector;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.proxy.route.Endpoint;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * A ProxyCall relays one request to a provider and the response back, on the client connection's event loop, which
 * is also the event loop of the upstream connection it leases: no field is shared with another thread.
 *
 * Flow: start() -> pool lease -> onConnected() sends the rewritten body -> onResponsePart() receives the head, then
 * content parts; each part is written to the client as it arrives and the read cycle's writes are flushed in
 * onReadComplete(), so a streamed token leaves in the read cycle it arrived in. When the client connection stops
 * being writable, reading from the provider pauses until it drains: a slow client slows the provider's socket
 * instead of filling our memory.
 *
 * Streams are framed into whole SSE events so that usage can be read from them and, when the proxy itself asked
 * for usage (stream_options.include_usage), the extra usage-only event can be hidden from a client that did not.
 * Only the incomplete tail of an event waits for its next bytes.
 *
 * End states (exactly one, guarded by `done`): complete; failed before any response byte (an OpenAI error is sent);
 * aborted mid-response (an SSE error event ends a stream, a plain body is cut by closing the connection); client
 * gone (the upstream connection is closed at once, the provider stops generating). Each releases the request body,
 * cancels the timer, returns or closes the upstream connection, and reports a CallRecord.
 *
 * A pooled connection can have been closed by the provider just as it is reused. When such a connection fails
 * before any response byte, the request is sent once more on a fresh connection, as HTTP clients generally do.
 */
final class ProxyCall implements ModelCall, UpstreamExchange {
    private static final Logger log = LoggerFactory.getLogger(ProxyCall.class);

    private static final int MAX_SSE_EVENT_BYTES = 4 * 1024 * 1024;
    private static final int CLIENT_CLOSED_STATUS = 499;
    private static final AsciiString USER_AGENT = AsciiString.cached("llmproxy/" + Version.current());
    /**
     * Upstream headers not passed on: the hop-by-hop ones (RFC 9110 section 7.6.1), the framing the proxy sets
     * itself, and cookies, which belong to the proxy's session with the provider and not to the client.
     */
    private static final AsciiString[] NOT_RELAYED = {
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.SET_COOKIE};

    private final ChannelHandlerContext ctx;
    private final ClientHandler client;
    private final ServerContext server;
    private final CallContext call;
    private final boolean stream;
    private final boolean hideUsage;
    private final long timeoutNanos;
    private final Runnable timeoutCheck = this::checkTimeout;

    /** The body sent upstream; owned here until the call ends (kept for the one retry on a stale connection). */
    private @Nullable ByteBuf body;

    private @Nullable UpstreamConnection connection;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable SseEventFramer framer;
    private @Nullable JsonBodyUsageScanner bodyUsage;
    private boolean scanBodyUsage;
    private @Nullable Usage usage;
    private long lastActivityNanos;
    private long sentNanos;
    private long headersNanos;
    private long firstByteNanos;
    private int status;
    private boolean responseStarted;
    private boolean upstreamKeepAlive;
    private boolean bodyEndsAtClose;
    private boolean receivedAny;
    private boolean retried;
    private boolean awaitingWritability;
    private boolean done;

    /**
     * @param requestBody the client's body; not retained beyond the constructor (the rewrite keeps what it needs)
     */
    ProxyCall(
            ChannelHandlerContext ctx, ClientHandler client, ServerContext server, CallContext call,
            ByteBuf requestBody) {
        this.ctx = ctx;
        this.client = client;
        this.server = server;
        this.call = call;
        this.stream = call.request().stream();
        // Ask for usage so spend can be tracked, unless the client set stream_options itself.
        this.hideUsage = stream && call.endpoint() != Endpoint.EMBEDDINGS && !call.request().hasStreamOptions();
        this.timeoutNanos = stream ? call.upstream().streamTimeoutNanos() : call.upstream().timeoutNanos();
        this.body = RequestRewriter.rewrite(
                ctx.alloc(), requestBody, call.request(), call.target().upstreamModelJson(), hideUsage);
    }

    @Override
    public void start() {
        lastActivityNanos = server.ticker.getAsLong();
        timer = ctx.executor().schedule(timeoutCheck, timeoutNanos, TimeUnit.NANOSECONDS);
        acquireConnection();
    }

    private void acquireConnection() {
        UpstreamRoute upstream = call.upstream();
        server.upstream.acquire(ctx.channel().eventLoop(), upstream.origin(), upstream.connectTimeoutMillis(), this);
    }

    @Override
    public void onConnected(UpstreamConnection upstreamConnection) {
        if (done) {
            upstreamConnection.release();
            return;
        }
        connection = upstreamConnection;
        sentNanos = server.ticker.getAsLong();
        upstreamConnection.send(newUpstreamRequest());
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        if (done) {
            return;
        }
        log.info("[{}] cannot connect to {}: {}", call.callId(), call.upstream().origin(), cause.toString());
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            // The detail (certificate path, protocol) is in the log line above; clients get no JSSE internals.
            fail(ProxyError.UPSTREAM_TLS_FAILED,
                    "TLS handshake with the provider failed (untrusted certificate or no common protocol)");
        } else if (cause instanceof UnknownHostException) {
            fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot resolve the provider's host name");
        } else if (cause instanceof ConnectTimeoutException) {
            fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Timed out connecting to the provider");
        } else if (cause instanceof ConnectException) {
            fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the provider (connection refused)");
        } else {
            fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the provider");
        }
    }

    @Override
    public void onResponsePart(HttpObject part) {
        if (done) {
            ReferenceCountUtil.release(part);
            return;
        }
        lastActivityNanos = server.ticker.getAsLong();
        receivedAny = true;
        if (part instanceof HttpResponse head) {
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(part);
                return;
            }
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
        }
    }

    @Override
    public void onClientWritable() {
        if (awaitingWritability && !done) {
            awaitingWritability = false;
            UpstreamConnection upstreamConnection = connection;
            if (upstreamConnection != null) {
                upstreamConnection.resumeReading();
            }
        }
    }

    @Override
    public void onConnectionLost(@Nullable Throwable cause) {
        if (done) {
            return;
        }
        UpstreamConnection lost = connection;
        connection = null;
        if (!receivedAny && !retried && lost != null && lost.isReused()) {
            retried = true;
            acquireConnection();
            return;
        }
        if (responseStarted && bodyEndsAtClose) {
            complete(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        if (!responseStarted) {
            boolean tls = cause instanceof SSLException || (cause != null && cause.getCause() instanceof SSLException);
            fail(tls ? ProxyError.UPSTREAM_TLS_FAILED : ProxyError.UPSTREAM_CLOSED,
                    tls ? "TLS failure talking to the provider" : "The provider closed the connection without answering");
            return;
        }
        abort("The provider closed the connection before the response was complete");
    }

    @Override
    public void onClientGone() {
        if (done) {
            return;
        }
        log.debug("[{}] client went away; cancelling the upstream request", call.callId());
        end(CLIENT_CLOSED_STATUS, false, false);
    }

    private FullHttpRequest newUpstreamRequest() {
        ByteBuf content = body.retainedDuplicate();
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                call.target().requestPath(call.endpoint()),
                content,
                Responses.HEADERS.newHeaders(),
                EmptyHttpHeaders.INSTANCE);
        UpstreamRoute upstream = call.upstream();
        HttpHeaders headers = request.headers()
                .set(HttpHeaderNames.HOST, upstream.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.ACCEPT, stream ? Responses.EVENT_STREAM : HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        if (upstream.authName() != null) {
            headers.set(upstream.authName(), upstream.authValue());
        }
        return request;
    }

    private void startResponse(HttpResponse head) {
        headersNanos = server.ticker.getAsLong();
        status = head.status().code();
        upstreamKeepAlive = HttpUtil.isKeepAlive(head);
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        boolean eventStream = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status(), Responses.HEADERS);
        HttpHeaders headers = response.headers().set(head.headers());
        for (AsciiString name : NOT_RELAYED) {
            headers.remove(name);
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        long contentLength = HttpUtil.getContentLength(head, -1L);
        bodyEndsAtClose = !chunked && contentLength < 0;
        if (eventStream) {
            framer = new SseEventFramer(ctx.alloc(), MAX_SSE_EVENT_BYTES, this::inspectEvent);
            HttpUtil.setTransferEncodingChunked(response, true);
        } else {
            if (contentLength >= 0) {
                HttpUtil.setContentLength(response, contentLength);
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
            scanBodyUsage = head.status().codeClass() == HttpStatusClass.SUCCESS;
        }
        addProxyHeaders(headers);
        Responses.setConnection(response, call.keepAlive(), call.http10());
        responseStarted = true;
        ctx.write(response, ctx.voidPromise());
    }

    private void addProxyHeaders(HttpHeaders headers) {
        UpstreamRoute upstream = call.upstream();
        headers.set(Responses.CALL_ID, call.callId())
                .set(Responses.MODEL_ID, upstream.modelId())
                .set(Responses.MODEL_GROUP, upstream.modelGroup())
                .set(Responses.MODEL_API_BASE, upstream.apiBase())
                .set(Responses.RESPONSE_DURATION_MS, Durations.millis(headersNanos - call.startNanos()))
                .set(Responses.OVERHEAD_DURATION_MS, Durations.millis(sentNanos - call.startNanos()));
    }

    private void relay(HttpContent content) {
        ByteBuf bytes = content.content();
        if (firstByteNanos == 0 && bytes.isReadable()) {
            firstByteNanos = server.ticker.getAsLong();
        }
        boolean last = content instanceof LastHttpContent;
        SseEventFramer sse = framer;
        if (sse != null) {
            ByteBuf events = sse.frame(bytes);
            content.release();
            writeContent(events);
            if (last) {
                writeContent(sse.finish());
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

    /** Reads usage from a plain body: at once when it arrived whole, else incrementally part by part. */
    private void scanBodyUsage(ByteBuf bytes, boolean last) {
        JsonBodyUsageScanner scanner = bodyUsage;
        if (scanner == null && last) {
            usage = JsonBodyUsageScanner.usageOf(bytes);
            return;
        }
        if (scanner == null) {
            scanner = new JsonBodyUsageScanner();
            bodyUsage = scanner;
        }
        scanner.feed(bytes);
    }

    /** Looks at one complete SSE event's data, keeping its usage; drops the usage event the proxy asked for. */
    private SseEventFramer.Decision inspectEvent(ByteBuf data, int index, int length) {
        StreamChunk chunk = StreamChunkInspector.inspect(data, index, length);
        if (chunk.usage() != null) {
            usage = chunk.usage();
            if (hideUsage && chunk.usageOnly()) {
                return SseEventFramer.Decision.DROP;
            }
        }
        return SseEventFramer.Decision.FORWARD;
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
        Responses.writeLast(ctx, last, call.keepAlive());
        end(status, upstreamKeepAlive && !bodyEndsAtClose, call.keepAlive());
    }

    /** Fails the call before any response byte was sent: the client gets an OpenAI-style error. */
    private void fail(ProxyError error, String message) {
        FullHttpResponse response = Responses.error(ctx.alloc(), error, message, null, call.callId());
        Responses.setConnection(response, call.keepAlive(), call.http10());
        Responses.writeLast(ctx, response, call.keepAlive());
        end(error.status().code(), false, call.keepAlive());
    }

    /**
     * Ends a response that already started: a stream gets an error event and a proper end, so the client sees why;
     * a plain body cannot be marked, so the connection is closed and the client sees a truncated response.
     */
    private void abort(String message) {
        log.info("[{}] {}", call.callId(), message);
        if (framer != null) {
            ByteBuf event = Responses.errorEvent(ctx.alloc(), ProxyError.UPSTREAM_CLOSED, message);
            ctx.write(new DefaultHttpContent(event), ctx.voidPromise());
            Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, call.keepAlive());
            end(status, false, call.keepAlive());
            return;
        }
        ctx.flush();
        ctx.close();
        end(status, false, false);
    }

    private void checkTimeout() {
        if (done) {
            return;
        }
        long idleNanos = server.ticker.getAsLong() - lastActivityNanos;
        if (idleNanos < timeoutNanos) {
            timer = ctx.executor().schedule(timeoutCheck, timeoutNanos - idleNanos, TimeUnit.NANOSECONDS);
            return;
        }
        String message = "Request timed out: no data from the provider for "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 1000.0 + " s";
        UpstreamConnection upstreamConnection = connection;
        connection = null;
        if (upstreamConnection != null) {
            upstreamConnection.discard();
        }
        if (responseStarted) {
            abort(message);
        } else {
            fail(ProxyError.UPSTREAM_TIMEOUT, message);
        }
    }

    /**
     * The single exit: releases the body, stops the timer, returns or closes the upstream connection, reports the
     * call and hands the client connection back.
     *
     * @param recordedStatus the status recorded for metrics and spend (499 when the client left first)
     * @param reuseConnection whether the upstream connection goes back to its pool
     * @param keepAlive whether the client connection takes the next request
     */
    private void end(int recordedStatus, boolean reuseConnection, boolean keepAlive) {
        done = true;
        ByteBuf requestBody = body;
        body = null;
        if (requestBody != null) {
            requestBody.release();
        }
        ScheduledFuture<?> pending = timer;
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
        SseEventFramer sse = framer;
        if (sse != null) {
            sse.release();
        }
        long endNanos = server.ticker.getAsLong();
        server.listener.onCallEnded(new CallRecord(
                call.callId(),
                call.endpoint(),
                call.requestedModel(),
                call.modelGroup(),
                call.target().deployment().id(),
                recordedStatus,
                stream,
                usage,
                call.startNanos(),
                firstByteNanos,
                endNanos,
                headersNanos == 0 ? 0 : headersNanos - sentNanos));
        client.onCallEnded(keepAlive);
    }
}
