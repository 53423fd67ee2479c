package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.route.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a model call with the deployment's {@code litellm_params.mock_response}, as LiteLLM does: no provider is
 * called, the answer has the provider's wire shape (streamed or not), and usage is LiteLLM's fixed mock usage of 10
 * prompt and 20 completion tokens.
 *
 * <p>Thread-safety: confined to the client connection's event loop.
 */
final class MockCall implements ModelCall {
    static final Usage MOCK_USAGE = Usage.of(10, 20);
    private static final int EMBEDDING_DIMENSIONS = 8;
    private static final ByteBuf ENCODING_FORMAT = constant("\"encoding_format\"");
    private static final ByteBuf BASE64 = constant("\"base64\"");

    private final ChannelHandlerContext ctx;
    private final ClientHandler client;
    private final ServerContext server;
    private final CallContext call;
    private final boolean base64Embeddings;

    /** @param requestBody the client's body; read here only, not retained */
    MockCall(ChannelHandlerContext ctx, ClientHandler client, ServerContext server, CallContext call,
            ByteBuf requestBody) {
        this.ctx = ctx;
        this.client = client;
        this.server = server;
        this.call = call;
        this.base64Embeddings = call.endpoint() == Endpoint.EMBEDDINGS && asksForBase64(requestBody);
    }

    @Override
    public void start() {
        String content = call.upstream().deployment().mockResponse();
        String model = call.target().upstreamModel();
        long created = server.clock.millis() / 1000;
        boolean stream = call.request().stream() && call.endpoint() != Endpoint.EMBEDDINGS;
        if (stream) {
            writeStream(content, model, created);
        } else {
            writeFull(content, model, created);
        }
        long now = server.ticker.getAsLong();
        server.listener.onCallEnded(new CallRecord(call.callId(), call.endpoint(), call.requestedModel(),
                call.modelGroup(), call.target().deployment().id(), 200, stream, MOCK_USAGE, call.startNanos(), now,
                now, 0));
        client.onCallEnded(call.keepAlive());
    }

    @Override
    public void onClientWritable() {
        // The whole answer is written at once; there is nothing waiting for writability.
    }

    @Override
    public void onClientGone() {
        // Nothing outlives start(): the answer was complete before the client could go.
    }

    private void writeFull(String content, String model, long created) {
        String id = idPrefix() + call.callId();
        ByteBuf body = switch (call.endpoint()) {
            case CHAT_COMPLETIONS -> OpenAiJson.chatCompletion(ctx.alloc(), id, created, model, content, MOCK_USAGE);
            case COMPLETIONS -> OpenAiJson.textCompletion(ctx.alloc(), id, created, model, content, MOCK_USAGE);
            case EMBEDDINGS -> OpenAiJson.embeddings(
                    ctx.alloc(), model, 1, EMBEDDING_DIMENSIONS, MOCK_USAGE.promptTokens(), base64Embeddings);
        };
        FullHttpResponse response =
                Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body, call.callId());
        addHeaders(response);
        Responses.setConnection(response, call.keepAlive(), call.http10());
        Responses.writeLast(ctx, response, call.keepAlive());
    }

    private void writeStream(String content, String model, long created) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Responses.HEADERS);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, Responses.EVENT_STREAM)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(Responses.CALL_ID, call.callId());
        HttpUtil.setTransferEncodingChunked(head, true);
        addHeaders(head);
        Responses.setConnection(head, call.keepAlive(), call.http10());
        ctx.write(head, ctx.voidPromise());
        String id = idPrefix() + call.callId();
        boolean chat = call.endpoint() == Endpoint.CHAT_COMPLETIONS;
        if (chat) {
            event(OpenAiJson.chatRoleChunk(ctx.alloc(), id, created, model));
        }
        for (String piece : pieces(content)) {
            event(chat
                    ? OpenAiJson.chatContentChunk(ctx.alloc(), id, created, model, piece)
                    : OpenAiJson.textCompletionChunk(ctx.alloc(), id, created, model, piece, null));
        }
        event(chat
                ? OpenAiJson.chatFinishChunk(ctx.alloc(), id, created, model, "stop")
                : OpenAiJson.textCompletionChunk(ctx.alloc(), id, created, model, "", "stop"));
        if (call.request().includeUsage()) {
            event(chat
                    ? OpenAiJson.chatUsageChunk(ctx.alloc(), id, created, model, MOCK_USAGE)
                    : OpenAiJson.textUsageChunk(ctx.alloc(), id, created, model, MOCK_USAGE));
        }
        event(OpenAiJson.done(ctx.alloc()));
        Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, call.keepAlive());
    }

    private void event(ByteBuf bytes) {
        ctx.write(new DefaultHttpContent(bytes), ctx.voidPromise());
    }

    private void addHeaders(HttpResponse response) {
        UpstreamRoute upstream = call.upstream();
        response.headers()
                .set(Responses.MODEL_ID, upstream.modelId())
                .set(Responses.MODEL_GROUP, upstream.modelGroup())
                .set(Responses.MODEL_API_BASE, upstream.apiBase())
                .set(Responses.RESPONSE_DURATION_MS, Durations.millis(server.ticker.getAsLong() - call.startNanos()))
                .set(Responses.OVERHEAD_DURATION_MS, Durations.millis(server.ticker.getAsLong() - call.startNanos()));
    }

    private String idPrefix() {
        return switch (call.endpoint()) {
            case CHAT_COMPLETIONS -> "chatcmpl-";
            case COMPLETIONS -> "cmpl-";
            case EMBEDDINGS -> "embd-";
        };
    }

    /**
     * Whether the body says {@code "encoding_format": "base64"}, as the OpenAI SDKs send by default. In valid JSON the
     * key's bytes with unescaped quotes can only be a key (quotes inside strings are escaped), so a byte search is
     * enough for the one flag the mock answer needs.
     */
    static boolean asksForBase64(ByteBuf body) {
        int end = body.writerIndex();
        int key = ByteBufUtil.indexOf(ENCODING_FORMAT, body);
        if (key < 0) {
            return false;
        }
        int i = skipWhitespace(body, key + ENCODING_FORMAT.readableBytes(), end);
        if (i >= end || body.getByte(i) != ':') {
            return false;
        }
        i = skipWhitespace(body, i + 1, end);
        int length = BASE64.readableBytes();
        return i + length <= end && ByteBufUtil.equals(body, i, BASE64, 0, length);
    }

    private static int skipWhitespace(ByteBuf body, int i, int end) {
        while (i < end) {
            byte b = body.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static ByteBuf constant(String ascii) {
        return Unpooled.unreleasableBuffer(
                Unpooled.wrappedBuffer(ascii.getBytes(StandardCharsets.US_ASCII)).asReadOnly());
    }

    /** Splits the answer into word-sized pieces (each keeps its leading space), like a model's token stream. */
    static List<String> pieces(String content) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= content.length(); i++) {
            if (i == content.length() || content.charAt(i) == ' ') {
                pieces.add(content.substring(start, i));
                start = i;
            }
        }
        return pieces;
    }
}
