package dev.llmproxy.proxy.call;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.ModelRoute;
import org.jspecify.annotations.Nullable;

/**
 * The facts of one model request, settled before it is answered.
 *
 * @param callId the request id ({@code x-litellm-call-id})
 * @param endpoint the API called
 * @param requestedModel the model the client named
 * @param route the model group that matched, with its deployments
 * @param info what the scan of the request body found
 * @param principal who is calling
 * @param startNanos ticker time the request was received
 * @param keepAlive whether the client connection stays open after the response
 * @param http10 whether the client spoke HTTP/1.0
 * @param traceparent the client's W3C {@code traceparent} header as sent (unvalidated), or null; traces continue it
 * @param options what the client asked of this call on top of the config (retries, timeout)
 * @param anthropicBeta the client's {@code anthropic-beta} header, or null; passed on to Anthropic deployments only
 */
public record CallRequest(
        String callId,
        Endpoint endpoint,
        String requestedModel,
        ModelRoute route,
        RequestInfo info,
        Principal principal,
        long startNanos,
        boolean keepAlive,
        boolean http10,
        @Nullable String traceparent,
        CallOptions options,
        @Nullable String anthropicBeta) {

    public CallRequest {
        requireNonNull(callId, "callId");
        requireNonNull(endpoint, "endpoint");
        requireNonNull(requestedModel, "requestedModel");
        requireNonNull(route, "route");
        requireNonNull(info, "info");
        requireNonNull(principal, "principal");
        requireNonNull(options, "options");
    }

    /** A request without an {@code anthropic-beta} header. */
    public CallRequest(String callId, Endpoint endpoint, String requestedModel, ModelRoute route, RequestInfo info,
            Principal principal, long startNanos, boolean keepAlive, boolean http10, @Nullable String traceparent,
            CallOptions options) {
        this(callId, endpoint, requestedModel, route, info, principal, startNanos, keepAlive, http10, traceparent,
                options, null);
    }

    /** A request that asks nothing beyond the config. */
    public CallRequest(String callId, Endpoint endpoint, String requestedModel, ModelRoute route, RequestInfo info,
            Principal principal, long startNanos, boolean keepAlive, boolean http10) {
        this(callId, endpoint, requestedModel, route, info, principal, startNanos, keepAlive, http10, null,
                CallOptions.DEFAULT);
    }

    /**
     * Whether the client asked for a stream. Embeddings, speech, moderations and rerank are never streamed (speech
     * audio is relayed as it arrives all the same); image generation streams partial images as SSE events, and a
     * transcription its text ({@code transcript.text.delta} events) when its {@code stream} form field is true.
     */
    public boolean stream() {
        return info.stream() && switch (endpoint) {
            case EMBEDDINGS, MESSAGES_COUNT_TOKENS, AUDIO_SPEECH, MODERATIONS, RERANK, AUDIO_TRANSLATIONS,
                    IMAGES_EDITS, IMAGES_VARIATIONS, PASS_THROUGH,
                    CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH -> false;
            case CHAT_COMPLETIONS, COMPLETIONS, MESSAGES, RESPONSES, IMAGE_GENERATIONS, AUDIO_TRANSCRIPTIONS -> true;
        };
    }
}
