package dev.llmproxy.proxy.files;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.files.FileIdRewriter;
import dev.llmproxy.codec.multipart.MultipartPartFilter;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.CallOwner;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.CallServices;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.call.Responses;
import dev.llmproxy.proxy.call.StreamedBody;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.RouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code /v1/files} and {@code /v1/batches} (and both without {@code /v1}): reads what the request asks, picks the
 * deployment ({@link FileTargets}) and relays it ({@link FileRelay}).
 *
 * <ul>
 *   <li>An upload ({@code multipart/form-data} with {@code purpose} and {@code file}) is streamed: its body is read
 *       only up to the start of the {@code file} part (and on to {@code purpose} when the file came first, held up to
 *       {@code max_request_size_mb}), then relayed as it arrives ({@link #startUpload}). It may name its target with
 *       the form fields {@code model}, {@code target_model_names} (one name) or {@code custom_llm_provider} before
 *       the file; those fields are routing, so they are cut from the body the provider gets (the other parts go as
 *       they are, not copied). A routing field after the file neither routes nor is cut: the target is chosen when
 *       the file starts, and the body from there on passes untouched, so the provider sees the field (OpenAI
 *       refuses unknown fields with a 400 it names).
 *   <li>A batch is created on the deployment its {@code input_file_id} names; {@code model} and
 *       {@code custom_llm_provider} members are taken out of the body.
 *   <li>Every other call finds its deployment in the id it names, else by {@code ?model=} / {@code x-litellm-model},
 *       else by {@code custom_llm_provider} ({@code custom-llm-provider} header or query), else the first OpenAI
 *       deployment.
 * </ul>
 *
 * <p>Every other request's body is collected first, bounded by the server's body limit.
 *
 * <p>Thread-safety: immutable; {@link #start} is called on the client connection's event loop.
 */
public final class FilesApi {
    private static final String MODEL_HEADER = "x-litellm-model";
    private static final String PROVIDER_HEADER = "custom-llm-provider";
    private static final String PROVIDER = "custom_llm_provider";
    private static final String FILE_FIELD = "file";
    private static final Set<String> ROUTING_MEMBERS = Set.of("model", PROVIDER, "target_model_names");
    private static final Set<String> ROUTING_QUERY = Set.of("model", PROVIDER);

    private final FileTargets targets;
    private final CallServices services;
    private final BatchUsage.@Nullable Listener batchUsage;

    /**
     * @param batchUsage told the usage of each batch output downloaded through the proxy, or null
     */
    public FilesApi(RouteTable routes, CallServices services, BatchUsage.@Nullable Listener batchUsage) {
        this.targets = new FileTargets(routes);
        this.services = requireNonNull(services, "services");
        this.batchUsage = batchUsage;
    }

    /** Whether {@code path} (no query, no trailing slash) belongs to the Files or Batch API. */
    public static boolean isPath(String path) {
        return FileOperation.isPath(path);
    }

    /**
     * Answers {@code request}: relayed, or refused with an OpenAI error. The owner is told when the answer is done
     * (possibly before this returns); one {@link CallRecord} goes to the listeners.
     *
     * @param request taken: released here or by the relay
     * @param uri the request's origin-form URI
     */
    public FilesCall start(ChannelHandlerContext ctx, CallOwner owner, FullHttpRequest request, String uri,
            Principal principal, String callId, long startNanos, boolean keepAlive, boolean http10) {
        QueryStringDecoder query = new QueryStringDecoder(uri);
        String path = query.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        FileOperation.Parsed parsed = FileOperation.parse(request.method(), path);
        FileOperation operation = parsed == null ? null : parsed.operation();
        Refused refused = new Refused(ctx, owner, callId, startNanos, keepAlive, http10, principal,
                operation == null ? null : operation.endpoint());
        if (parsed == null) {
            request.release();
            return refused.answer(ProxyError.NOT_FOUND, "Not Found: " + path, null);
        }
        if (operation == null) {
            request.release();
            FilesCall call = refused.answer(ProxyError.METHOD_NOT_ALLOWED,
                    "Method " + request.method() + " not allowed for " + path, null, parsed.allowed());
            return call;
        }
        try {
            return switch (operation) {
                case CREATE_FILE -> throw new IllegalStateException("an upload's body is streamed: startUpload");
                case CREATE_BATCH -> createBatch(ctx, owner, request, query, refused, principal, callId,
                        startNanos, keepAlive, http10);
                default -> byPath(ctx, owner, request, query, operation, parsed.id(), refused, principal, callId,
                        startNanos, keepAlive, http10);
            };
        } finally {
            request.release();
        }
    }

    /**
     * Answers an upload whose form fields up to its file part were read ({@code form}, a scanner made by
     * {@link #uploadScanner}): relayed, its body streamed as it arrives, or refused with an OpenAI error. The owner is
     * told when the answer is done; one {@link CallRecord} goes to the listeners.
     *
     * @param head the request's head
     * @param uri the request's origin-form URI
     * @param body the upload's body, taken: released here or by the relay
     */
    public FilesCall startUpload(ChannelHandlerContext ctx, CallOwner owner, HttpRequest head, String uri,
            MultipartPartFilter form, StreamedBody body, Principal principal, String callId, long startNanos,
            boolean keepAlive, boolean http10) {
        QueryStringDecoder query = new QueryStringDecoder(uri);
        Refused refused = new Refused(ctx, owner, callId, startNanos, keepAlive, http10, principal,
                Endpoint.CREATE_FILE);
        List<String> targetNames = new ArrayList<>();
        String formModel = null;
        String formProvider = null;
        for (MultipartPartFilter.Field field : form.fields()) {
            if (!field.beforeFile()) {
                continue;
            }
            if (isTargetModelNames(field.name())) {
                for (String name : field.value().split(",")) {
                    if (!name.isBlank() && !targetNames.contains(name.trim())) {
                        targetNames.add(name.trim());
                    }
                }
            } else if (formModel == null && field.name().equals("model")) {
                formModel = field.value();
            } else if (formProvider == null && field.name().equals(PROVIDER)) {
                formProvider = field.value();
            }
        }
        if (targetNames.size() > 1) {
            body.release();
            return refused.answer(ProxyError.BAD_REQUEST, "llmproxy relays a file to one model: target_model_names"
                    + " names " + targetNames.size() + " (" + String.join(", ", targetNames) + ")",
                    "target_model_names");
        }
        HttpHeaders headers = head.headers();
        String model = firstNonBlank(formModel, targetNames.isEmpty() ? null : targetNames.get(0),
                param(query, "model"), headers.get(MODEL_HEADER));
        String provider = firstNonBlank(headers.get(PROVIDER_HEADER), param(query, PROVIDER), formProvider);
        FileTargets.Result target = model != null ? targets.byModel(model, principal.key(), services.random().get())
                : targets.byProvider(provider != null ? provider : "openai", principal.key());
        if (target instanceof FileTargets.Refusal refusal) {
            body.release();
            return refused.answer(refusal.error(), refusal.message(), refusal.param());
        }
        FileTargets.Choice choice = (FileTargets.Choice) target;
        FileRequest facts = new FileRequest(callId, startNanos, keepAlive, http10, principal,
                FileOperation.CREATE_FILE, model, null);
        body.callStarted();
        FileRelay relay = new FileRelay(ctx, owner, services, facts, choice, HttpMethod.POST,
                choice.adapter().accountPath("/files", forwardedQuery(query)), body);
        relay.start();
        return relay;
    }

    private FilesCall createBatch(ChannelHandlerContext ctx, CallOwner owner, FullHttpRequest request,
            QueryStringDecoder query, Refused refused, Principal principal, String callId, long startNanos,
            boolean keepAlive, boolean http10) {
        Map<String, String> members = FileIdRewriter.topLevelStrings(request.content(),
                Set.of("input_file_id", "model", PROVIDER));
        if (members == null) {
            return refused.answer(ProxyError.INVALID_JSON, "The request body is not a JSON object", null);
        }
        String inputFileId = members.get("input_file_id");
        FileIds.Decoded decoded = inputFileId == null ? null : FileIds.decode(inputFileId);
        String model = firstNonBlank(members.get("model"), param(query, "model"),
                request.headers().get(MODEL_HEADER));
        String provider = firstNonBlank(members.get(PROVIDER), request.headers().get(PROVIDER_HEADER),
                param(query, PROVIDER));
        FileTargets.Result target = decoded != null ? targets.byEncodedModel(decoded.model(), principal.key())
                : model != null ? targets.byModel(model, principal.key(), services.random().get())
                : targets.byProvider(provider != null ? provider : "openai", principal.key());
        if (target instanceof FileTargets.Refusal refusal) {
            return refused.answer(refusal.error(), refusal.message(), refusal.param());
        }
        FileTargets.Choice choice = (FileTargets.Choice) target;
        ByteBuf body = FileIdRewriter.rewrite(ctx.alloc(), request.content(), new FileIdRewriter.Rewrite() {
            @Override
            public @Nullable String value(String key, String value) {
                return decoded != null && key.equals("input_file_id") ? decoded.providerId() : null;
            }

            @Override
            public boolean drops(String key) {
                return ROUTING_MEMBERS.contains(key);
            }
        });
        if (body == null) {
            return refused.answer(ProxyError.INVALID_JSON, "The request body is not a JSON object", null);
        }
        FileRequest facts = new FileRequest(callId, startNanos, keepAlive, http10, principal,
                FileOperation.CREATE_BATCH, model != null ? model : decoded != null ? decoded.model() : null, null);
        return relay(ctx, owner, facts, choice, choice.adapter().accountPath("/batches", forwardedQuery(query)),
                body, HttpHeaderValues.APPLICATION_JSON.toString());
    }

    private FilesCall byPath(ChannelHandlerContext ctx, CallOwner owner, FullHttpRequest request,
            QueryStringDecoder query, FileOperation operation, @Nullable String id, Refused refused,
            Principal principal, String callId, long startNanos, boolean keepAlive, boolean http10) {
        FileIds.Decoded decoded = id == null ? null : FileIds.decode(id);
        String model = firstNonBlank(param(query, "model"), request.headers().get(MODEL_HEADER));
        String provider = firstNonBlank(request.headers().get(PROVIDER_HEADER), param(query, PROVIDER));
        KeyGrant key = principal.key();
        FileTargets.Result target = decoded != null ? targets.byEncodedModel(decoded.model(), key)
                : model != null ? targets.byModel(model, key, services.random().get())
                : targets.byProvider(provider != null ? provider : "openai", key);
        if (target instanceof FileTargets.Refusal refusal) {
            return refused.answer(refusal.error(), refusal.message(), refusal.param());
        }
        FileTargets.Choice choice = (FileTargets.Choice) target;
        String providerId = decoded != null ? decoded.providerId() : id;
        String base = operation.isBatch() ? "/batches" : "/files";
        String upstreamPath = providerId == null ? base : base + "/" + encodeSegment(providerId);
        if (operation == FileOperation.FILE_CONTENT) {
            upstreamPath += "/content";
        } else if (operation == FileOperation.CANCEL_BATCH) {
            upstreamPath += "/cancel";
        }
        FileRequest facts = new FileRequest(callId, startNanos, keepAlive, http10, principal, operation,
                model != null ? model : decoded != null ? decoded.model() : null, providerId);
        ByteBuf body = operation == FileOperation.CANCEL_BATCH ? ctx.alloc().buffer(0) : null;
        return relay(ctx, owner, facts, choice, choice.adapter().accountPath(upstreamPath, forwardedQuery(query)),
                body, null);
    }

    private FilesCall relay(ChannelHandlerContext ctx, CallOwner owner, FileRequest facts,
            FileTargets.Choice choice, String upstreamPath, @Nullable ByteBuf body, @Nullable String contentType) {
        FileRelay relay = new FileRelay(ctx, owner, services, facts, choice, facts.operation().method(),
                upstreamPath, body, contentType,
                facts.operation() == FileOperation.FILE_CONTENT ? batchUsage : null);
        relay.start();
        return relay;
    }

    /**
     * Whether {@code uri} (origin form) is an upload ({@code POST /v1/files} or {@code /files}), whose body is
     * streamed ({@link #startUpload}) rather than collected.
     */
    public static boolean isUpload(String uri) {
        String path = new QueryStringDecoder(uri).path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.equals("/v1/files") || path.equals("/files");
    }

    /**
     * A scanner for an upload's body: holds the fields that route it ({@code model}, {@code target_model_names},
     * {@code custom_llm_provider}) and {@code purpose}, and notes where the {@code file} part starts.
     */
    public static MultipartPartFilter uploadScanner(String boundary) {
        return MultipartPartFilter.scanner(boundary, FILE_FIELD, FilesApi::isReadField);
    }

    /** A rewriter that cuts the routing fields before the file part out of an upload's body. */
    static MultipartPartFilter uploadRewriter(String boundary) {
        return MultipartPartFilter.rewriter(boundary, FILE_FIELD, FilesApi::isRoutingField);
    }

    private static boolean isReadField(String name) {
        return name.equals("purpose") || name.equals("model") || name.equals(PROVIDER) || isTargetModelNames(name);
    }

    private static boolean isRoutingField(String name) {
        return name.equals("model") || name.equals(PROVIDER) || isTargetModelNames(name)
                || name.equals("target_storage") || name.startsWith("litellm_metadata");
    }

    private static boolean isTargetModelNames(String name) {
        return name.equals("target_model_names") || name.startsWith("target_model_names[") && name.endsWith("]");
    }

    /** The client's query without the proxy's own routing parameters, or null when nothing is left. */
    private static @Nullable String forwardedQuery(QueryStringDecoder query) {
        Map<String, List<String>> parameters = query.parameters();
        if (parameters.isEmpty()) {
            return null;
        }
        QueryStringEncoder out = new QueryStringEncoder("");
        boolean any = false;
        for (Map.Entry<String, List<String>> entry : parameters.entrySet()) {
            if (ROUTING_QUERY.contains(entry.getKey())) {
                continue;
            }
            for (String value : entry.getValue()) {
                out.addParam(entry.getKey(), value);
                any = true;
            }
        }
        return any ? out.toString().substring(1) : null;
    }

    private static @Nullable String param(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static @Nullable String firstNonBlank(@Nullable String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    private static String encodeSegment(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Answers a request refused before any deployment is called. */
    private final class Refused {
        private final ChannelHandlerContext ctx;
        private final CallOwner owner;
        private final String callId;
        private final long startNanos;
        private final boolean keepAlive;
        private final boolean http10;
        private final Principal principal;
        /** The operation's endpoint, or null when the path or method names none. */
        private final @Nullable Endpoint endpoint;

        Refused(ChannelHandlerContext ctx, CallOwner owner, String callId, long startNanos, boolean keepAlive,
                boolean http10, Principal principal, @Nullable Endpoint endpoint) {
            this.ctx = ctx;
            this.owner = owner;
            this.callId = callId;
            this.startNanos = startNanos;
            this.keepAlive = keepAlive;
            this.http10 = http10;
            this.principal = principal;
            this.endpoint = endpoint;
        }

        FilesCall answer(ProxyError error, String message, @Nullable String param) {
            return answer(error, message, param, null);
        }

        FilesCall answer(ProxyError error, String message, @Nullable String param, @Nullable String allow) {
            FullHttpResponse response = Responses.error(ctx.alloc(), error, message, param, callId);
            HttpHeaders headers = response.headers();
            if (allow != null) {
                headers.set(HttpHeaderNames.ALLOW, allow);
            }
            Responses.setConnection(response, keepAlive, http10);
            Responses.writeLast(ctx, response, keepAlive);
            services.listener().onCallEnded(new CallRecord(callId, endpoint, null, null, null, principal,
                    error.status().code(), error, false, null, startNanos, 0, services.ticker().getAsLong(), 0,
                    List.of()));
            owner.onCallEnded(keepAlive);
            return ANSWERED;
        }
    }

    private static final FilesCall ANSWERED = new FilesCall() {
        @Override
        public void onClientWritable() {
        }

        @Override
        public void onClientGone() {
        }

        @Override
        public boolean isDone() {
            return true;
        }
    };
}
