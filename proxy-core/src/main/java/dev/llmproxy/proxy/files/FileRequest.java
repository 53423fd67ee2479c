package dev.llmproxy.proxy.files;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.Principal;
import org.jspecify.annotations.Nullable;

/**
 * The facts of one files or batches request, settled before it is relayed.
 *
 * @param callId the request id ({@code x-litellm-call-id})
 * @param startNanos ticker time the request was received
 * @param keepAlive whether the client connection stays open after the answer
 * @param http10 whether the client spoke HTTP/1.0
 * @param principal who is calling
 * @param operation what is asked
 * @param model the model the client named, or null
 * @param providerId the provider's id of the file or batch the path names, or null
 */
record FileRequest(String callId, long startNanos, boolean keepAlive, boolean http10, Principal principal,
        FileOperation operation, @Nullable String model, @Nullable String providerId) {

    FileRequest {
        requireNonNull(callId, "callId");
        requireNonNull(principal, "principal");
        requireNonNull(operation, "operation");
    }
}
