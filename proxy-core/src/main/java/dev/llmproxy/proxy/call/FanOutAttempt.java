package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.provider.FanOutAdapter;
import dev.llmproxy.proxy.provider.FanOutRequest;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.ResponsesBridgeAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Failure;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
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
 * start() has the adapter read the request into its provider calls (FanOutRequest; a 400 when it cannot). Each call
 * is a Part, an UpstreamExchange of its own on a connection of its own from the event loop's pool; at most
 * MAX_IN_FLIGHT are out at once, the next one sent as one answers. A part collects its answer whole (bounded).
 * Nothing reaches the client before every part answered: the first error answer stops the other parts (their
 * connections closed, their answers dropped) and is judged by the call like any attempt's error (another attempt, or
 * the error relayed, translated); when every part succeeded, the adapter puts the answers together and the call
 * commits to it. So the request costs one attempt, one lease and one record, whatever the number of calls.
 *
 * One timer measures the provider's silence across all parts: any part's bytes count as activity. A part whose
 * pooled connection closes before any answer byte is sent once more on a fresh connection, as UpstreamAttempt does.
 *
 * End states (exactly one, guarded by `done`): failed before commit; answered (success or a committed error);
 * cancelled by the call. Each cancels the timer and releases every part's connection and collected bytes.
 */
/**
 * An attempt whose request is several provider calls put together into one answer ({@link FanOutAdapter}: Titan
 * embeddings on Bedrock, one InvokeModel call per input). Thread-safety: confined to the client connection's event
 * loop, which is also the event loop of every upstream connection it leases.
 */
final class FanOutAttempt extends Attempt {
    private static final Logger log = LoggerFactory.getLogger(FanOutAttempt.class);

    /** Calls out at once for one request: enough to hide the latency of a batch, few enough to spare the provider. */
    static final int MAX_IN_FLIGHT = 8;
    /** The most one call's answer may weigh; an embedding answer is a few tens of KB. */
    private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;
    private static final AsciiString USER_AGENT = AsciiString.cached("llmproxy/" + Version.current());

    private final ChannelHandlerContext ctx;
    private final CallRequest request;
    private final Deployment deployment;
    private final ProviderAdapter adapter;
    private final String upstreamModel;
    private final long silenceNanos;
    private final Runnable timeoutCheck = this::checkTimeout;

    private @Nullable FanOutRequest plan;
    private Part[] parts = new Part[0];
    private int started;
    private int answered;
    private @Nullable ScheduledFuture<?> timer;
    private long lastActivityNanos;
    private long sentNanos;
    private boolean done;

    FanOutAttempt(ModelCall call, Lease lease, long startNanos) {
        super(call, lease, startNanos);
        this.ctx = call.ctx;
        this.request = call.request;
        this.deployment = lease.target().deployment();
        ProviderAdapter providerAdapter = deployment.adapter();
        if (providerAdapter == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " has no adapter");
        }
        this.adapter = providerAdapter;
        this.upstreamModel = lease.target().upstreamModel();
        this.silenceNanos = call.attemptTimeoutNanos(deployment.timeoutNanos());
    }

    /** Whether requests to the call's endpoint on {@code adapter} take this kind of attempt. */
    static boolean fansOut(@Nullable ProviderAdapter adapter, CallRequest request) {
        return adapter != null && ResponsesBridgeAdapter.unwrap(adapter) instanceof FanOutAdapter fan
                && fan.fansOut(request.endpoint());
    }

    @Override
    void start() {
        FanOutAdapter fan = (FanOutAdapter) ResponsesBridgeAdapter.unwrap(adapter);
        FanOutRequest calls;
        try {
            calls = fan.fanOut(call.body(), request.endpoint(), upstreamModel, call.services.clock());
        } catch (InvalidRequestException e) {
            failBeforeCommit(ProxyError.BAD_REQUEST, String.valueOf(e.getMessage()));
            return;
        }
        plan = calls;
        parts = new Part[calls.calls()];
        lastActivityNanos = startNanos;
        sentNanos = call.services.ticker().getAsLong();
        timer = ctx.executor().schedule(timeoutCheck, silenceNanos, TimeUnit.NANOSECONDS);
        while (!done && started < parts.length && started < MAX_IN_FLIGHT) {
            startNext();
        }
    }

    private void startNext() {
        Part part = new Part(started);
        parts[started++] = part;
        part.connect();
    }

    @Override
    void onClientWritable() {
        // The answer is written whole at the end; there is nothing waiting for writability.
    }

    @Override
    void cancel() {
        if (!done) {
            cleanUp();
        }
    }

    /** A part's answer is complete: an error decides the attempt, a success waits for the others. */
    private void answered(HttpResponse head, CompositeByteBuf body) {
        int status = head.status().code();
        if (status >= 400) {
            decideOnError(status, head, body);
            return;
        }
        answered++;
        if (started < parts.length) {
            startNext();
        }
        if (answered == parts.length) {
            allAnswered();
        }
    }

    private void decideOnError(int status, HttpResponse head, CompositeByteBuf body) {
        FanOutRequest calls = requirePlan();
        headersNanos = call.services.ticker().getAsLong();
        Failure failure = ProviderFailures.of(status, head.headers(), body, call.services.clock());
        if (!call.shouldCommit(this, failure)) {
            log.debug("[{}] {} answered {}; retrying", request.callId(), deployment.id(), status);
            cleanUp();
            call.attemptFailed(this, status, null, null);
            return;
        }
        TranslatedBody error = calls.error(ctx.alloc(), status, body);
        write(error, null);
    }

    private void allAnswered() {
        FanOutRequest calls = requirePlan();
        headersNanos = call.services.ticker().getAsLong();
        List<ByteBuf> bodies = new ArrayList<>(parts.length);
        List<HttpHeaders> heads = new ArrayList<>(parts.length);
        for (Part part : parts) {
            bodies.add(part.requireBody());
            heads.add(part.requireHead().headers());
        }
        TranslatedBody answer = calls.aggregate(ctx.alloc(), bodies, heads);
        if (answer.status() >= 400 && !call.shouldCommit(this, Failure.of(answer.status()))) {
            answer.body().release();
            cleanUp();
            call.attemptFailed(this, answer.status(), null, null);
            return;
        }
        if (answer.status() < 400) {
            call.shouldCommit(this, answer.status());
        }
        write(answer, answer.usage());
    }

    /** Writes the committed answer and ends the attempt. */
    private void write(TranslatedBody answer, @Nullable Usage usage) {
        int status = answer.status();
        FullHttpResponse response = Responses.full(HttpResponseStatus.valueOf(status),
                HttpHeaderValues.APPLICATION_JSON, answer.body(), request.callId());
        call.addProxyHeaders(response.headers(), deployment, sentNanos, headersNanos);
        Responses.setConnection(response, request.keepAlive(), request.http10());
        cleanUp();
        call.attemptEnded(this, status, null, usage);
        Responses.writeLast(ctx, response, request.keepAlive());
        call.attemptFinished(this, status, null, usage, false, headersNanos, headersNanos - sentNanos,
                request.keepAlive());
    }

    private FanOutRequest requirePlan() {
        FanOutRequest calls = plan;
        if (calls == null) {
            throw new IllegalStateException("the attempt has no provider calls");
        }
        return calls;
    }

    private void failBeforeCommit(ProxyError error, String message) {
        cleanUp();
        call.attemptFailed(this, error.status().code(), error, message);
    }

    private void checkTimeout() {
        if (done) {
            return;
        }
        long idleNanos = call.services.ticker().getAsLong() - lastActivityNanos;
        if (idleNanos < silenceNanos) {
            timer = ctx.executor().schedule(timeoutCheck, silenceNanos - idleNanos, TimeUnit.NANOSECONDS);
            return;
        }
        String message = "Request timed out: no data from the provider for "
                + TimeUnit.NANOSECONDS.toMillis(silenceNanos) / 1000.0 + " s";
        log.info("[{}] {} ({})", request.callId(), message, deployment.id());
        failBeforeCommit(ProxyError.UPSTREAM_TIMEOUT, message);
    }

    /** Cancels the timer and lets go of every part's connection and bytes. */
    private void cleanUp() {
        done = true;
        ScheduledFuture<?> pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel(false);
        }
        for (Part part : parts) {
            if (part != null) {
                part.close();
            }
        }
    }

    /** One provider call: its connection, its request and its collected answer. */
    private final class Part implements UpstreamExchange {
        private final int index;
        private @Nullable UpstreamConnection connection;
        private @Nullable HttpResponse head;
        /** The answer's bytes; owned here until the attempt ends. */
        private @Nullable CompositeByteBuf body;
        private boolean complete;
        private boolean receivedAny;
        private boolean retried;

        Part(int index) {
            this.index = index;
        }

        void connect() {
            Origin origin = deployment.origin();
            if (origin == null) {
                throw new IllegalStateException("deployment " + deployment.id() + " has no origin");
            }
            call.services.upstream().acquire(ctx.channel().eventLoop(), origin, deployment.connectTimeoutMillis(),
                    this);
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
            FanOutRequest calls = requirePlan();
            ByteBuf content = calls.encode(ctx.alloc(), index);
            FullHttpRequest upstreamRequest = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    calls.path(), content, Responses.HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
            upstreamRequest.headers()
                    .set(HttpHeaderNames.HOST, deployment.hostHeader())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                    .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
            UpstreamAuth auth = adapter.auth();
            if (auth.apply(upstreamRequest, content)) {
                upstreamConnection.send(upstreamRequest);
                return;
            }
            ReferenceCountUtil.release(upstreamRequest);
            auth.ready().whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
                if (done || connection != upstreamConnection) {
                    return;
                }
                if (failure == null) {
                    send(upstreamConnection);
                    return;
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                log.info("[{}] no credentials for {}: {}", request.callId(), deployment.id(), cause.toString());
                if (cause instanceof UpstreamAuth.CredentialsException) {
                    failBeforeCommit(ProxyError.UPSTREAM_AUTH_FAILED, String.valueOf(cause.getMessage()));
                } else {
                    failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED,
                            "Cannot authenticate with the provider (no credentials available)");
                }
            }));
        }

        @Override
        public void onConnectFailed(Throwable cause) {
            if (done) {
                return;
            }
            log.info("[{}] cannot connect to {}: {}", request.callId(), deployment.origin(), cause.toString());
            if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
                failBeforeCommit(ProxyError.UPSTREAM_TLS_FAILED,
                        "TLS handshake with the provider failed (untrusted certificate or no common protocol)");
            } else if (cause instanceof UnknownHostException) {
                failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot resolve the provider's host name");
            } else {
                failBeforeCommit(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the provider");
            }
        }

        @Override
        public void onResponsePart(HttpObject message) {
            if (done || complete) {
                ReferenceCountUtil.release(message);
                return;
            }
            if (message.decoderResult().isFailure()) {
                Throwable cause = message.decoderResult().cause();
                ReferenceCountUtil.release(message);
                onConnectionLost(cause);
                return;
            }
            lastActivityNanos = call.services.ticker().getAsLong();
            receivedAny = true;
            if (message instanceof HttpResponse response) {
                if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    ReferenceCountUtil.release(message);
                    return;
                }
                head = response;
                body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            }
            if (message instanceof HttpContent content) {
                collect(content);
            }
        }

        private void collect(HttpContent content) {
            CompositeByteBuf collected = body;
            HttpResponse responseHead = head;
            if (collected == null || responseHead == null) {
                content.release();
                failBeforeCommit(ProxyError.UPSTREAM_PROTOCOL_ERROR, "The provider sent a body without a head");
                return;
            }
            if (collected.readableBytes() + content.content().readableBytes() > MAX_ANSWER_BYTES) {
                content.release();
                failBeforeCommit(ProxyError.UPSTREAM_PROTOCOL_ERROR,
                        "The provider's response is larger than " + MAX_ANSWER_BYTES + " bytes");
                return;
            }
            collected.addComponent(true, content.content().retain());
            content.release();
            if (content instanceof LastHttpContent) {
                complete = true;
                UpstreamConnection upstreamConnection = connection;
                connection = null;
                if (upstreamConnection != null) {
                    if (HttpUtil.isKeepAlive(responseHead)) {
                        upstreamConnection.release();
                    } else {
                        upstreamConnection.discard();
                    }
                }
                answered(responseHead, collected);
            }
        }

        @Override
        public void onReadComplete() {
            // Nothing is relayed before every part answered: there is nothing to flush.
        }

        @Override
        public void onMalformedResponse(Throwable cause) {
            if (done) {
                return;
            }
            connection = null;
            log.warn("[{}] malformed response from {}: {}", request.callId(), deployment.origin(), cause.toString());
            failBeforeCommit(ProxyError.UPSTREAM_PROTOCOL_ERROR, "The provider sent a malformed response");
        }

        @Override
        public void onConnectionLost(@Nullable Throwable cause) {
            if (done || complete) {
                return;
            }
            UpstreamConnection lost = connection;
            connection = null;
            if (!receivedAny && !retried && lost != null && lost.isReused()) {
                retried = true;
                connect();
                return;
            }
            failBeforeCommit(ProxyError.UPSTREAM_CLOSED, "The provider closed the connection without answering");
        }

        HttpResponse requireHead() {
            HttpResponse responseHead = head;
            if (responseHead == null) {
                throw new IllegalStateException("part " + index + " has no answer");
            }
            return responseHead;
        }

        ByteBuf requireBody() {
            ByteBuf collected = body;
            if (collected == null) {
                throw new IllegalStateException("part " + index + " has no answer");
            }
            return collected;
        }

        /** Closes an unfinished call's connection (a pooled one was given back when its answer ended). */
        void close() {
            UpstreamConnection upstreamConnection = connection;
            connection = null;
            if (upstreamConnection != null) {
                upstreamConnection.discard();
            }
            CompositeByteBuf collected = body;
            body = null;
            head = null;
            if (collected != null) {
                collected.release();
            }
        }
    }
}
