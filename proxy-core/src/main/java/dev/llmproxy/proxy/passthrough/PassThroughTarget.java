package dev.llmproxy.proxy.passthrough;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.upstream.Origin;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where one pass-through request goes, and what is added to it.
 *
 * @param origin the server forwarded to
 * @param pathAndQuery the request target sent there (origin form, the client's query kept)
 * @param headers headers set on the forwarded request (they win over the client's)
 * @param forwardClientHeaders whether the client's headers go along (those of the connection itself never do)
 * @param dropClientCredentials whether the client's credential headers are left out: they carry the proxy's key,
 *     not the provider's, whenever the route adds a credential of its own
 * @param authRequired whether the route needs the master key or a virtual key
 * @param deployment the deployment whose credentials a provider route uses, or null for a configured route
 * @param provider the provider a provider route goes to ({@code anthropic}, ...), whose answers' usage is read; null
 *     for a configured route
 * @param auth the credentials added to the request (the deployment's, or none)
 * @param signsBody whether {@code auth} signs the body's hash (AWS SigV4), so that the whole body is held before the
 *     request leaves
 * @param timeoutNanos how long the target may stay silent
 * @param connectTimeoutMillis how long connecting may take
 */
public record PassThroughTarget(
        Origin origin,
        String pathAndQuery,
        Map<String, String> headers,
        boolean forwardClientHeaders,
        boolean dropClientCredentials,
        boolean authRequired,
        @Nullable Deployment deployment,
        @Nullable String provider,
        UpstreamAuth auth,
        boolean signsBody,
        long timeoutNanos,
        int connectTimeoutMillis) {

    public PassThroughTarget {
        requireNonNull(origin, "origin");
        requireNonNull(pathAndQuery, "pathAndQuery");
        requireNonNull(auth, "auth");
        headers = Map.copyOf(headers);
    }
}
