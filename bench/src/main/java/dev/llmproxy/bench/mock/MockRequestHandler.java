package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;

/**
 * Answers OpenAI requests on one connection. Inbound: {@link FullHttpRequest} (from {@code HttpObjectAggregator});
 * outbound: HTTP response objects for {@code HttpServerCodec}. Last handler of the pipeline built by
 * {@link MockServerInitializer}; one instance per connection.
 *
 * <p>A request is parsed and released as soon as it arrives; what is left is an {@link Exchange} holding no buffers.
 * Responses go out one at a time in request order: requests that arrive while one is being answered (pipelining,
 * or a delayed, streaming or hanging answer) wait in {@link #pending}.
 *
 * <p>Thread-safety: confined to the connection's event loop, so no field needs synchronisation.
 */
final class MockRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String DEFAULT_MODEL = "mock-model";
    private static final int MAX_DIMENSIONS = 8192;
    private static final String MISSING_KEY = "x-api-key header is required";

    private final MockState state;
    private final ArrayDeque<Exchange> pending = new ArrayDeque<>();
    private boolean busy;
    private boolean draining;
    private @Nullable ScheduledFuture<?> delayed;
    private @Nullable SseStream stream;
    private @Nullable AnthropicStream anthropicStream;
    private @Nullable ResponsesStream responsesStream;
    private @Nullable GeminiStream geminiStream;
    private @Nullable PacedStream bedrockStream;

    MockRequestHandler(MockState state) {
        this.state = state;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        state.counters.openConnections.incrementAndGet();
        state.counters.connectionsAccepted.incrementAndGet();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state.counters.openConnections.decrementAndGet();
        if (delayed != null) {
            delayed.cancel(false);
            delayed = null;
        }
        if (stream != null) {
            stream.cancel();
            stream = null;
        }
        if (responsesStream != null) {
            responsesStream.cancel();
            responsesStream = null;
        }
        if (anthropicStream != null) {
            anthropicStream.cancel();
            anthropicStream = null;
        }
        if (geminiStream != null) {
            geminiStream.cancel();
            geminiStream = null;
        }
        if (bedrockStream != null) {
            bedrockStream.cancel();
            bedrockStream = null;
        }
        pending.clear();
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        state.counters.requestsReceived.incrementAndGet();
        if (state.config.recordRequests()) {
            state.counters.requests.add(new RecordedRequest(
                    request.method().name(),
                    request.uri(),
                    request.headers().copy(),
                    request.content().toString(StandardCharsets.UTF_8)));
        }
        String path = pathOf(request.uri());
        boolean sts = MockSts.handles(request, path);
        boolean credentials = MockAwsCredentials.handles(request, path);
        if (sts || credentials || MockFiles.handles(path)) {
            // Files, batches and AWS credentials are answered at once: the proxy sends one request at a time on a
            // connection, so nothing is waiting ahead of them.
            var response = sts ? MockSts.answer(request) : credentials ? MockAwsCredentials.answer(request, path)
                    : state.files.answer(request);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ChannelFuture written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        Exchange exchange = toExchange(request);
        if (busy) {
            pending.add(exchange);
        } else {
            start(ctx, exchange);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A mock has no one to report to: resets and TLS failures from clients under test are expected.
        ctx.close();
    }

    private Exchange toExchange(FullHttpRequest request) {
        MockRoute route = MockRoute.of(request.method(), request.uri());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        MockRequest parsed = new MockRequest(state.config);
        String label = request.method().name() + " " + pathOf(request.uri());
        if (request.decoderResult().isFailure()) {
            return new Exchange(route, parsed, false, label, "Could not parse the HTTP request.");
        }
        if (route.isGoogle()) {
            return GoogleExchanges.of(state, request, route, parsed, keepAlive, label);
        }
        if (route.isBedrock()) {
            return BedrockExchanges.of(request, route, parsed, keepAlive, label);
        }
        if (route.isAnthropic()) {
            String refusal = anthropicHeaderProblem(request.headers());
            if (refusal != null) {
                return new Exchange(route, parsed, keepAlive, label, refusal);
            }
        }
        if (route.endpoint() == MockRoute.Endpoint.CHAT
                || route.endpoint() == MockRoute.Endpoint.COMPLETIONS
                || route.endpoint() == MockRoute.Endpoint.EMBEDDINGS
                || route.isAnthropic()
                || route.endpoint() == MockRoute.Endpoint.RESPONSES || route.isMedia()) {
            try {
                MockRequestParser.parse(request.content(), parsed);
            } catch (JacksonException | IllegalArgumentException e) {
                return new Exchange(route, parsed, keepAlive, label, "We could not parse the JSON body of your "
                        + "request. (HINT: This likely means you aren't using your HTTP library correctly.)");
            }
        }
        return new Exchange(route, parsed, keepAlive, label, null);
    }

    private void start(ChannelHandlerContext ctx, Exchange exchange) {
        busy = true;
        if (exchange.route.endpoint() == MockRoute.Endpoint.CHAT
                || exchange.route.endpoint() == MockRoute.Endpoint.COMPLETIONS
                || exchange.route.endpoint() == MockRoute.Endpoint.EMBEDDINGS
                || exchange.route.isAnthropic()
                || exchange.route.endpoint() == MockRoute.Endpoint.RESPONSES || exchange.route.isMedia()) {
            MockFault fault = state.nextFault();
            if (fault != null) {
                actOut(ctx, exchange, fault);
                return;
            }
        }
        if (exchange.request.hang) {
            return;
        }
        if (exchange.request.delayMillis > 0) {
            delayed = ctx.executor()
                    .schedule(() -> respond(ctx, exchange), exchange.request.delayMillis, TimeUnit.MILLISECONDS);
        } else {
            respond(ctx, exchange);
        }
    }

    private void respond(ChannelHandlerContext ctx, Exchange exchange) {
        delayed = null;
        MockRequest request = exchange.request;
        if (exchange.route.isAnthropic()) {
            respondAnthropic(ctx, exchange);
            return;
        }
        if (exchange.route.isGoogle()) {
            respondGoogle(ctx, exchange);
            return;
        }
        if (exchange.route.isBedrock()) {
            respondBedrock(ctx, exchange);
            return;
        }
        if (exchange.badRequest != null) {
            sendError(ctx, exchange, HttpResponseStatus.BAD_REQUEST, exchange.badRequest);
            return;
        }
        if (request.status != MockRequest.UNSET) {
            HttpResponseStatus status = HttpResponseStatus.valueOf(request.status);
            String message = request.errorMessage != null ? request.errorMessage : "Mock error " + request.status;
            sendError(ctx, exchange, status, message);
            return;
        }
        String model = modelOf(exchange);
        switch (exchange.route.endpoint()) {
            case CHAT:
            case COMPLETIONS:
                boolean chat = exchange.route.endpoint() == MockRoute.Endpoint.CHAT;
                if (request.stream) {
                    stream = new SseStream(ctx, state, request, chat, model, exchange.keepAlive,
                            done -> finish(ctx, exchange, done));
                    stream.start();
                } else {
                    sendJson(ctx, exchange, HttpResponseStatus.OK, completion(ctx, request, chat, model));
                }
                return;
            case EMBEDDINGS:
                sendJson(ctx, exchange, HttpResponseStatus.OK, embeddings(ctx, request, model));
                return;
            case RESPONSES:
                respondResponses(ctx, exchange, model);
                return;
            case RESPONSE:
            case RESPONSE_INPUT_ITEMS:
                respondStoredResponse(ctx, exchange);
                return;
            case SPEECH:
                AudioStream.start(ctx, request, exchange.keepAlive, done -> finish(ctx, exchange, done));
                return;
            case IMAGES:
                sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                        MediaBodies.images(request.images, "b64_json".equals(request.responseFormat))));
                return;
            case MODERATIONS:
                sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                        MediaBodies.moderation(model, request.embeddingInputs)));
                return;
            case RERANK:
                boolean voyage = request.voyage || model.startsWith("rerank-2") || model.startsWith("rerank-lite");
                sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(), voyage
                        ? MediaBodies.voyageRerank(model, request.documents, request.topN, request.returnDocuments)
                        : MediaBodies.rerank(request.documents, request.topN, request.returnDocuments)));
                return;
            case MODELS:
                sendJson(ctx, exchange, HttpResponseStatus.OK,
                        OpenAiBodies.toBuffer(ctx.alloc(), state.bodies.models(state.config.models())));
                return;
            case MODEL:
                sendJson(ctx, exchange, HttpResponseStatus.OK,
                        OpenAiBodies.toBuffer(ctx.alloc(), state.bodies.model(exchange.route.name())));
                return;
            default:
                sendError(ctx, exchange, HttpResponseStatus.NOT_FOUND, "Invalid URL (" + exchange.label + ")");
        }
    }

    /**
     * Answers OpenAI's {@code GET}/{@code DELETE /v1/responses/{id}} and {@code GET .../input_items}: the mock keeps
     * one response, {@link OpenAiResponsesBodies#RESPONSE_ID}; any other id is not found, as OpenAI says it.
     */
    private void respondStoredResponse(ChannelHandlerContext ctx, Exchange exchange) {
        String id = exchange.route.name();
        if (!id.equals(OpenAiResponsesBodies.RESPONSE_ID)) {
            sendError(ctx, exchange, HttpResponseStatus.NOT_FOUND, "Response with id '" + id + "' not found.");
            return;
        }
        Consumer<JsonGenerator> body = exchange.route.endpoint() == MockRoute.Endpoint.RESPONSE_INPUT_ITEMS
                ? OpenAiResponsesBodies.inputItems()
                : exchange.label.startsWith("DELETE") ? OpenAiResponsesBodies.deleted()
                : OpenAiResponsesBodies.response("gpt-4.1", true, ModelAnswers.PIECE.repeat(3), null, "",
                        ModelAnswers.DEFAULT_PROMPT_TOKENS, 3);
        sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(), body));
    }

    /**
     * Answers OpenAI's {@code POST /v1/responses}: a {@code response} object, or its event stream; a 404 when
     * {@code previous_response_id} names a response other than the one the mock keeps.
     */
    private void respondResponses(ChannelHandlerContext ctx, Exchange exchange, String model) {
        MockRequest request = exchange.request;
        String previous = request.previousResponseId;
        if (previous != null && !previous.equals(OpenAiResponsesBodies.RESPONSE_ID)) {
            sendError(ctx, exchange, HttpResponseStatus.NOT_FOUND,
                    "Previous response with id '" + previous + "' not found.");
            return;
        }
        if (request.stream) {
            responsesStream = new ResponsesStream(ctx, state, request, model, exchange.keepAlive, done -> {
                responsesStream = null;
                finish(ctx, exchange, done);
            });
            responsesStream.start();
            return;
        }
        String text = request.toolName != null ? request.toolArguments
                : request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        int output = request.completionTokens == MockRequest.UNSET ? request.chunks : request.completionTokens;
        sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                OpenAiResponsesBodies.response(model, true, text, request.toolName, text, input, output)));
    }

    /**
     * Answers Anthropic's {@code POST /v1/messages}: a {@code message}, a stream of its events, its token count
     * ({@code mock_prompt_tokens}, for {@code count_tokens}), or an Anthropic error body ({@code mock_status}, a missing {@code x-api-key}/{@code authorization} or {@code anthropic-version}
     * header, an unreadable body).
     */
    private void respondAnthropic(ChannelHandlerContext ctx, Exchange exchange) {
        MockRequest request = exchange.request;
        if (exchange.badRequest != null) {
            int status = exchange.badRequest.startsWith(MISSING_KEY) ? 401 : 400;
            sendAnthropicError(ctx, exchange, status, exchange.badRequest);
            return;
        }
        if (request.status != MockRequest.UNSET) {
            String message = request.errorMessage != null ? request.errorMessage
                    : AnthropicBodies.defaultMessage(request.status);
            sendAnthropicError(ctx, exchange, request.status, message);
            return;
        }
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        if (exchange.route.isTokenCount()) {
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    AnthropicBodies.tokenCount(input)));
            return;
        }
        String model = modelOf(exchange);
        if (request.stream) {
            anthropicStream = new AnthropicStream(ctx, state, request, model, exchange.keepAlive, done -> {
                anthropicStream = null;
                finish(ctx, exchange, done);
            });
            anthropicStream.start();
            return;
        }
        String content = request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        int output = request.completionTokens == MockRequest.UNSET ? request.chunks : request.completionTokens;
        sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                AnthropicBodies.message(model, content, request.toolName, request.toolArguments, input, output)));
    }

    /**
     * Answers Google's endpoints: a Gemini response (whole or streamed), embeddings, or an access token; Google's
     * error object for {@code mock_status} and for what {@link GoogleExchanges} refused.
     */
    private void respondGoogle(ChannelHandlerContext ctx, Exchange exchange) {
        MockRequest request = exchange.request;
        MockRoute.Endpoint endpoint = exchange.route.endpoint();
        if (exchange.badRequest != null) {
            sendJson(ctx, exchange, HttpResponseStatus.valueOf(exchange.badStatus), OpenAiBodies.toBuffer(ctx.alloc(),
                    endpoint == MockRoute.Endpoint.GOOGLE_TOKEN ? GeminiBodies.tokenError(exchange.badRequest)
                            : GeminiBodies.error(exchange.badStatus, exchange.badRequest)));
            return;
        }
        if (endpoint == MockRoute.Endpoint.RAW_PREDICT || endpoint == MockRoute.Endpoint.STREAM_RAW_PREDICT) {
            respondAnthropic(ctx, exchange);
            return;
        }
        if (endpoint == MockRoute.Endpoint.GOOGLE_TOKEN) {
            String token = "ya29.mock-" + state.googleTokenSerial.incrementAndGet();
            state.googleTokens.add(token);
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    GeminiBodies.token(token, state.config.googleTokenLifetimeSeconds())));
            return;
        }
        if (request.status != MockRequest.UNSET) {
            String message = request.errorMessage != null ? request.errorMessage
                    : GeminiBodies.defaultMessage(request.status);
            sendJson(ctx, exchange, HttpResponseStatus.valueOf(request.status),
                    OpenAiBodies.toBuffer(ctx.alloc(), GeminiBodies.error(request.status, message)));
            return;
        }
        String model = modelOf(exchange);
        if (endpoint == MockRoute.Endpoint.BATCH_EMBED_CONTENTS) {
            int dimensions = request.dimensions == MockRequest.UNSET ? ModelAnswers.DEFAULT_DIMENSIONS
                    : Math.max(1, Math.min(request.dimensions, MAX_DIMENSIONS));
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    GeminiBodies.embeddings(request.embeddingInputs, dimensions)));
            return;
        }
        if (endpoint == MockRoute.Endpoint.PREDICT && model.contains("imagen")) {
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    GeminiBodies.imagenPredictions(request.images)));
            return;
        }
        if (endpoint == MockRoute.Endpoint.PREDICT) {
            int dimensions = request.dimensions == MockRequest.UNSET ? ModelAnswers.DEFAULT_DIMENSIONS
                    : Math.max(1, Math.min(request.dimensions, MAX_DIMENSIONS));
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    GeminiBodies.predictions(request.embeddingInputs, dimensions)));
            return;
        }
        if (request.audio) {
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    GeminiBodies.speech(request.audioBytes == MockRequest.UNSET ? AudioStream.DEFAULT_BYTES
                            : request.audioBytes)));
            return;
        }
        if (endpoint == MockRoute.Endpoint.STREAM_GENERATE_CONTENT) {
            geminiStream = new GeminiStream(ctx, state, request, model, exchange.keepAlive, done -> {
                geminiStream = null;
                finish(ctx, exchange, done);
            });
            geminiStream.start();
            return;
        }
        String content = request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        int output = request.completionTokens == MockRequest.UNSET ? request.chunks : request.completionTokens;
        String finishReason = request.finishReason != null ? request.finishReason : "STOP";
        sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(), GeminiBodies.response(model,
                content, request.toolName, request.toolArguments, finishReason, input, output,
                request.thoughtTokens)));
    }

    /**
     * Answers Bedrock's Converse endpoints: a Converse response, or a ConverseStream in event-stream frames (for
     * InvokeModel, Claude's Messages answer, or its stream events base64'd in {@code chunk} frames); Bedrock's
     * error body with its {@code x-amzn-ErrorType} for {@code mock_status} and for what {@link BedrockExchanges}
     * refused.
     */
    private void respondBedrock(ChannelHandlerContext ctx, Exchange exchange) {
        MockRequest request = exchange.request;
        if (exchange.badRequest != null || request.status != MockRequest.UNSET) {
            int status = exchange.badRequest != null ? exchange.badStatus : request.status;
            String message = exchange.badRequest != null ? exchange.badRequest
                    : request.errorMessage != null ? request.errorMessage : BedrockBodies.defaultMessage(status);
            String type = exchange.badRequest == null ? BedrockBodies.errorType(status)
                    : message.startsWith("The request signature") ? "InvalidSignatureException"
                    : message.startsWith("Missing Authentication") ? "MissingAuthenticationTokenException"
                    : message.startsWith("The security token") ? "UnrecognizedClientException"
                    : BedrockBodies.errorType(status);
            sendJson(ctx, exchange, HttpResponseStatus.valueOf(status),
                    OpenAiBodies.toBuffer(ctx.alloc(), BedrockBodies.error(message)),
                    type + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
            return;
        }
        if (exchange.route.isBedrockEmbedding()) {
            respondBedrockEmbedding(ctx, exchange);
            return;
        }
        if (exchange.route.isBedrockImage()) {
            sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                    BedrockBodies.images(request.images)));
            return;
        }
        if (exchange.route.endpoint() == MockRoute.Endpoint.INVOKE_STREAM) {
            bedrockStream = new BedrockInvokeStream(ctx, state, request, exchange.keepAlive, done -> {
                bedrockStream = null;
                finish(ctx, exchange, done);
            });
            bedrockStream.start();
            return;
        }
        if (exchange.route.endpoint() == MockRoute.Endpoint.CONVERSE_STREAM) {
            bedrockStream = new BedrockStream(ctx, state, request, exchange.keepAlive, done -> {
                bedrockStream = null;
                finish(ctx, exchange, done);
            });
            bedrockStream.start();
            return;
        }
        String content = request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        int output = request.completionTokens == MockRequest.UNSET ? request.chunks : request.completionTokens;
        sendJson(ctx, exchange, HttpResponseStatus.OK, OpenAiBodies.toBuffer(ctx.alloc(),
                exchange.route.isBedrockInvoke() ? AnthropicBodies.message(BedrockInvokeStream.CLAUDE, content,
                        request.toolName, request.toolArguments, input, output)
                : BedrockBodies.response(content, request.toolName, request.toolArguments, input, output,
                        request.cacheReadTokens, request.cacheWriteTokens)), null);
    }

    /**
     * Titan's answer to its one input ({@code embeddingsByType} too for v2), or Cohere's to its texts; each vector
     * starts with its text's length, so that tests can tell which input it belongs to. The tokens (the words of the
     * texts, or {@code mock_usage}'s prompt tokens) are in Titan's body and, as Bedrock does, in the
     * {@code X-Amzn-Bedrock-Input-Token-Count} header.
     */
    private void respondBedrockEmbedding(ChannelHandlerContext ctx, Exchange exchange) {
        MockRequest request = exchange.request;
        String model = exchange.route.name();
        int dimensions = request.dimensions == MockRequest.UNSET ? 8 : request.dimensions;
        int tokens = 0;
        for (String text : request.embedTexts) {
            tokens += text.isBlank() ? 0 : text.strip().split("\\s+").length;
        }
        if (request.promptTokens != MockRequest.UNSET) {
            tokens = request.promptTokens;
        }
        ByteBuf body = OpenAiBodies.toBuffer(ctx.alloc(), model.contains("cohere.")
                ? BedrockBodies.cohereEmbeddings(request.embedTexts, dimensions)
                : BedrockBodies.titanEmbedding(request.embedTexts.isEmpty() ? "" : request.embedTexts.get(0),
                        dimensions, model.contains("titan-embed-text-v2"), tokens));
        sendJson(ctx, exchange, HttpResponseStatus.OK, body, null, tokens);
    }

    private void sendAnthropicError(ChannelHandlerContext ctx, Exchange exchange, int status, String message) {
        ByteBuf body = OpenAiBodies.toBuffer(ctx.alloc(),
                AnthropicBodies.error(AnthropicBodies.errorType(status), message));
        sendJson(ctx, exchange, HttpResponseStatus.valueOf(status), body);
    }

    /** What Anthropic would refuse in the headers of a Messages request, or {@code null}. */
    private static @Nullable String anthropicHeaderProblem(HttpHeaders headers) {
        if (!headers.contains("x-api-key") && !headers.contains(HttpHeaderNames.AUTHORIZATION)) {
            return MISSING_KEY;
        }
        if (!headers.contains("anthropic-version")) {
            return "anthropic-version: header is required";
        }
        return null;
    }

    private ByteBuf completion(ChannelHandlerContext ctx, MockRequest request, boolean chat, String model) {
        if (request.isDefaultAnswer(state.config)) {
            ModelAnswers answers = state.answers(model);
            return copy(ctx, chat ? answers.chatJson : answers.textJson);
        }
        String content = request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        int prompt = request.promptTokens == MockRequest.UNSET
                ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        int completion = request.completionTokens == MockRequest.UNSET ? request.chunks : request.completionTokens;
        return OpenAiBodies.toBuffer(ctx.alloc(), chat
                ? state.bodies.chatCompletion(model, content, prompt, completion)
                : state.bodies.textCompletion(model, content, prompt, completion));
    }

    private ByteBuf embeddings(ChannelHandlerContext ctx, MockRequest request, String model) {
        if (request.embeddingInputs == 1
                && request.dimensions == MockRequest.UNSET
                && !request.base64
                && request.promptTokens == MockRequest.UNSET) {
            return copy(ctx, state.answers(model).embeddingJson);
        }
        int dimensions = request.dimensions == MockRequest.UNSET
                ? ModelAnswers.DEFAULT_DIMENSIONS
                : Math.max(1, Math.min(request.dimensions, MAX_DIMENSIONS));
        int prompt = request.promptTokens == MockRequest.UNSET
                ? ModelAnswers.DEFAULT_PROMPT_TOKENS * request.embeddingInputs
                : request.promptTokens;
        return OpenAiBodies.toBuffer(ctx.alloc(),
                state.bodies.embeddings(model, request.embeddingInputs, dimensions, request.base64, prompt));
    }

    /** Acts out a queued or standing {@link MockFault} instead of answering. */
    private void actOut(ChannelHandlerContext ctx, Exchange exchange, MockFault fault) {
        switch (fault.kind()) {
            case HANG:
                return;
            case RESET:
                // A zero linger makes close() send a RST instead of a FIN.
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
                return;
            case CONTENT_FILTERED:
                sendJson(ctx, exchange, HttpResponseStatus.OK,
                        OpenAiBodies.toBuffer(ctx.alloc(), state.bodies.contentFiltered()));
                return;
            default:
                String code = fault.code();
                ByteBuf body = OpenAiBodies.toBuffer(ctx.alloc(), code != null
                        ? OpenAiBodies.error(fault.status(), fault.message(), code)
                        : OpenAiBodies.error(fault.status(), fault.message()));
                DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(fault.status()), body);
                response.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                String retryAfter = fault.retryAfter();
                if (retryAfter != null) {
                    response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
                }
                if (!exchange.keepAlive) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                finish(ctx, exchange, ctx.writeAndFlush(response));
        }
    }

    private void sendError(ChannelHandlerContext ctx, Exchange exchange, HttpResponseStatus status, String message) {
        ByteBuf body = OpenAiBodies.toBuffer(ctx.alloc(), OpenAiBodies.error(status.code(), message));
        sendJson(ctx, exchange, status, body);
    }

    /** Sends {@code body} (ownership passes to the channel) as the whole answer to {@code exchange}. */
    private void sendJson(ChannelHandlerContext ctx, Exchange exchange, HttpResponseStatus status, ByteBuf body) {
        sendJson(ctx, exchange, status, body, null);
    }

    /** As {@link #sendJson(ChannelHandlerContext, Exchange, HttpResponseStatus, ByteBuf)}, with Bedrock's error type. */
    private void sendJson(ChannelHandlerContext ctx, Exchange exchange, HttpResponseStatus status, ByteBuf body,
            @Nullable String amznErrorType) {
        sendJson(ctx, exchange, status, body, amznErrorType, MockRequest.UNSET);
    }

    /**
     * As {@link #sendJson(ChannelHandlerContext, Exchange, HttpResponseStatus, ByteBuf, String)}, with Bedrock's
     * {@code X-Amzn-Bedrock-Input-Token-Count} when {@code inputTokens} is set.
     */
    private void sendJson(ChannelHandlerContext ctx, Exchange exchange, HttpResponseStatus status, ByteBuf body,
            @Nullable String amznErrorType, int inputTokens) {
        if (exchange.request.cutAfterChunks != MockRequest.UNSET) {
            sendTruncated(ctx, status, body);
            return;
        }
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (amznErrorType != null) {
            headers.set("x-amzn-ErrorType", amznErrorType);
        }
        if (inputTokens != MockRequest.UNSET) {
            headers.setInt("X-Amzn-Bedrock-Input-Token-Count", inputTokens);
        }
        if (!exchange.keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        finish(ctx, exchange, ctx.writeAndFlush(response));
    }

    /** {@code mock_cut_after_chunks} on a non-streamed answer: announce the full length, send half, then close. */
    private void sendTruncated(ChannelHandlerContext ctx, HttpResponseStatus status, ByteBuf body) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        ctx.write(response);
        body.writerIndex(body.readerIndex() + body.readableBytes() / 2);
        ctx.writeAndFlush(new DefaultHttpContent(body)).addListener(ChannelFutureListener.CLOSE);
    }

    private void finish(ChannelHandlerContext ctx, Exchange exchange, ChannelFuture written) {
        stream = null;
        if (!exchange.keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        busy = false;
        if (draining) {
            return;
        }
        draining = true;
        try {
            Exchange next;
            while (!busy && (next = pending.poll()) != null) {
                start(ctx, next);
            }
        } finally {
            draining = false;
        }
    }

    private String modelOf(Exchange exchange) {
        if (!exchange.request.model.isEmpty()) {
            return exchange.request.model;
        }
        return exchange.route.name().isEmpty() ? DEFAULT_MODEL : exchange.route.name();
    }

    private static ByteBuf copy(ChannelHandlerContext ctx, byte[] bytes) {
        return ctx.alloc().buffer(bytes.length).writeBytes(bytes);
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** A parsed request waiting for its answer; holds no buffers. */
    static final class Exchange {
        final MockRoute route;
        final MockRequest request;
        final boolean keepAlive;
        final String label;
        final @Nullable String badRequest;
        /** The status a refused request gets (Google's endpoints; the others decide in their answer). */
        final int badStatus;

        Exchange(MockRoute route, MockRequest request, boolean keepAlive, String label, @Nullable String badRequest) {
            this(route, request, keepAlive, label, badRequest, 400);
        }

        Exchange(MockRoute route, MockRequest request, boolean keepAlive, String label, @Nullable String badRequest,
                int badStatus) {
            this.route = route;
            this.request = request;
            this.keepAlive = keepAlive;
            this.label = label;
            this.badRequest = badRequest;
            this.badStatus = badStatus;
        }
    }
}
