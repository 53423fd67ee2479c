package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.route.Endpoint;

import dev.llmproxy.codec.openai.Usage;
import org.jspecify.annotations.Nullable;

/**
 * What one proxied call did, handed to {@link CallListener}s when it ends (spend tracking and metrics consume it).
 *
 * @param callId the {@code x-litellm-call-id} of the request
 * @param endpoint which API was called
 * @param requestedModel the {@code model} the client asked for
 * @param modelGroup the model group that served it, or null when routing failed
 * @param deploymentId the deployment that served it, or null when none was picked
 * @param status the HTTP status sent to the client (499 when the client went away first)
 * @param stream whether the response was streamed
 * @param usage the token usage reported by the provider, or null when unknown
 * @param startNanos ticker time the request was received
 * @param firstByteNanos ticker time of the first response byte from upstream, or 0
 * @param endNanos ticker time the call ended
 * @param upstreamNanos time spent waiting for the provider (request sent to response headers), or 0
 */
public record CallRecord(
        String callId,
        Endpoint endpoint,
        String requestedModel,
        @Nullable String modelGroup,
        @Nullable String deploymentId,
        int status,
        boolean stream,
        @Nullable Usage usage,
        long startNanos,
        long firstByteNanos,
        long endNanos,
        long upstreamNanos) {}
