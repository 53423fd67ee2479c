package dev.llmproxy.proxy.health;

import dev.llmproxy.codec.json.RequestScanner;
import dev.llmproxy.proxy.provider.ProviderAdapter;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Lease;
import dev.llmproxy.proxy.route.Target;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.Upstream;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * One probe is one request on a pooled upstream connection of the checker's event loop, encoded by the deployment's
 * own adapter (so a translated provider gets its own format and authentication), sent without waiting for anything
 * else, and judged by its status alone: the body is read and dropped. Exactly one end (guarded by `done`): the
 * response completed, the connection failed, or the timer fired; each releases the encoded body and the lease, and
 * returns the connection to the pool only after a complete keep-alive response (else closes it).
 */
/**
 * Sends one deployment the cheapest request of its mode and reports whether it answered as a working deployment.
 * Thread-safety: confined to the event loop it was started on.
 */
final class HealthProbe implements UpstreamExchange {
    private static final AsciiString USER_AGENT = AsciiString.cached("llmproxy-health-check");

    private final EventLoop loop;
    private final Upstream upstream;
    private final Lease lease;
    private final Target target;
    private final Deployment deployment;
    private final ProviderAdapter adapter;
    private final ProbeMode mode;
    private final long timeoutMillis;
    private final CompletableFuture<EndpointHealth> result = new CompletableFuture<>();

    /** The request path of the probe's endpoint, set when it starts. */
    private String path = "";
    /** The encoded body; owned here until the probe ends. */
    private @Nullable ByteBuf body;
    private @Nullable UpstreamConnection connection;
    private @Nullable ScheduledFuture<?> timer;
    private int status;
    private boolean keepAlive;
    private boolean receivedAny;
    private boolean resent;
    private boolean done;

    private HealthProbe(EventLoop loop, Upstream upstream, Lease lease, ProviderAdapter adapter, ProbeMode mode,
            long timeoutMillis) {
        this.loop = loop;
        this.upstream = upstream;
        this.lease = lease;
        this.target = lease.target();
        this.deployment = target.deployment();
        this.adapter = adapter;
        this.mode = mode;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Probes {@code lease}'s target; must be called on {@code loop}. The lease is released when the probe ends.
     *
     * @param adapter the deployment's adapter (non-null for a supported provider)
     */
    static CompletableFuture<EndpointHealth> start(EventLoop loop, Upstream upstream, Lease lease,
            ProviderAdapter adapter, ProbeMode mode, long timeoutMillis) {
        HealthProbe probe = new HealthProbe(loop, upstream, lease, adapter, mode, timeoutMillis);
        probe.start();
        return probe.result;
    }

    private void start() {
        ByteBuf plain = ByteBufAllocator.DEFAULT.buffer(mode.body().length).writeBytes(mode.body());
        try {
            path = target.requestPath(mode.endpoint(), false);
            body = adapter.encodeRequest(ByteBufAllocator.DEFAULT, plain, RequestScanner.scan(plain),
                    target.upstreamModelJson(), false);
        } catch (RuntimeException e) {
            // The provider has no such endpoint (an Anthropic deployment marked as an embedding model, say).
            finish(false, 400, "llmproxy cannot send a " + mode.configName() + " request to provider "
                    + deployment.provider().name());
            return;
        } finally {
            plain.release();
        }
        timer = loop.schedule(this::timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
        acquireConnection();
    }

    private void acquireConnection() {
        Origin origin = deployment.origin();
        if (origin == null) {
            finish(false, 0, "provider " + deployment.provider().name() + " is not supported by this llmproxy");
            return;
        }
        upstream.acquire(loop, origin, deployment.connectTimeoutMillis(), this);
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
        ByteBuf encoded = body;
        if (encoded == null) {
            return;
        }
        ByteBuf content = encoded.retainedDuplicate();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, content);
        request.headers()
                .set(HttpHeaderNames.HOST, deployment.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        UpstreamAuth auth = adapter.auth();
        if (auth.apply(request, request.content())) {
            upstreamConnection.send(request);
            return;
        }
        request.release();
        auth.ready().whenComplete((ignored, failure) -> loop.execute(() -> {
            if (done || connection != upstreamConnection) {
                return;
            }
            if (failure != null) {
                finish(false, 401, "no credentials for the provider");
                return;
            }
            send(upstreamConnection);
        }));
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        finish(false, 502, "cannot connect to the provider (" + reason(cause) + ")");
    }

    private static String reason(Throwable cause) {
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            return "TLS handshake failed";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host";
        }
        if (cause instanceof ConnectTimeoutException) {
            return "timed out";
        }
        return cause instanceof ConnectException ? "connection refused" : "connection failed";
    }

    @Override
    public void onResponsePart(HttpObject part) {
        try {
            if (done) {
                return;
            }
            if (part.decoderResult().isFailure()) {
                onConnectionLost(part.decoderResult().cause());
                return;
            }
            receivedAny = true;
            if (part instanceof HttpResponse head) {
                if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    return;
                }
                status = head.status().code();
                keepAlive = HttpUtil.isKeepAlive(head);
            }
            if (part instanceof LastHttpContent) {
                UpstreamConnection used = connection;
                connection = null;
                if (used != null) {
                    if (keepAlive) {
                        used.release();
                    } else {
                        used.discard();
                    }
                }
                finish(isHealthy(status), status, isHealthy(status) ? null : "the provider answered " + status);
            }
        } finally {
            ReferenceCountUtil.release(part);
        }
    }

    @Override
    public void onReadComplete() {
        // Nothing is relayed, so there is nothing to flush.
    }

    @Override
    public void onMalformedResponse(Throwable cause) {
        connection = null;
        finish(false, 502, "the provider sent a malformed response");
    }

    @Override
    public void onConnectionLost(@Nullable Throwable cause) {
        if (done) {
            return;
        }
        UpstreamConnection lost = connection;
        connection = null;
        if (!receivedAny && !resent && lost != null && lost.isReused()) {
            // A pooled connection the provider closed as it was reused: send once more on a fresh one.
            resent = true;
            acquireConnection();
            return;
        }
        finish(false, 503, "the provider closed the connection without answering");
    }

    private void timedOut() {
        // LiteLLM's text for a probe that timed out.
        finish(false, 408, "Timeout exceeded");
    }

    /**
     * Whether a status means the deployment works: 2xx, or a 400/422 (the provider is reachable and took the key; it
     * refused the probe's parameters, e.g. {@code max_tokens} on a model that wants {@code max_completion_tokens}).
     */
    static boolean isHealthy(int status) {
        return status / 100 == 2 || status == 400 || status == 422;
    }

    private void finish(boolean healthy, int leaseStatus, @Nullable String error) {
        if (done) {
            return;
        }
        done = true;
        ScheduledFuture<?> pending = timer;
        if (pending != null) {
            pending.cancel(false);
        }
        ByteBuf encoded = body;
        body = null;
        if (encoded != null) {
            encoded.release();
        }
        UpstreamConnection open = connection;
        connection = null;
        if (open != null) {
            open.discard();
        }
        lease.release(leaseStatus, null);
        result.complete(new EndpointHealth(deployment, mode.configName(), healthy, error));
    }
}
