package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.config.SslVerify;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.UpstreamOrigin;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.TlsPolicy;
import io.netty.util.AsciiString;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Everything the request path needs about one deployment, computed once at start-up so that a request only copies
 * references: the pool key, and every header name and value already encoded.
 *
 * @param deployment the configured deployment
 * @param origin where its connections go, or null for mock and unsupported deployments
 * @param hostHeader the {@code Host} header value
 * @param authName the provider key header name, or null when no key is configured
 * @param authValue the provider key header value (a secret), or null
 * @param modelId {@code x-litellm-model-id}
 * @param modelGroup {@code x-litellm-model-group}
 * @param apiBase {@code x-litellm-model-api-base}
 * @param timeoutNanos silence allowed from a non-streamed upstream response before it is abandoned (408)
 * @param streamTimeoutNanos the same for streamed responses
 * @param connectTimeoutMillis TCP connect timeout
 */
record UpstreamRoute(
        Deployment deployment,
        @Nullable Origin origin,
        AsciiString hostHeader,
        @Nullable AsciiString authName,
        @Nullable AsciiString authValue,
        AsciiString modelId,
        AsciiString modelGroup,
        AsciiString apiBase,
        long timeoutNanos,
        long streamTimeoutNanos,
        int connectTimeoutMillis) {

    /** Connects give up after this long even when the request timeout is longer: a dead host should fail fast. */
    private static final int MAX_CONNECT_TIMEOUT_MILLIS = 10_000;

    static UpstreamRoute of(Deployment deployment) {
        UpstreamOrigin upstream = deployment.origin();
        Origin origin = null;
        String apiBase = "";
        String hostHeader = "";
        if (upstream != null && deployment.mockResponse() == null) {
            origin = new Origin(upstream.isTls(), upstream.host(), upstream.port(), tlsPolicy(deployment.sslVerify()));
            apiBase = upstream.baseUrl();
            hostHeader = upstream.hostHeader();
        }
        String authName = deployment.authHeaderName();
        String authValue = deployment.authHeaderValue();
        long timeoutNanos = deployment.timeout().toNanos();
        return new UpstreamRoute(
                deployment,
                origin,
                AsciiString.of(hostHeader),
                authName == null ? null : AsciiString.cached(authName),
                authValue == null ? null : AsciiString.of(authValue),
                AsciiString.of(deployment.id()),
                AsciiString.of(deployment.modelGroup()),
                AsciiString.of(apiBase),
                timeoutNanos,
                deployment.streamTimeout().toNanos(),
                (int) Math.min(MAX_CONNECT_TIMEOUT_MILLIS, Math.max(1, timeoutNanos / 1_000_000)));
    }

    private static TlsPolicy tlsPolicy(SslVerify ssl) {
        if (!ssl.verify()) {
            return TlsPolicy.INSECURE;
        }
        return ssl.caBundle() == null ? TlsPolicy.VERIFY : TlsPolicy.trusting(Path.of(ssl.caBundle()));
    }
}
