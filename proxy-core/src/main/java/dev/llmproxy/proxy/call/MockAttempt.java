package dev.llmproxy.proxy.call;

import dev.llmproxy.codec.json.JsonStrings;
import dev.llmproxy.codec.messages.MessagesResponses;
import dev.llmproxy.codec.messages.MessagesStream;
import dev.llmproxy.codec.messages.TokenEstimate;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.codec.responses.ResponseIds;
import dev.llmproxy.codec.responses.ResponsesBodies;
import dev.llmproxy.codec.responses.ResponsesStreamTranslator;
import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.Lease;
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
import org.jspecify.annotations.Nullable;

/**
 * Answers with the deployment's {@code litellm_params.mock_response}, as LiteLLM does: no provider is called, the
 * answer has the provider's wire shape (streamed or not), and usage is LiteLLM's fixed mock usage of 10 prompt and 20
 * completion tokens. The answer is written whole in {@link #start()}, which commits and ends the call.
 *
 * <p>Thread-safety: confined to the client connection's event loop.
 */
final class MockAttempt extends Attempt {
    static final Usage MOCK_USAGE = Usage.of(10, 20);
    private static final int EMBEDDING_DIMENSIONS = 8;
    private static final ByteBuf ENCODING_FORMAT = constant("\"encoding_format\"");
    private static final ByteBuf BASE64 = constant("\"base64\"");

    private final ChannelHandlerContext ctx;
    private final CallRequest request;
    private final Deployment deployment;
    /** The translation of a streamed answer for a {@code /v1/messages} client; null for the OpenAI endpoints. */
    private @Nullable MessagesStream messages;

    MockAttempt(ModelCall call, Lease lease, long startNanos) {
        super(call, lease, startNanos);
        this.ctx = call.ctx;
        this.request = call.request;
        this.deployment = lease.target().deployment();
    }

    @Override
    void start() {
        headersNanos = startNanos;
        call.shouldCommit(this, 200);
        String content = deployment.mockResponse();
        if (content == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " has no mock_response");
        }
        String model = lease.target().upstreamModel();
        long created = call.services.clock().millis() / 1000;
        boolean stream = request.stream();
        if (stream) {
            writeStream(content, model, created);
        } else {
            writeFull(content, model, created);
        }
        long now = call.services.ticker().getAsLong();
        call.attemptFinished(this, 200, null, MOCK_USAGE, stream, now, 0, request.keepAlive());
    }

    @Override
    void onClientWritable() {
        // The whole answer is written at once; there is nothing waiting for writability.
    }

    @Override
    void cancel() {
        // Nothing outlives start(): the answer was complete before the client could go.
    }

    private void writeFull(String content, String model, long created) {
        String id = idPrefix() + request.callId();
        ByteBuf body = switch (request.endpoint()) {
            case CHAT_COMPLETIONS -> OpenAiJson.chatCompletion(ctx.alloc(), id, created, model, content, MOCK_USAGE);
            case MESSAGES -> asMessage(OpenAiJson.chatCompletion(ctx.alloc(), id, created, model, content, MOCK_USAGE));
            case COMPLETIONS -> OpenAiJson.textCompletion(ctx.alloc(), id, created, model, content, MOCK_USAGE);
            case EMBEDDINGS -> OpenAiJson.embeddings(
                    ctx.alloc(), model, 1, EMBEDDING_DIMENSIONS, MOCK_USAGE.promptTokens(), asksForBase64(call.body()));
            case RESPONSES -> responsesBody(content, model, created);
            case MESSAGES_COUNT_TOKENS -> TokenEstimate.body(ctx.alloc(), TokenEstimate.inputTokens(call.body()));
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS -> ByteBufUtil.writeUtf8(ctx.alloc(),
                    "{\"text\":" + quoted(content) + "}");
            case IMAGES_EDITS, IMAGES_VARIATIONS -> ByteBufUtil.writeUtf8(ctx.alloc(),
                    "{\"created\":" + created + ",\"data\":[{\"url\":" + quoted(content) + "}]}");
            // A mock answer has no audio, image, verdict or ranking to give: the mock content, as a chat answer.
            case AUDIO_SPEECH, IMAGE_GENERATIONS, MODERATIONS, RERANK, PASS_THROUGH ->
                OpenAiJson.chatCompletion(ctx.alloc(), id, created, model, content, MOCK_USAGE);
            case CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH ->
                throw new IllegalStateException(request.endpoint() + " is not a model call");
        };
        FullHttpResponse response =
                Responses.full(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body, request.callId());
        addHeaders(response);
        if (call.holdsForCost(deployment)) {
            call.addCostHeaders(response.headers(), deployment, MOCK_USAGE);
        }
        Responses.setConnection(response, request.keepAlive(), request.http10());
        Responses.writeLast(ctx, response, request.keepAlive());
    }

    /** The mock answer in the Responses shape: the chat answer rebuilt as the bridge rebuilds a provider's. */
    private ByteBuf responsesBody(String content, String model, long created) {
        ByteBuf chat = OpenAiJson.chatCompletion(ctx.alloc(), "chatcmpl-" + request.callId(), created, model, content,
                MOCK_USAGE);
        try {
            return ResponsesBodies.fromChat(ctx.alloc(), chat, new ResponseIds(request.callId()), created).body();
        } finally {
            chat.release();
        }
    }

    private void writeStream(String content, String model, long created) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Responses.HEADERS);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, Responses.EVENT_STREAM)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        addHeaders(head);
        Responses.setConnection(head, request.keepAlive(), request.http10());
        ctx.write(head, ctx.voidPromise());
        if (request.endpoint() == Endpoint.RESPONSES) {
            writeResponsesStream(content, model, created);
            Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, request.keepAlive());
            return;
        }
        if (request.endpoint() == Endpoint.AUDIO_TRANSCRIPTIONS || request.endpoint() == Endpoint.AUDIO_TRANSLATIONS) {
            writeTranscriptStream(content);
            Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, request.keepAlive());
            return;
        }
        String id = idPrefix() + request.callId();
        boolean chat = request.endpoint() != Endpoint.COMPLETIONS;
        if (request.endpoint() == Endpoint.MESSAGES) {
            messages = new MessagesStream(ctx.alloc());
        }
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
        if (request.info().includeUsage() || messages != null) {
            event(chat
                    ? OpenAiJson.chatUsageChunk(ctx.alloc(), id, created, model, MOCK_USAGE)
                    : OpenAiJson.textUsageChunk(ctx.alloc(), id, created, model, MOCK_USAGE));
        }
        event(OpenAiJson.done(ctx.alloc()));
        Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, request.keepAlive());
    }

    /**
     * The mock answer as OpenAI streams a transcription: a {@code transcript.text.delta} event per word, then
     * {@code transcript.text.done} with the whole text and the mock usage in tokens; no {@code [DONE]}.
     */
    private void writeTranscriptStream(String content) {
        for (String piece : pieces(content)) {
            event(ByteBufUtil.writeUtf8(ctx.alloc(), "data: {\"type\":\"transcript.text.delta\",\"delta\":"
                    + quoted(piece) + ",\"logprobs\":[]}\n\n"));
        }
        long input = MOCK_USAGE.promptTokens();
        event(ByteBufUtil.writeUtf8(ctx.alloc(), "data: {\"type\":\"transcript.text.done\",\"text\":"
                + quoted(content) + ",\"logprobs\":[],\"usage\":{\"type\":\"tokens\",\"input_tokens\":" + input
                + ",\"input_token_details\":{\"text_tokens\":0,\"audio_tokens\":" + input + "},\"output_tokens\":"
                + MOCK_USAGE.completionTokens() + ",\"total_tokens\":" + MOCK_USAGE.totalTokens() + "}}\n\n"));
    }

    /** The mock answer as a Responses event stream: its chat chunks rebuilt as the bridge rebuilds a provider's. */
    private void writeResponsesStream(String content, String model, long created) {
        String id = "chatcmpl-" + request.callId();
        ResponsesStreamTranslator events = new ResponsesStreamTranslator(ctx.alloc(),
                new ResponseIds(request.callId()), created, () -> MOCK_USAGE);
        List<ByteBuf> chunks = new ArrayList<>();
        chunks.add(OpenAiJson.chatRoleChunk(ctx.alloc(), id, created, model));
        for (String piece : pieces(content)) {
            chunks.add(OpenAiJson.chatContentChunk(ctx.alloc(), id, created, model, piece));
        }
        chunks.add(OpenAiJson.chatFinishChunk(ctx.alloc(), id, created, model, "stop"));
        chunks.add(OpenAiJson.done(ctx.alloc()));
        SseEventFramer framer = new SseEventFramer(ctx.alloc(), Integer.MAX_VALUE, events::onChunk);
        try {
            for (ByteBuf chunk : chunks) {
                ByteBuf translated = framer.frame(chunk);
                if (translated.isReadable()) {
                    event(translated);
                } else {
                    translated.release();
                }
            }
        } finally {
            chunks.forEach(ByteBuf::release);
            framer.release();
        }
    }

    private void event(ByteBuf bytes) {
        MessagesStream anthropic = messages;
        if (anthropic != null) {
            // A /v1/messages client gets the same answer in Anthropic's events.
            ByteBuf translated = anthropic.onEvents(bytes);
            bytes.release();
            bytes = translated;
            if (!bytes.isReadable()) {
                bytes.release();
                return;
            }
        }
        ctx.write(new DefaultHttpContent(bytes), ctx.voidPromise());
    }

    /** A chat completion as an Anthropic message; {@code chat} is taken. */
    private ByteBuf asMessage(ByteBuf chat) {
        try {
            return MessagesResponses.fromChat(ctx.alloc(), chat, 200).body();
        } finally {
            chat.release();
        }
    }

    private void addHeaders(HttpResponse response) {
        call.addProxyHeaders(response.headers(), deployment, startNanos, call.services.ticker().getAsLong());
    }

    private static String quoted(String text) {
        return new String(JsonStrings.quote(text), StandardCharsets.UTF_8);
    }

    private String idPrefix() {
        return switch (request.endpoint()) {
            case CHAT_COMPLETIONS, MESSAGES, MESSAGES_COUNT_TOKENS, AUDIO_SPEECH, IMAGE_GENERATIONS, MODERATIONS,
                    RERANK -> "chatcmpl-";
            case COMPLETIONS -> "cmpl-";
            case EMBEDDINGS -> "embd-";
            case RESPONSES -> "resp_";
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS, IMAGES_EDITS, IMAGES_VARIATIONS, PASS_THROUGH,
                    CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE, CREATE_BATCH, LIST_BATCHES,
                    RETRIEVE_BATCH, CANCEL_BATCH -> "";
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
