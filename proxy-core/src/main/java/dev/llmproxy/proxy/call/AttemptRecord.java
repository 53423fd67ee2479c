package dev.llmproxy.proxy.call;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One deployment tried by a call.
 *
 * @param deploymentId the deployment
 * @param status the provider's status, or the gateway's for a failure of its own (502, 408, 499)
 * @param error what went wrong on the gateway's side, or null when the provider answered
 * @param startNanos ticker time the attempt started
 * @param headersNanos ticker time the response head arrived, or 0
 * @param endNanos ticker time the attempt ended
 */
public record AttemptRecord(
        String deploymentId, int status, @Nullable ProxyError error, long startNanos, long headersNanos,
        long endNanos) {

    public AttemptRecord {
        requireNonNull(deploymentId, "deploymentId");
    }
}
