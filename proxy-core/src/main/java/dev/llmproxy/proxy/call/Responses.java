package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.messages.MessagesErrors;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.codec.sse.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/** Building blocks of the responses the proxy writes itself. Thread-safety: stateless. */
public final class Responses {
    public static final AsciiString CALL_ID = AsciiString.cached("x-litellm-call-id");
    public static final AsciiString MODEL_ID = AsciiString.cached("x-litellm-model-id");
    public static final AsciiString MODEL_GROUP = AsciiString.cached("x-litellm-model-group");
    public static final AsciiString MODEL_API_BASE = AsciiString.cached("x-litellm-model-api-base");
    public static final AsciiString RESPONSE_DURATION_MS = AsciiString.cached("x-litellm-response-duration-ms");
    public static final AsciiString OVERHEAD_DURATION_MS = AsciiString.cached("x-litellm-overhead-duration-ms");
    public static final AsciiString ATTEMPTED_RETRIES = AsciiString.cached("x-litellm-attempted-retries");
    public static final AsciiString ATTEMPTED_FALLBACKS = AsciiString.cached("x-litellm-attempted-fallbacks");
    public static final AsciiString MAX_RETRIES = AsciiString.cached("x-litellm-max-retries");
    public static final AsciiString TIMEOUT = AsciiString.cached("x-litellm-timeout");
    public static final AsciiString FALLBACK_ERRORS = AsciiString.cached("x-litellm-fallback-errors");
    public static final AsciiString LIMIT_REQUESTS = AsciiString.cached("x-ratelimit-limit-requests");
    public static final AsciiString REMAINING_REQUESTS = AsciiString.cached("x-ratelimit-remaining-requests");
    public static final AsciiString LIMIT_TOKENS = AsciiString.cached("x-ratelimit-limit-tokens");
    public static final AsciiString REMAINING_TOKENS = AsciiString.cached("x-ratelimit-remaining-tokens");
    /**
     * A virtual key's spend in USD: when the call was admitted, plus the call's own cost when the answer carries
     * {@link #RESPONSE_COST}.
     */
    public static final AsciiString KEY_SPEND = AsciiString.cached("x-litellm-key-spend");
    /** The call's cost in USD, as Python writes a float; {@code 0} on an error answer (LiteLLM's). */
    public static final AsciiString RESPONSE_COST = AsciiString.cached("x-litellm-response-cost");
    public static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");

    /**
     * Headers of the messages the proxy builds. Their trailers are the shared empty instance: these messages never
     * carry trailers, and a trailer map per message would be allocated for nothing.
     *
     * <p>Header validation is off: every name is one of our constants and every value is either ours or copied from
     * a response Netty's decoder already validated, so checking each again would only cost time.
     */
    public static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private Responses() {}

    /** A complete response with {@code body} (ownership passes to the response) and its length set. */
    public static FullHttpResponse full(HttpResponseStatus status, AsciiString contentType, ByteBuf body, String callId) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, body, HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(CALL_ID, callId);
        return response;
    }

    /** An OpenAI-style error response for {@code error}. */
    public static FullHttpResponse error(
            ByteBufAllocator alloc, ProxyError error, String message, @Nullable String param, String callId) {
        ByteBuf body = OpenAiJson.error(alloc, error.status().code(), message, error.type(), param);
        return full(error.status(), HttpHeaderValues.APPLICATION_JSON, body, callId);
    }

    /**
     * An error response in the shape the endpoint's clients read: Anthropic's for {@link Endpoint#MESSAGES} and
     * {@link Endpoint#MESSAGES_COUNT_TOKENS} (the Anthropic SDKs), OpenAI's otherwise.
     */
    public static FullHttpResponse error(ByteBufAllocator alloc, ProxyError error, String message,
            @Nullable String param, String callId, @Nullable Endpoint endpoint) {
        if (endpoint != Endpoint.MESSAGES && endpoint != Endpoint.MESSAGES_COUNT_TOKENS) {
            return error(alloc, error, message, param, callId);
        }
        ByteBuf body = MessagesErrors.body(alloc, error.status().code(), message);
        return full(error.status(), HttpHeaderValues.APPLICATION_JSON, body, callId);
    }

    /** An SSE error event in the shape the endpoint's clients read, as {@code error} with an endpoint. */
    public static ByteBuf errorEvent(ByteBufAllocator alloc, ProxyError error, String message, Endpoint endpoint) {
        return endpoint == Endpoint.MESSAGES ? MessagesErrors.event(alloc, error.status().code(), message)
                : errorEvent(alloc, error, message);
    }

    /** An SSE event carrying an OpenAI-style error, to end a stream that cannot complete. */
    public static ByteBuf errorEvent(ByteBufAllocator alloc, ProxyError error, String message) {
        ByteBuf json = OpenAiJson.error(alloc, error.status().code(), message, error.type(), null);
        try {
            return SseEvents.data(alloc, json);
        } finally {
            json.release();
        }
    }

    /**
     * Writes and flushes the last message of a response, then closes the connection unless it stays open. Ownership
     * of {@code last} passes to Netty.
     */
    public static void writeLast(ChannelHandlerContext ctx, Object last, boolean keepAlive) {
        if (keepAlive) {
            ctx.writeAndFlush(last, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Marks {@code response} for the connection's fate: {@code Connection: close}, or keep-alive for HTTP/1.0. */
    public static void setConnection(HttpResponse response, boolean keepAlive, boolean http10) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
