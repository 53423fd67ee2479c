package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.multipart.MultipartPartFilter;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallRequest;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.provider.Endpoint;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * What the steps of a request ({@link StreamedUploads}, {@link StoredResponses}) ask of the connection's
 * {@link ClientHandler}: write an answer, report the request's record, or end the request. Each request is answered
 * once and recorded once.
 *
 * <p>Thread-safety: the connection's event loop only.
 */
interface RequestAnswers {

    /** Writes the whole answer of the request in flight and ends it; takes {@code response}. */
    void send(ChannelHandlerContext ctx, FullHttpResponse response, RequestFacts facts);

    /** Reports the record of a request answered here rather than by a call. */
    void record(RequestFacts facts, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal, @Nullable ProxyError error, int status);

    /** Ends the request in flight whose answer was written elsewhere; the next pipelined one may start. */
    void responseDone(boolean keepAlive);

    /** Answers the request in flight with a model call whose body streams in as it arrives; takes {@code body}. */
    void startCall(ChannelHandlerContext ctx, CallRequest request, StreamedBody body);

    /**
     * Answers the upload in flight ({@code POST /v1/files}) with a relay of its body, which streams in as it arrives;
     * takes {@code body}. {@code form} has read the fields up to the file part.
     */
    void startFileUpload(ChannelHandlerContext ctx, HttpRequest head, RequestFacts facts, Principal principal,
            MultipartPartFilter form, StreamedBody body);

    default void record(RequestFacts facts, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal, ProxyError error) {
        record(facts, endpoint, model, principal, error, error.status().code());
    }

    default void reject(ChannelHandlerContext ctx, RequestFacts facts, ProxyError error, String message,
            @Nullable String param, @Nullable Endpoint endpoint, @Nullable Principal principal) {
        rejectModel(ctx, facts, error, message, param, endpoint, null, principal);
    }

    default void rejectModel(ChannelHandlerContext ctx, RequestFacts facts, ProxyError error, String message,
            @Nullable String param, @Nullable Endpoint endpoint, @Nullable String model,
            @Nullable Principal principal) {
        send(ctx, Responses.error(ctx.alloc(), error, message, param, facts.callId(), endpoint), facts);
        record(facts, endpoint, model, principal, error);
    }

    /**
     * Answers a virtual key's or an end user's refusal: 401 for the model or a blocked team, 400 for a blocked end
     * user, 429 for the budget and the limits (with retry-after).
     */
    default void rejectKey(ChannelHandlerContext ctx, RequestFacts facts, KeyRefusal refusal, Endpoint endpoint,
            String model, Principal principal) {
        send(ctx, keyRefusalResponse(ctx, refusal, endpoint, facts.callId()), facts);
        record(facts, endpoint, model, principal, keyRefusalError(refusal));
    }

    static ProxyError keyRefusalError(KeyRefusal refusal) {
        return switch (refusal.reason()) {
            case MODEL_NOT_ALLOWED -> ProxyError.KEY_MODEL_DENIED;
            case TEAM_MODEL_NOT_ALLOWED -> ProxyError.TEAM_MODEL_DENIED;
            case TEAM_BLOCKED -> ProxyError.TEAM_BLOCKED;
            case BUDGET_EXCEEDED -> ProxyError.BUDGET_EXCEEDED;
            case RATE_LIMITED -> ProxyError.KEY_RATE_LIMITED;
            case END_USER_BLOCKED -> ProxyError.END_USER_BLOCKED;
        };
    }

    /** A virtual key's refusal as the client gets it (see {@link #rejectKey}). */
    static FullHttpResponse keyRefusalResponse(ChannelHandlerContext ctx, KeyRefusal refusal, Endpoint endpoint,
            String callId) {
        FullHttpResponse response = Responses.error(ctx.alloc(), keyRefusalError(refusal), refusal.message(),
                refusal.reason() == KeyRefusal.Reason.MODEL_NOT_ALLOWED
                        || refusal.reason() == KeyRefusal.Reason.TEAM_MODEL_NOT_ALLOWED ? "model" : null,
                callId, endpoint);
        if (refusal.reason() == KeyRefusal.Reason.RATE_LIMITED) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER,
                    Long.toString(Math.max(1, (refusal.retryAfterMillis() + 999) / 1000)));
        }
        return response;
    }
}
