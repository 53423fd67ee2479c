package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.multipart.MultipartModelRewriter;
import dev.llmproxy.codec.multipart.MultipartPartFilter;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallOptions;
import dev.llmproxy.proxy.call.CallRequest;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.files.FilesApi;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.ModelRoute;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uploads of one connection ({@link ApiPath#streamsBody}): a body that is not collected but streamed to the
 * provider as it arrives. The key is checked and the parts read until the {@code model} field is found (the bytes
 * before it are held, up to {@code max_request_size_mb}); then the call starts with the body, which it owns from then
 * on. A file's upload ({@code POST /v1/files}) is read the same way until its {@code file} part starts, with a
 * {@code purpose} before it or after it (held up to {@code max_request_size_mb}), then relayed by the files API. An
 * upload answered before its call started (refused) drops its body; when part of it is still to come, the connection
 * closes lingering (the rest is read and dropped).
 *
 * <p>Thread-safety: one instance per connection, confined to the connection's event loop.
 */
final class StreamedUploads {
    private static final Logger log = LoggerFactory.getLogger(StreamedUploads.class);
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

    private final ServerContext server;
    private final HeadAuthResults headAuth;
    private final RequestAnswers answers;
    /** The upload being read (its head was handled), until its last part or its answer; see {@link Upload}. */
    private @Nullable Upload upload;

    StreamedUploads(ServerContext server, HeadAuthResults headAuth, RequestAnswers answers) {
        this.server = server;
        this.headAuth = headAuth;
        this.answers = answers;
    }

    /** Starts reading the upload {@code head} introduces; the request is in flight. */
    void start(ChannelHandlerContext ctx, HttpRequest head) {
        RequestFacts facts = RequestFacts.arriving(head, server);
        ApiPath path = ApiPath.of(head.uri());
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String boundary = MultipartModelRewriter.boundary(contentType);
        boolean file = path.kind() == ApiPath.Kind.FILES;
        // A path that names the model (Azure's form) needs no model field: the body then goes as it is.
        boolean modelInPath = path.pathModel() != null;
        StreamedBody body = new StreamedBody(ctx, contentType == null ? "" : contentType,
                modelInPath || file ? null : boundary, HttpUtil.getContentLength(head, -1L),
                server.settings.maxRequestBytes(), server.requestBudget);
        Upload reading = new Upload(ctx, head, path, file ? Endpoint.CREATE_FILE : path.endpoint(), facts, body,
                boundary == null || modelInPath || file ? null : MultipartModelRewriter.scanner(boundary),
                boundary == null || !file ? null : FilesApi.uploadScanner(boundary));
        upload = reading;
        if (boundary == null) {
            refuse(reading, ProxyError.BAD_REQUEST, file
                    ? "A file upload must be multipart/form-data with the fields purpose and file"
                    : "Invalid Content-Type: expected multipart/form-data with a boundary", null, null);
            return;
        }
        AuthResult checked = headAuth.take(head.headers());
        AuthResult auth = checked != null ? checked : server.authenticator.authenticate(head.headers());
        CompletionStage<AuthResult> pending = auth.pending();
        if (pending == null) {
            authenticated(reading, auth, null);
            return;
        }
        ScheduledFuture<?> timeout = ctx.executor().schedule(
                () -> authenticated(reading, null, null), ClientHandler.AUTH_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        pending.whenComplete((result, failure) -> ctx.executor().execute(() -> {
            timeout.cancel(false);
            authenticated(reading, result, failure);
        }));
    }

    /** A part of the upload being read; taken. */
    void part(HttpContent part) {
        Upload reading = upload;
        if (reading == null) {
            part.release();
            return;
        }
        boolean failed = part.decoderResult().isFailure();
        boolean last = !failed && part instanceof LastHttpContent;
        MultipartModelRewriter scanner = reading.scanner;
        if (!reading.started && !reading.ended && !failed && scanner != null) {
            scanner.scan(part.content());
            if (last) {
                scanner.finish();
            }
        }
        MultipartPartFilter form = reading.form;
        if (!reading.started && !reading.ended && !failed && form != null) {
            form.scan(part.content());
            if (last) {
                form.finish();
            }
        }
        reading.received = last;
        reading.body.add(part);
        if (reading.ended && last) {
            upload = null;
        }
        startWhenReady(reading);
    }

    /**
     * The upload's call ended.
     *
     * @return whether the connection must close: the call was answered before the whole upload arrived, so the rest
     *     is read and dropped (a lingering close has started)
     */
    boolean callEnded(ChannelHandlerContext ctx) {
        Upload reading = upload;
        upload = null;
        if (reading != null && !reading.received) {
            LingeringCloseHandler.start(ctx.pipeline(), server.ticker, LingeringCloseHandler.MAX_DISCARD_BYTES);
            return true;
        }
        return false;
    }

    /** The client went away: an upload whose call has not started drops its body and is recorded. */
    void clientGone() {
        Upload reading = upload;
        upload = null;
        if (reading != null && !reading.started) {
            reading.body.release();
            if (!reading.ended) {
                reading.ended = true;
                answers.record(reading.facts, reading.endpoint, null, reading.principal, ProxyError.CLIENT_CLOSED);
            }
        }
    }

    private void authenticated(Upload reading, @Nullable AuthResult result, @Nullable Throwable failure) {
        if (upload != reading || reading.ended || reading.principal != null) {
            return;
        }
        if (failure != null || result == null || result.isPending()) {
            log.warn("[{}] key lookup failed: {}", reading.facts.callId(),
                    failure != null ? failure.toString() : "no result in time");
            refuse(reading, ProxyError.AUTH_UNAVAILABLE, "Authentication is unavailable right now; try again",
                    null, null);
            return;
        }
        Principal principal = result.principal();
        if (principal == null) {
            AuthResult.Failure refused = result.failure() != null ? result.failure() : AuthResult.Failure.INVALID_KEY;
            refuse(reading, HeadAuthHandler.refusalError(refused), HeadAuthHandler.refusalMessage(refused),
                    null, null);
            return;
        }
        reading.principal = principal;
        startWhenReady(reading);
    }

    /** Starts the upload's call once its key is checked and its model known; refuses a body that cannot be read. */
    private void startWhenReady(Upload reading) {
        if (reading.started || reading.ended) {
            return;
        }
        ProxyError bodyFailure = reading.body.failure();
        if (bodyFailure != null) {
            String message = reading.body.failureMessage();
            refuse(reading, bodyFailure, message != null ? message : "Invalid request body", null, null);
            return;
        }
        MultipartPartFilter form = reading.form;
        if (form != null) {
            startFileWhenReady(reading, form);
            return;
        }
        String model = reading.path.pathModel();
        MultipartModelRewriter scanner = reading.scanner;
        if (scanner != null) {
            String error = scanner.error();
            if (error != null) {
                refuse(reading, ProxyError.BAD_REQUEST, error, null, null);
                return;
            }
            if (scanner.isModelMissing() || reading.received && !scanner.hasModel()) {
                refuse(reading, ProxyError.MISSING_FIELD, "Missing required field: model", "model", null);
                return;
            }
            if (!scanner.hasModel()) {
                if (reading.body.receivedBytes() > server.settings.maxRequestBytes()) {
                    refuse(reading, ProxyError.BODY_TOO_LARGE, "The model field must come within the first "
                            + server.settings.maxRequestBytes() + " bytes of an upload, before the file "
                            + "(general_settings.max_request_size_mb)", "model", null);
                }
                return;
            }
            if (!scanner.fieldsRead() && !reading.received
                    && reading.body.receivedBytes() <= server.settings.maxRequestBytes()) {
                return;
            }
            model = scanner.model();
        }
        Principal principal = reading.principal;
        if (principal == null) {
            return;
        }
        if (model == null || model.isEmpty()) {
            refuse(reading, ProxyError.MISSING_FIELD, "Missing required field: model", "model", null);
            return;
        }
        startCall(reading, principal, model);
    }

    /** Starts a file's relay once its key is checked, its file part started and its purpose read. */
    private void startFileWhenReady(Upload reading, MultipartPartFilter form) {
        String error = form.error();
        if (error != null) {
            refuse(reading, ProxyError.BAD_REQUEST, error, null, null);
            return;
        }
        boolean purpose = form.field("purpose") != null;
        if (!form.fileStarted() || !purpose) {
            if (reading.received) {
                refuse(reading, ProxyError.MISSING_FIELD, purpose ? "Missing required field: file (a file part)"
                        : "Missing required field: purpose", purpose ? "file" : "purpose", null);
            } else if (reading.body.receivedBytes() > server.settings.maxRequestBytes()) {
                refuse(reading, ProxyError.BODY_TOO_LARGE, "The field purpose and the file part must start within "
                        + "the first " + server.settings.maxRequestBytes() + " bytes of an upload "
                        + "(general_settings.max_request_size_mb)", purpose ? "file" : "purpose", null);
            }
            return;
        }
        Principal principal = reading.principal;
        if (principal == null) {
            return;
        }
        reading.started = true;
        answers.startFileUpload(reading.ctx, reading.head, reading.facts, principal, form, reading.body);
    }

    private void startCall(Upload reading, Principal principal, String model) {
        ChannelHandlerContext ctx = reading.ctx;
        Endpoint endpoint = reading.endpoint;
        if (endpoint == null) {
            throw new IllegalStateException("an upload without an endpoint");
        }
        KeyGrant key = principal.key();
        KeyRefusal modelRefusal = key == null ? null : key.checkModel(model);
        if (modelRefusal != null) {
            answer(reading, RequestAnswers.keyRefusalResponse(ctx, modelRefusal, endpoint, reading.facts.callId()),
                    RequestAnswers.keyRefusalError(modelRefusal), model);
            return;
        }
        ModelRoute route = server.routes.resolve(model);
        if (route == null) {
            route = server.calls.retryRules().defaultRoute();
        }
        if (route == null) {
            refuse(reading, ProxyError.UNKNOWN_MODEL, "Invalid model name passed in model=" + model
                    + ". Call `/v1/models` to view available models for your key.", "model", model);
            return;
        }
        String modeRefusal = EndpointModes.refusal(route, endpoint, model);
        if (modeRefusal != null) {
            refuse(reading, ProxyError.BAD_REQUEST, modeRefusal, "model", model);
            return;
        }
        HttpHeaders headers = reading.head.headers();
        CallOptions options;
        try {
            options = CallOptions.fromHeaders(headers.get(CallOptions.NUM_RETRIES_HEADER),
                    headers.get(CallOptions.TIMEOUT_HEADER));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            refuse(reading, ProxyError.BAD_REQUEST, message != null ? message : "Invalid request", null, model);
            return;
        }
        if (key != null) {
            KeyRefusal refusal = key.admit(model, server.clock.millis());
            if (refusal != null) {
                answer(reading, RequestAnswers.keyRefusalResponse(ctx, refusal, endpoint, reading.facts.callId()),
                        RequestAnswers.keyRefusalError(refusal), model);
                return;
            }
            principal = principal.admittedCall();
        }
        reading.started = true;
        RequestFacts facts = reading.facts;
        MultipartModelRewriter scanner = reading.scanner;
        boolean stream = scanner != null && "true".equalsIgnoreCase(scanner.stream());
        CallRequest callRequest = new CallRequest(facts.callId(), endpoint, model, route, uploadInfo(model, stream),
                principal, facts.startNanos(), facts.keepAlive(), facts.http10(), headers.get(TRACEPARENT), options,
                null);
        answers.startCall(ctx, callRequest, reading.body);
    }

    /** What the call needs to know of an upload's fields: its model, and whether it asks for a stream. */
    private static RequestInfo uploadInfo(String model, boolean stream) {
        return RequestInfo.ofModel(model, stream);
    }

    private void refuse(Upload reading, ProxyError error, String message, @Nullable String param,
            @Nullable String model) {
        answer(reading, Responses.error(reading.ctx.alloc(), error, message, param, reading.facts.callId(),
                reading.endpoint), error, model);
    }

    /**
     * Answers an upload before its call started: at once, whether or not its body has arrived. The body is dropped;
     * when part of it is still to come, the connection closes lingering (the rest is read and dropped).
     */
    private void answer(Upload reading, FullHttpResponse response, ProxyError error, @Nullable String model) {
        reading.ended = true;
        reading.body.release();
        answers.record(reading.facts, reading.endpoint, model, reading.principal, error);
        upload = null;
        if (reading.received) {
            answers.send(reading.ctx, response, reading.facts);
            return;
        }
        long declared = reading.body.declaredLength();
        LingeringCloseHandler.answerAndClose(reading.ctx, response, server.ticker,
                declared < 0 ? -1L : declared - reading.body.receivedBytes());
        answers.responseDone(false);
    }

    /**
     * An upload being read: its head, what the scan of its body found so far, and the body, owned here until the
     * call starts (then by the call) or the upload is answered.
     */
    private static final class Upload {
        final ChannelHandlerContext ctx;
        final HttpRequest head;
        final ApiPath path;
        /** What the upload is recorded as; null only for a path that names no endpoint (never an upload). */
        final @Nullable Endpoint endpoint;
        final RequestFacts facts;
        final StreamedBody body;
        /** Finds the model field; null when the path names the model, the body is not multipart, or it is a file's. */
        final @Nullable MultipartModelRewriter scanner;
        /** Reads a file upload's fields up to its file part; null for every other upload. */
        final @Nullable MultipartPartFilter form;
        /** Who calls; null while the key is being checked. */
        @Nullable Principal principal;
        /** Whether the body's last part arrived. */
        boolean received;
        /** Whether the call started (it owns the body). */
        boolean started;
        /** Whether the upload was answered before its call started. */
        boolean ended;

        Upload(ChannelHandlerContext ctx, HttpRequest head, ApiPath path, @Nullable Endpoint endpoint,
                RequestFacts facts, StreamedBody body, @Nullable MultipartModelRewriter scanner,
                @Nullable MultipartPartFilter form) {
            this.ctx = ctx;
            this.head = head;
            this.path = path;
            this.endpoint = endpoint;
            this.facts = facts;
            this.body = body;
            this.scanner = scanner;
            this.form = form;
        }
    }
}
