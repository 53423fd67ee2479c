package dev.llmproxy.proxy.call;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.ResponseFacts;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.provider.Endpoint;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one request did, handed to {@link CallListener}s when it ends: every request gets exactly one, model calls and
 * requests refused before routing alike (spend tracking and metrics consume it).
 *
 * @param callId the {@code x-litellm-call-id} of the request
 * @param endpoint which model API was called, or null for other paths (health, model list, 404, 405, malformed)
 * @param requestedModel the {@code model} the client asked for, or null when none was read
 * @param modelGroup the model group that served it, or null when routing did not happen; empty for a pass-through
 *     call to a route of no model group
 * @param deploymentId the deployment of the last attempt, or null when none was made
 * @param principal who made the request, or null when it was refused before authentication succeeded
 * @param status the HTTP status sent to the client (499 when the client went away first)
 * @param error what went wrong on the gateway's side, or null when the response came from a provider (whatever its
 *     status) or from the gateway successfully
 * @param stream whether the response was streamed
 * @param usage the token usage reported by the provider, or null when unknown
 * @param startNanos ticker time the request was received
 * @param firstByteNanos ticker time of the first response byte from upstream, or 0
 * @param endNanos ticker time the call ended
 * @param upstreamNanos time the answering attempt waited for the provider (request sent to response headers), or 0
 * @param attempts the deployments tried, in order; empty when none was
 * @param traceparent the client's W3C {@code traceparent} header as sent (unvalidated), or null
 * @param request what the scan of the request body found (its sampling parameters, for the traces), or null when the
 *     body was not read as a model request
 * @param response the answering attempt's {@code model} and finish reasons, or null when not read (tracing off, no
 *     answer, or an answer the proxy does not parse)
 */
public record CallRecord(
        String callId,
        @Nullable Endpoint endpoint,
        @Nullable String requestedModel,
        @Nullable String modelGroup,
        @Nullable String deploymentId,
        @Nullable Principal principal,
        int status,
        @Nullable ProxyError error,
        boolean stream,
        @Nullable Usage usage,
        long startNanos,
        long firstByteNanos,
        long endNanos,
        long upstreamNanos,
        List<AttemptRecord> attempts,
        @Nullable String traceparent,
        @Nullable RequestInfo request,
        @Nullable ResponseFacts response) {

    public CallRecord {
        requireNonNull(callId, "callId");
        requireNonNull(attempts, "attempts");
    }

    /** The same without the answer's model and finish reasons. */
    public CallRecord(String callId, @Nullable Endpoint endpoint, @Nullable String requestedModel,
            @Nullable String modelGroup, @Nullable String deploymentId, @Nullable Principal principal, int status,
            @Nullable ProxyError error, boolean stream, @Nullable Usage usage, long startNanos, long firstByteNanos,
            long endNanos, long upstreamNanos, List<AttemptRecord> attempts, @Nullable String traceparent,
            @Nullable RequestInfo request) {
        this(callId, endpoint, requestedModel, modelGroup, deploymentId, principal, status, error, stream, usage,
                startNanos, firstByteNanos, endNanos, upstreamNanos, attempts, traceparent, request, null);
    }

    /** The same without the scan of the request body. */
    public CallRecord(String callId, @Nullable Endpoint endpoint, @Nullable String requestedModel,
            @Nullable String modelGroup, @Nullable String deploymentId, @Nullable Principal principal, int status,
            @Nullable ProxyError error, boolean stream, @Nullable Usage usage, long startNanos, long firstByteNanos,
            long endNanos, long upstreamNanos, List<AttemptRecord> attempts, @Nullable String traceparent) {
        this(callId, endpoint, requestedModel, modelGroup, deploymentId, principal, status, error, stream, usage,
                startNanos, firstByteNanos, endNanos, upstreamNanos, attempts, traceparent, null, null);
    }

    /** The same without a {@code traceparent}. */
    public CallRecord(String callId, @Nullable Endpoint endpoint, @Nullable String requestedModel,
            @Nullable String modelGroup, @Nullable String deploymentId, @Nullable Principal principal, int status,
            @Nullable ProxyError error, boolean stream, @Nullable Usage usage, long startNanos, long firstByteNanos,
            long endNanos, long upstreamNanos, List<AttemptRecord> attempts) {
        this(callId, endpoint, requestedModel, modelGroup, deploymentId, principal, status, error, stream, usage,
                startNanos, firstByteNanos, endNanos, upstreamNanos, attempts, null, null, null);
    }
}
