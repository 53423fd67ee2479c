package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's upload endpoints, read as they stream in (never collected, so a 100 MB upload costs the mock nothing):
 * {@code .../audio/transcriptions}, {@code .../audio/translations}, {@code .../images/edits} and
 * {@code .../images/variations}, under any prefix ({@code /v1}, Azure's {@code /openai/deployments/{name}}), and
 * {@code POST /v1/files} (also Azure's {@code /openai/files}), answered by {@link MockFiles}: whole when the body fits
 * in {@value #FILE_KEPT_BYTES} bytes, else counted and stored without its content. Sits
 * before the aggregator; other requests pass by untouched. In: {@code HttpObject}s; out: full responses.
 *
 * <p>The body's first {@value #KEPT_BYTES} bytes are kept: the form fields are read from them (OpenAI's SDKs send
 * them before the file), and they are what {@link RecordedRequest#body()} holds; the header
 * {@value #RECEIVED_BYTES_HEADER} of the recorded request says how many bytes came in all. Answers as OpenAI does:
 * {@code response_format} {@code json} (the default; with a duration usage), {@code text}, {@code srt}, {@code vtt}
 * or {@code verbose_json} for audio, or an SSE stream for a transcription with {@code stream=true}; an image list
 * for images; a 400 in OpenAI's words without a {@code model} field
 * or a multipart content type. An upload with a field whose value is {@value #STALL_MODEL} (the {@code model} of a
 * transcription, the {@code purpose} of a file) is not read for
 * {@value #STALL_SECONDS} s after its first part (the socket stops being read), for backpressure tests; then it is
 * read again, so that the mock sees the connection close.
 *
 * <p>Thread-safety: one instance per connection, confined to its event loop.
 */
final class MockUploadHandler extends ChannelInboundHandlerAdapter {
    /** The recorded request's header saying how many body bytes the mock received. */
    static final String RECEIVED_BYTES_HEADER = "x-mock-received-bytes";
    static final int KEPT_BYTES = 64 * 1024;
    /** How much of a file upload is kept: a file up to this size can be downloaded again. */
    static final int FILE_KEPT_BYTES = 16 * 1024 * 1024;
    /** The model whose uploads the mock stops reading. */
    static final String STALL_MODEL = "stall-upload";
    static final int STALL_SECONDS = 5;
    private boolean stalled;
    /** An upload's mock audio lasts one second per this many bytes. */
    private static final int BYTES_PER_SECOND = 32_000;

    private final MockState state;
    private @Nullable HttpRequest head;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long received;
    private int keepLimit = KEPT_BYTES;

    MockUploadHandler(MockState state) {
        this.state = state;
    }

    static boolean isUpload(HttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            return false;
        }
        String path = pathOf(request.uri());
        return path.endsWith("/audio/transcriptions") || path.endsWith("/audio/translations")
                || path.endsWith("/images/edits") || path.endsWith("/images/variations") || isFileUpload(path);
    }

    private static boolean isFileUpload(String path) {
        return path.equals("/v1/files") || path.equals("/files") || path.equals("/openai/files");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && head == null && isUpload(request)) {
            head = request;
            stalled = false;
            kept.reset();
            received = 0;
            keepLimit = isFileUpload(pathOf(request.uri())) ? FILE_KEPT_BYTES : KEPT_BYTES;
            state.counters.requestsReceived.incrementAndGet();
        }
        if (head == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpContent part) {
            ByteBuf bytes = part.content();
            received += bytes.readableBytes();
            int keep = Math.min(bytes.readableBytes(), keepLimit - kept.size());
            if (keep > 0) {
                byte[] copy = new byte[keep];
                bytes.getBytes(bytes.readerIndex(), copy);
                kept.writeBytes(copy);
            }
            // Only the first KEPT_BYTES are searched: a file upload keeps up to 16 MiB, searched on every part
            // that would be quadratic.
            if (!stalled && kept.size() - keep < KEPT_BYTES
                    && kept.toString(StandardCharsets.ISO_8859_1).contains("\r\n" + STALL_MODEL + "\r\n")) {
                stalled = true;
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), STALL_SECONDS,
                        java.util.concurrent.TimeUnit.SECONDS);
            }
            if (msg instanceof LastHttpContent) {
                HttpRequest request = head;
                head = null;
                answer(ctx, request);
            }
        }
        ReferenceCountUtil.release(msg);
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest request) {
        String body = kept.toString(StandardCharsets.ISO_8859_1);
        if (state.config.recordRequests()) {
            HttpHeaders headers = request.headers().copy();
            headers.set(RECEIVED_BYTES_HEADER, Long.toString(received));
            state.counters.requests.add(new RecordedRequest(request.method().name(), request.uri(), headers,
                    new String(kept.toByteArray(), StandardCharsets.UTF_8)));
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String boundary = boundaryOf(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        if (boundary == null) {
            write(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, HttpHeaderValues.APPLICATION_JSON,
                    error("Invalid Content-Type header (" + request.headers().get(HttpHeaderNames.CONTENT_TYPE)
                            + "), expected multipart/form-data. (HINT: If you're using curl, you can pass "
                            + "-F 'key=value' to send a multipart form.)"));
            return;
        }
        Map<String, String> fields = fields(body, boundary);
        if (isFileUpload(pathOf(request.uri()))) {
            answerFile(ctx, keepAlive, request, fields);
            return;
        }
        String model = fields.get("model");
        if (model == null && !request.uri().contains("/openai/deployments/")) {
            write(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, HttpHeaderValues.APPLICATION_JSON,
                    error("you must provide a model parameter"));
            return;
        }
        String path = pathOf(request.uri());
        long seconds = Math.max(1, received / BYTES_PER_SECOND);
        String text = "Mock transcription of " + received + " bytes";
        if (path.endsWith("/images/edits") || path.endsWith("/images/variations")) {
            write(ctx, keepAlive, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                    "{\"created\":1700000000,\"data\":[{\"b64_json\":\"iVBORw0KGgo=\"}],\"usage\":{\"total_tokens\":"
                            + "80,\"input_tokens\":50,\"output_tokens\":30,\"input_tokens_details\":"
                            + "{\"text_tokens\":10,\"image_tokens\":40}}}");
            return;
        }
        if (path.endsWith("/audio/transcriptions") && "true".equalsIgnoreCase(fields.get("stream"))) {
            streamTranscript(ctx, keepAlive, text, seconds);
            return;
        }
        String format = fields.getOrDefault("response_format", "json").toLowerCase(Locale.ROOT);
        switch (format) {
            case "text" -> write(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; charset=utf-8", text + "\n");
            case "srt" -> write(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; charset=utf-8",
                    "1\n00:00:00,000 --> 00:00:0" + Math.min(9, seconds) + ",000\n" + text + "\n\n");
            case "vtt" -> write(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; charset=utf-8",
                    "WEBVTT\n\n00:00:00.000 --> 00:00:0" + Math.min(9, seconds) + ".000\n" + text + "\n\n");
            case "verbose_json" -> write(ctx, keepAlive, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                    "{\"task\":\"" + (path.endsWith("/translations") ? "translate" : "transcribe")
                            + "\",\"language\":\"english\",\"duration\":" + seconds + ".0,\"text\":\"" + text
                            + "\",\"segments\":[]}");
            default -> write(ctx, keepAlive, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                    "{\"text\":\"" + text + "\",\"usage\":{\"type\":\"duration\",\"seconds\":" + seconds + "}}");
        }
    }

    private void answerFile(ChannelHandlerContext ctx, boolean keepAlive, HttpRequest request,
            Map<String, String> fields) {
        FullHttpResponse response;
        if (received <= kept.size()) {
            FullHttpRequest whole = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                    request.uri(), Unpooled.wrappedBuffer(kept.toByteArray()), request.headers().copy(),
                    EmptyHttpHeaders.INSTANCE);
            HttpUtil.setTransferEncodingChunked(whole, false);
            HttpUtil.setContentLength(whole, whole.content().readableBytes());
            try {
                response = state.files.answer(whole);
            } finally {
                whole.release();
            }
        } else {
            String body = kept.toString(StandardCharsets.ISO_8859_1);
            int at = body.indexOf("filename=\"");
            String filename = at < 0 ? null : body.substring(at + 10, body.indexOf('"', at + 10));
            response = state.files.uploadedUnkept(request.headers(), fields, filename, received);
        }
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
    }

    /**
     * A transcription asked with {@code stream=true}, as OpenAI streams it for its gpt-4o transcribe models: SSE
     * {@code data:} events, one {@code transcript.text.delta} per word, flushed one by one, then
     * {@code transcript.text.done} with the whole text and the token usage; no {@code [DONE]}.
     */
    private static void streamTranscript(ChannelHandlerContext ctx, boolean keepAlive, String text, long seconds) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        HttpUtil.setTransferEncodingChunked(head, true);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(head, ctx.voidPromise());
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            String delta = (i == 0 ? "" : " ") + words[i];
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("data: {\"type\":\"transcript.text.delta\","
                    + "\"delta\":\"" + delta + "\",\"logprobs\":[]}\n\n", StandardCharsets.UTF_8)), ctx.voidPromise());
        }
        long input = 10 * seconds;
        long output = words.length;
        String done = "data: {\"type\":\"transcript.text.done\",\"text\":\"" + text + "\",\"logprobs\":[],\"usage\":"
                + "{\"type\":\"tokens\",\"input_tokens\":" + input + ",\"input_token_details\":{\"text_tokens\":0,"
                + "\"audio_tokens\":" + input + "},\"output_tokens\":" + output + ",\"total_tokens\":"
                + (input + output) + "}}\n\n";
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer(done, StandardCharsets.UTF_8));
        if (keepAlive) {
            ctx.writeAndFlush(last, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
            CharSequence contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String error(String message) {
        return "{\"error\":{\"message\":\"" + message.replace("\"", "\\\"")
                + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
    }

    /** The text fields among the kept bytes (a naive reading: the mock's own, independent of the proxy's reader). */
    private static Map<String, String> fields(String body, String boundary) {
        Map<String, String> fields = new HashMap<>();
        for (String part : body.split("--" + java.util.regex.Pattern.quote(boundary))) {
            int headersEnd = part.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                continue;
            }
            String headers = part.substring(0, headersEnd);
            int name = headers.indexOf("name=\"");
            if (name < 0 || headers.contains("filename=")) {
                continue;
            }
            String key = headers.substring(name + 6, headers.indexOf('"', name + 6));
            String value = part.substring(headersEnd + 4);
            fields.putIfAbsent(key, value.endsWith("\r\n") ? value.substring(0, value.length() - 2) : value);
        }
        return fields;
    }

    private static @Nullable String boundaryOf(@Nullable String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        int at = contentType.toLowerCase(Locale.ROOT).indexOf("boundary=");
        if (at < 0) {
            return null;
        }
        String boundary = contentType.substring(at + 9).split(";")[0].trim();
        return boundary.startsWith("\"") ? boundary.substring(1, boundary.length() - 1) : boundary;
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
