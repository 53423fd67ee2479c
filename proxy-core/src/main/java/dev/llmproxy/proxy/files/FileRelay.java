package dev.llmproxy.proxy.files;

import dev.llmproxy.codec.files.BatchOutputUsage;
import dev.llmproxy.codec.files.FileIdRewriter;
import dev.llmproxy.codec.multipart.MultipartModelRewriter;
import dev.llmproxy.codec.multipart.MultipartPartFilter;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallOwner;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.CallServices;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.upstream.Origin;
import dev.llmproxy.proxy.upstream.UpstreamConnection;
import dev.llmproxy.proxy.upstream.UpstreamExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
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
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes.
 *
 * One upstream request, no retries: a file lives on one deployment, and an upload or a batch created twice is not
 * the same as once. start() leases a connection of the deployment's origin, onConnected() applies the deployment's
 * authentication and sends. An upload's body (a StreamedBody) is not collected: the head goes with the bytes read so
 * far (the routing fields cut out by the rewriter, which has passed the file part's start in them, so the body's new
 * length is known when the client gave one; else it goes chunked), then each client part as it arrives. Reading
 * from the client pauses while the upstream connection is not writable (onWritable resumes it); the body holds at
 * most StreamedBody.REPLAY_BYTES meanwhile, for the one resend below.
 *
 * A file's content (a 2xx to GET .../content) is relayed as it arrives, flushed per read cycle, with reading from the
 * provider paused while the client is not writable; a batch output's usage is read from it on the way
 * (BatchOutputUsage) and reported when the download completes. Every other answer is a small
 * JSON object: collected (bounded), its ids rewritten when the deployment was chosen by model (FileIds), and
 * written whole. Errors are relayed as the provider wrote them (OpenAI and Azure write OpenAI's error shape).
 *
 * End states (exactly one, guarded by `done`): answered, cut mid-content (the client connection is closed, as a
 * plain body cannot be marked), failed before the answer started (an OpenAI error), or abandoned by the client.
 * Each releases the request body, the timer, any collected body and the upstream connection, sends one CallRecord
 * and tells the owner. An upload whose client stops mid-body (the StreamedBody fails) ends the same way: the
 * upstream connection is closed, so the provider never takes a half file. A connection goes back to its pool only
 * when the whole request was sent.
 */
/**
 * Relays one files or batches request to its deployment. Thread-safety: confined to the client connection's event
 * loop, which is also the event loop of the upstream connection it leases.
 */
final class FileRelay implements UpstreamExchange, FilesCall, StreamedBody.Sink {
    private static final Logger log = LoggerFactory.getLogger(FileRelay.class);
    /** The most a JSON answer (a file or batch object, or a page of them) may weigh; they are a few KB. */
    private static final int MAX_JSON_BYTES = 16 * 1024 * 1024;
    private static final AsciiString USER_AGENT = AsciiString.cached("llmproxy");
    private static final Set<String> ID_KEYS = Set.of("id", "first_id", "last_id");
    private static final Set<String> FILE_ID_KEYS = Set.of("input_file_id", "output_file_id", "error_file_id");

    private final ChannelHandlerContext ctx;
    private final CallOwner owner;
    private final CallServices services;
    private final FileRequest request;
    private final FileTargets.Choice choice;
    private final Deployment deployment;
    private final HttpMethod method;
    private final String path;
    private final @Nullable String contentType;
    private final BatchUsage.@Nullable Listener batchUsage;
    private final long silenceNanos;
    private final Runnable timeoutCheck = this::checkTimeout;

    /** The body to send; owned here until the relay ends. */
    private @Nullable ByteBuf body;
    /** An upload's body, streamed as it arrives; owned here until the relay ends. */
    private @Nullable StreamedBody upload;
    /** Cuts the routing fields out of the upload's body; made for each send of it. */
    private @Nullable MultipartPartFilter rewriter;
    private @Nullable UpstreamConnection connection;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable HttpResponse head;
    /** A JSON answer being collected; owned here until written or the relay ends. */
    private @Nullable CompositeByteBuf collected;
    private @Nullable BatchOutputUsage outputUsage;
    private long lastActivityNanos;
    private long firstByteNanos;
    private long sentNanos;
    private long headersNanos;
    private int status;
    private boolean streaming;
    private boolean upstreamKeepAlive;
    private boolean bodyEndsAtClose;
    private boolean receivedAny;
    private boolean retried;
    private boolean awaitingWritability;
    /** Whether the whole request went to the provider (only then may its connection be reused). */
    private boolean requestSent;
    private boolean done;

    /**
     * @param body the request body to send, taken (released when the relay ends), or null for none
     */
    FileRelay(ChannelHandlerContext ctx, CallOwner owner, CallServices services, FileRequest request,
            FileTargets.Choice choice, HttpMethod method, String path, @Nullable ByteBuf body,
            @Nullable String contentType, BatchUsage.@Nullable Listener batchUsage) {
        this.ctx = ctx;
        this.owner = owner;
        this.services = services;
        this.request = request;
        this.choice = choice;
        this.deployment = choice.deployment();
        this.method = method;
        this.path = path;
        this.body = body;
        this.contentType = contentType;
        this.batchUsage = batchUsage;
        this.silenceNanos = deployment.timeoutNanos();
    }

    /**
     * An upload's relay: {@code POST path} with {@code upload}'s body, streamed as it arrives.
     *
     * @param upload taken (released when the relay ends); its content type is a multipart one with a boundary
     */
    FileRelay(ChannelHandlerContext ctx, CallOwner owner, CallServices services, FileRequest request,
            FileTargets.Choice choice, HttpMethod method, String path, StreamedBody upload) {
        this(ctx, owner, services, request, choice, method, path, null, upload.contentType(), null);
        this.upload = upload;
    }

    void start() {
        Origin origin = deployment.origin();
        if (origin == null) {
            throw new IllegalStateException("deployment " + deployment.id() + " has no origin");
        }
        lastActivityNanos = services.ticker().getAsLong();
        timer = ctx.executor().schedule(timeoutCheck, silenceNanos, TimeUnit.NANOSECONDS);
        services.upstream().acquire(ctx.channel().eventLoop(), origin, deployment.connectTimeoutMillis(), this);
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onConnected(UpstreamConnection upstreamConnection) {
        if (done) {
            upstreamConnection.release();
            return;
        }
        connection = upstreamConnection;
        send(upstreamConnection);
    }

    private void send(UpstreamConnection upstreamConnection) {
        StreamedBody streamed = upload;
        if (streamed != null) {
            HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, path,
                    Responses.HEADERS.newHeaders());
            head.headers()
                    .set(HttpHeaderNames.HOST, deployment.hostHeader())
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                    .set(HttpHeaderNames.ACCEPT, "*/*")
                    .set(HttpHeaderNames.CONTENT_TYPE, streamed.contentType());
            if (choice.adapter().auth().apply(head, Unpooled.EMPTY_BUFFER)) {
                sendUpload(upstreamConnection, head, streamed);
            } else {
                awaitAuth(upstreamConnection);
            }
            return;
        }
        ByteBuf own = body;
        ByteBuf content = own == null ? Unpooled.EMPTY_BUFFER : own.retainedDuplicate();
        FullHttpRequest upstreamRequest = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, content,
                Responses.HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        HttpHeaders headers = upstreamRequest.headers()
                .set(HttpHeaderNames.HOST, deployment.hostHeader())
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.ACCEPT, "*/*");
        if (own != null) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            if (contentType != null) {
                headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
        }
        UpstreamAuth auth = choice.adapter().auth();
        if (auth.apply(upstreamRequest, content)) {
            sentNanos = services.ticker().getAsLong();
            requestSent = true;
            upstreamConnection.send(upstreamRequest);
            return;
        }
        upstreamRequest.release();
        awaitAuth(upstreamConnection);
    }

    /** Sends again once the deployment's credentials are ready. */
    private void awaitAuth(UpstreamConnection upstreamConnection) {
        UpstreamAuth auth = choice.adapter().auth();
        auth.ready().whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
            if (done || connection != upstreamConnection) {
                return;
            }
            if (failure != null) {
                fail(ProxyError.UPSTREAM_AUTH_FAILED, "Cannot authenticate with the provider (no credentials)");
                return;
            }
            send(upstreamConnection);
        }));
    }

    /**
     * Sends an upload's head and the body received so far, the routing fields cut out; the rest follows part by part
     * ({@link #onBodyPart}).
     */
    private void sendUpload(UpstreamConnection upstreamConnection, HttpRequest head, StreamedBody streamed) {
        String boundary = MultipartModelRewriter.boundary(streamed.contentType());
        if (boundary == null) {
            throw new IllegalStateException("an upload without a multipart boundary");
        }
        MultipartPartFilter rewriting = FilesApi.uploadRewriter(boundary);
        rewriter = rewriting;
        ByteBuf received = streamed.attach(this);
        ByteBuf first = rewriting.rewrite(ctx.alloc(), received);
        long dropped = received.readableBytes() - first.readableBytes();
        received.release();
        if (!rewriting.fileStarted()) {
            // The client's handler saw the file part start in these very bytes before the relay started.
            first.release();
            fail(ProxyError.BAD_REQUEST, "Malformed multipart body");
            return;
        }
        if (streamed.declaredLength() >= 0) {
            HttpUtil.setContentLength(head, streamed.declaredLength() - dropped);
        } else {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        requestSent = streamed.isComplete();
        sentNanos = services.ticker().getAsLong();
        upstreamConnection.send(head);
        upstreamConnection.sendPart(requestSent ? new DefaultLastHttpContent(first) : new DefaultHttpContent(first));
        if (!requestSent && !upstreamConnection.isWritable()) {
            streamed.pauseClient();
        }
    }

    @Override
    public void onBodyPart(ByteBuf part, boolean last) {
        UpstreamConnection upstreamConnection = connection;
        StreamedBody streamed = upload;
        MultipartPartFilter rewriting = rewriter;
        if (done || upstreamConnection == null || streamed == null || rewriting == null) {
            part.release();
            return;
        }
        ByteBuf out = rewriting.rewrite(ctx.alloc(), part);
        part.release();
        // The provider is busy reading the body: its silence is measured from the last bytes it was sent.
        lastActivityNanos = services.ticker().getAsLong();
        requestSent = last;
        upstreamConnection.sendPart(last ? new DefaultLastHttpContent(out) : new DefaultHttpContent(out));
        if (!last && !upstreamConnection.isWritable()) {
            streamed.pauseClient();
        }
    }

    @Override
    public void onBodyFailed(ProxyError error, String message) {
        if (done) {
            return;
        }
        log.info("[{}] upload failed: {}", request.callId(), message);
        failOrCut(error, message);
    }

    @Override
    public void onWritable() {
        StreamedBody streamed = upload;
        if (streamed != null && !done) {
            streamed.resumeClient();
        }
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        if (done) {
            return;
        }
        log.info("[{}] cannot connect to {}: {}", request.callId(), deployment.origin(), cause.toString());
        fail(ProxyError.UPSTREAM_CONNECT_FAILED, "Cannot connect to the provider");
    }

    @Override
    public void onResponsePart(HttpObject part) {
        if (done) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (part.decoderResult().isFailure()) {
            Throwable cause = part.decoderResult().cause();
            ReferenceCountUtil.release(part);
            onConnectionLost(cause);
            return;
        }
        lastActivityNanos = services.ticker().getAsLong();
        receivedAny = true;
        if (part instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(part);
                return;
            }
            onHead(response);
        }
        if (part instanceof HttpContent content) {
            onContent(content);
        }
    }

    private void onHead(HttpResponse response) {
        head = response;
        headersNanos = lastActivityNanos;
        status = response.status().code();
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean success = response.status().codeClass() == HttpStatusClass.SUCCESS;
        if (!success || request.operation() != FileOperation.FILE_CONTENT) {
            collected = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            return;
        }
        streaming = true;
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), Responses.HEADERS);
        HttpHeaders headers = out.headers();
        copyHeader(response.headers(), headers, HttpHeaderNames.CONTENT_TYPE);
        copyHeader(response.headers(), headers, HttpHeaderNames.CONTENT_DISPOSITION);
        long length = HttpUtil.getContentLength(response, -1L);
        bodyEndsAtClose = !HttpUtil.isTransferEncodingChunked(response) && length < 0;
        if (length >= 0) {
            HttpUtil.setContentLength(out, length);
        } else {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        addProxyHeaders(headers);
        Responses.setConnection(out, request.keepAlive(), request.http10());
        if (batchUsage != null) {
            outputUsage = new BatchOutputUsage();
        }
        ctx.write(out, ctx.voidPromise());
    }

    private void onContent(HttpContent content) {
        ByteBuf bytes = content.content();
        if (firstByteNanos == 0 && bytes.isReadable()) {
            firstByteNanos = services.ticker().getAsLong();
        }
        boolean last = content instanceof LastHttpContent;
        CompositeByteBuf whole = collected;
        if (whole != null) {
            if (whole.readableBytes() + bytes.readableBytes() > MAX_JSON_BYTES) {
                content.release();
                fail(ProxyError.UPSTREAM_PROTOCOL_ERROR,
                        "The provider's answer is larger than " + MAX_JSON_BYTES + " bytes");
                return;
            }
            whole.addComponent(true, bytes.retain());
            content.release();
            if (last) {
                answerWhole(whole);
            }
            return;
        }
        BatchOutputUsage scanner = outputUsage;
        if (scanner != null) {
            scanner.feed(bytes);
        }
        if (last) {
            Responses.writeLast(ctx, content, request.keepAlive());
            finishStream();
        } else {
            ctx.write(content, ctx.voidPromise());
        }
    }

    /** Writes a collected answer, its ids rewritten when the deployment was chosen by model. */
    private void answerWhole(CompositeByteBuf whole) {
        collected = null;
        HttpResponse response = head;
        if (response == null) {
            whole.release();
            throw new IllegalStateException("no response head");
        }
        ByteBuf out = whole;
        String encodeAs = choice.encodeAs();
        if (encodeAs != null && response.status().codeClass() == HttpStatusClass.SUCCESS) {
            ByteBuf rewritten = FileIdRewriter.rewrite(ctx.alloc(), whole, new EncodeIds(encodeAs,
                    request.operation().isBatch()));
            if (rewritten != null) {
                whole.release();
                out = rewritten;
            }
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        FullHttpResponse answer = Responses.full(response.status(),
                type == null ? HttpHeaderValues.APPLICATION_JSON : AsciiString.of(type), out, request.callId());
        addProxyHeaders(answer.headers());
        Responses.setConnection(answer, request.keepAlive(), request.http10());
        cleanUp(upstreamKeepAlive && requestSent);
        Responses.writeLast(ctx, answer, request.keepAlive());
        finish(status, null, request.keepAlive());
    }

    private void finishStream() {
        Usage usage = null;
        BatchOutputUsage scanner = outputUsage;
        if (scanner != null) {
            usage = scanner.usage();
        }
        cleanUp(upstreamKeepAlive && !bodyEndsAtClose && requestSent);
        if (usage != null && scanner != null && batchUsage != null) {
            String fileId = request.providerId() == null ? "" : request.providerId();
            batchUsage.onBatchUsage(new BatchUsage("batch:" + deployment.id() + ":" + fileId, request.callId(),
                    deployment, request.principal(), usage, scanner.model(),
                    services.ticker().getAsLong() - request.startNanos()));
        }
        // The batch's usage is charged once through batchUsage (whichever download reads it), not on this call.
        finish(status, null, request.keepAlive());
    }

    @Override
    public void onReadComplete() {
        if (done) {
            return;
        }
        ctx.flush();
        UpstreamConnection upstreamConnection = connection;
        if (streaming && upstreamConnection != null && !ctx.channel().isWritable()) {
            upstreamConnection.pauseReading();
            awaitingWritability = true;
        }
    }

    @Override
    public void onClientWritable() {
        if (awaitingWritability && !done) {
            awaitingWritability = false;
            lastActivityNanos = services.ticker().getAsLong();
            UpstreamConnection upstreamConnection = connection;
            if (upstreamConnection != null) {
                upstreamConnection.resumeReading();
            }
        }
    }

    @Override
    public void onClientGone() {
        if (done) {
            return;
        }
        cleanUp(false);
        finish(ProxyError.CLIENT_CLOSED.status().code(), ProxyError.CLIENT_CLOSED, false);
    }

    @Override
    public void onMalformedResponse(Throwable cause) {
        if (done) {
            return;
        }
        connection = null;
        log.warn("[{}] malformed response from {}: {}", request.callId(), deployment.origin(), cause.toString());
        failOrCut(ProxyError.UPSTREAM_PROTOCOL_ERROR, "The provider sent a malformed response");
    }

    @Override
    public void onConnectionLost(@Nullable Throwable cause) {
        if (done) {
            return;
        }
        UpstreamConnection lost = connection;
        connection = null;
        StreamedBody streamed = upload;
        if (!receivedAny && !retried && lost != null && lost.isReused()
                && (streamed == null || streamed.isReplayable())) {
            // A pooled connection the provider closed just as it was reused: nothing was processed, send once more.
            retried = true;
            if (streamed != null) {
                streamed.detach(this);
            }
            Origin origin = deployment.origin();
            if (origin != null) {
                services.upstream().acquire(ctx.channel().eventLoop(), origin, deployment.connectTimeoutMillis(),
                        this);
                return;
            }
        }
        if (streaming && bodyEndsAtClose) {
            Responses.writeLast(ctx, LastHttpContent.EMPTY_LAST_CONTENT, request.keepAlive());
            finishStream();
            return;
        }
        failOrCut(ProxyError.UPSTREAM_CLOSED, "The provider closed the connection before the answer was complete");
    }

    private void failOrCut(ProxyError error, String message) {
        if (!streaming) {
            fail(error, message);
            return;
        }
        log.info("[{}] {}", request.callId(), message);
        cleanUp(false);
        ctx.flush();
        ctx.close();
        finish(status, error, false);
    }

    /** Answers with an OpenAI error; nothing of the provider's answer reached the client. */
    private void fail(ProxyError error, String message) {
        cleanUp(false);
        FullHttpResponse response = Responses.error(ctx.alloc(), error, message, null, request.callId());
        Responses.setConnection(response, request.keepAlive(), request.http10());
        Responses.writeLast(ctx, response, request.keepAlive());
        finish(error.status().code(), error, request.keepAlive());
    }

    private void checkTimeout() {
        if (done) {
            return;
        }
        long now = services.ticker().getAsLong();
        long limit = awaitingWritability ? services.clientWriteTimeoutNanos() : silenceNanos;
        long idle = now - lastActivityNanos;
        if (idle < limit) {
            timer = ctx.executor().schedule(timeoutCheck, limit - idle, TimeUnit.NANOSECONDS);
            return;
        }
        if (awaitingWritability) {
            failOrCut(ProxyError.CLIENT_TOO_SLOW, "The client read nothing for its write timeout");
            return;
        }
        failOrCut(ProxyError.UPSTREAM_TIMEOUT, "Request timed out: no data from the provider for "
                + TimeUnit.NANOSECONDS.toMillis(silenceNanos) / 1000.0 + " s");
    }

    private void addProxyHeaders(HttpHeaders headers) {
        headers.set(Responses.CALL_ID, request.callId())
                .set(Responses.MODEL_ID, deployment.idHeader())
                .set(Responses.MODEL_GROUP, deployment.modelGroupHeader())
                .set(Responses.MODEL_API_BASE, deployment.apiBaseHeader());
    }

    private static void copyHeader(HttpHeaders from, HttpHeaders to, AsciiString name) {
        String value = from.get(name);
        if (value != null) {
            to.set(name, value);
        }
    }

    /** Ends the relay: one record to the listeners, and the connection handed back to its owner. */
    private void finish(int clientStatus, @Nullable ProxyError error, boolean keepAlive) {
        long now = services.ticker().getAsLong();
        Principal principal = request.principal();
        services.listener().onCallEnded(new CallRecord(request.callId(), request.operation().endpoint(),
                request.model(), deployment.modelGroup(), deployment.id(), principal, clientStatus, error, streaming,
                null, request.startNanos(), firstByteNanos, now, headersNanos == 0 ? 0 : headersNanos - sentNanos,
                List.of()));
        owner.onCallEnded(keepAlive);
    }

    private void cleanUp(boolean reuseConnection) {
        done = true;
        ByteBuf own = body;
        body = null;
        if (own != null) {
            own.release();
        }
        StreamedBody streamed = upload;
        upload = null;
        if (streamed != null) {
            streamed.release();
        }
        ScheduledFuture<?> pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel(false);
        }
        UpstreamConnection upstreamConnection = connection;
        connection = null;
        if (upstreamConnection != null) {
            if (reuseConnection) {
                upstreamConnection.release();
            } else {
                upstreamConnection.discard();
            }
        }
        CompositeByteBuf whole = collected;
        collected = null;
        if (whole != null) {
            whole.release();
        }
    }

    /** The provider's ids in an answer, written with the model the deployment was chosen by. */
    private record EncodeIds(String model, boolean batch) implements FileIdRewriter.Rewrite {
        @Override
        public @Nullable String value(String key, String value) {
            if (value.isEmpty() || FileIds.decode(value) != null) {
                return null;
            }
            if (ID_KEYS.contains(key)) {
                return FileIds.encode(value, model, batch);
            }
            return FILE_ID_KEYS.contains(key) ? FileIds.encode(value, model, false) : null;
        }
    }
}
