package dev.llmproxy.proxy.trace;

import static dev.llmproxy.proxy.trace.SpanAttributes.ATTEMPT;
import static dev.llmproxy.proxy.trace.SpanAttributes.ATTEMPTED_RETRIES;
import static dev.llmproxy.proxy.trace.SpanAttributes.CALL_ID;
import static dev.llmproxy.proxy.trace.SpanAttributes.ERROR_TYPE;
import static dev.llmproxy.proxy.trace.SpanAttributes.FINISH_REASONS;
import static dev.llmproxy.proxy.trace.SpanAttributes.HTTP_STATUS;
import static dev.llmproxy.proxy.trace.SpanAttributes.INPUT_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.KEY_ALIAS;
import static dev.llmproxy.proxy.trace.SpanAttributes.KEY_HASH;
import static dev.llmproxy.proxy.trace.SpanAttributes.MAX_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.MODEL_GROUP;
import static dev.llmproxy.proxy.trace.SpanAttributes.MODEL_ID;
import static dev.llmproxy.proxy.trace.SpanAttributes.OPERATION_NAME;
import static dev.llmproxy.proxy.trace.SpanAttributes.OUTPUT_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.PROVIDER_MODEL;
import static dev.llmproxy.proxy.trace.SpanAttributes.PROVIDER_NAME;
import static dev.llmproxy.proxy.trace.SpanAttributes.REQUEST_MODEL;
import static dev.llmproxy.proxy.trace.SpanAttributes.RESPONSE_MODEL;
import static dev.llmproxy.proxy.trace.SpanAttributes.ROUTE;
import static dev.llmproxy.proxy.trace.SpanAttributes.SERVER_ADDRESS;
import static dev.llmproxy.proxy.trace.SpanAttributes.SERVER_PORT;
import static dev.llmproxy.proxy.trace.SpanAttributes.STREAMING;
import static dev.llmproxy.proxy.trace.SpanAttributes.TEMPERATURE;
import static dev.llmproxy.proxy.trace.SpanAttributes.TOP_P;
import static dev.llmproxy.proxy.trace.SpanAttributes.TEAM_ID;
import static dev.llmproxy.proxy.trace.SpanAttributes.TOTAL_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.USER_ID;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.codec.openai.ResponseFacts;
import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Writes one {@link CallRecord} as OTLP spans (protobuf, opentelemetry-proto {@code trace/v1/trace.proto}): a SERVER
 * span for the call, named as the GenAI conventions name an inference span ({@code chat gpt-4o}: operation and
 * requested model), child of the client's {@code traceparent} when it sent a valid one; under it one CLIENT span per
 * attempt, named after the deployment's model. The call span carries the request's facts (models, provider, usage,
 * status, call id, the virtual key's hash, alias, user and team); usage is on the call span only, so that backends
 * summing token usage over a trace count it once.
 *
 * <p>A client's {@code traceparent} whose sampled flag is off is honoured as OpenTelemetry's default parent-based
 * sampler honours it: the call's spans are not written.
 *
 * <p>Never written: message content, API keys (the records hold none; a virtual key appears only as its hash),
 * base URL paths or queries (only host and port, as {@code server.address}/{@code server.port}).
 *
 * <p>Thread-safety: used by one exporter thread; the deployment map is immutable.
 */
final class SpanWriter {
    /** {@code ScopeSpans.spans}. */
    static final int SCOPE_SPANS_SPAN = 2;
    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_SPAN_ID = 2;
    private static final int SPAN_PARENT_SPAN_ID = 4;
    private static final int SPAN_NAME = 5;
    private static final int SPAN_KIND = 6;
    private static final int SPAN_START = 7;
    private static final int SPAN_END = 8;
    private static final int SPAN_ATTRIBUTES = 9;
    private static final int SPAN_STATUS = 15;
    private static final int SPAN_FLAGS = 16;
    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_CODE = 3;
    private static final int STATUS_CODE_ERROR = 2;
    private static final int KIND_SERVER = 2;
    private static final int KIND_CLIENT = 3;
    private static final int KEY_VALUE_KEY = 1;
    private static final int KEY_VALUE_VALUE = 2;
    private static final int ANY_STRING = 1;
    private static final int ANY_BOOL = 2;
    private static final int ANY_INT = 3;
    private static final int ANY_DOUBLE = 4;
    private static final int ANY_ARRAY = 5;
    private static final int ARRAY_VALUES = 1;
    /** W3C trace flags: sampled. */
    private static final int FLAG_SAMPLED = 0x01;
    /** OTLP {@code SpanFlags}: whether the parent is known to be remote, and whether it is. */
    private static final int FLAG_HAS_IS_REMOTE = 0x100;
    private static final int FLAG_IS_REMOTE = 0x200;
    private static final int TRACEPARENT_LENGTH = 55;

    private final Map<String, DeploymentFacts> deployments;
    private final SplittableRandom random;
    /** The trace of the record being written; exporter thread only. */
    private long traceHigh;
    private long traceLow;
    private long parentSpanId;
    private boolean sampled;

    /**
     * @param random source of trace and span ids; used by this writer's thread only
     */
    SpanWriter(RouteTable routes, SplittableRandom random) {
        Map<String, DeploymentFacts> byId = new HashMap<>();
        for (Deployment listed : routes.deployments()) {
            Deployment deployment = routes.deploymentFor(listed.id());
            byId.putIfAbsent(listed.id(), DeploymentFacts.of(deployment != null ? deployment : listed));
        }
        this.deployments = Map.copyOf(byId);
        this.random = random;
    }

    /**
     * Writes the spans of {@code record} into {@code out} as {@code ScopeSpans.spans} fields; its ticker times become
     * epoch times through the pair ({@code anchorTicks}, {@code anchorEpochNanos}) read together shortly before.
     *
     * @return how many spans were written (none for a record that is not a model call or whose client's trace is not
     *     sampled)
     */
    int write(ProtoWriter out, CallRecord record, long anchorTicks, long anchorEpochNanos) {
        Endpoint endpoint = record.endpoint();
        if (endpoint == null || !startTrace(record.traceparent())) {
            return 0;
        }
        String operation = operationName(endpoint);
        String requested = record.requestedModel();
        DeploymentFacts answering = facts(record.deploymentId());
        long callSpanId = spanId();
        int span = out.startMessage(SCOPE_SPANS_SPAN);
        identity(out, callSpanId, parentSpanId, parentSpanId != 0);
        if (requested == null) {
            out.string(SPAN_NAME, operation);
        } else {
            out.string(SPAN_NAME, operation, ' ', requested);
        }
        out.int64(SPAN_KIND, KIND_SERVER);
        out.fixed64(SPAN_START, epoch(record.startNanos(), anchorTicks, anchorEpochNanos));
        out.fixed64(SPAN_END, epoch(record.endNanos(), anchorTicks, anchorEpochNanos));
        attribute(out, SPAN_ATTRIBUTES, OPERATION_NAME, operation);
        attribute(out, SPAN_ATTRIBUTES, CALL_ID, record.callId());
        attribute(out, SPAN_ATTRIBUTES, ROUTE, endpoint.path());
        attribute(out, SPAN_ATTRIBUTES, STREAMING, record.stream());
        attribute(out, SPAN_ATTRIBUTES, HTTP_STATUS, record.status());
        if (requested != null) {
            attribute(out, SPAN_ATTRIBUTES, REQUEST_MODEL, requested);
        }
        if (record.modelGroup() != null) {
            attribute(out, SPAN_ATTRIBUTES, MODEL_GROUP, record.modelGroup());
        }
        if (answering != null) {
            attribute(out, SPAN_ATTRIBUTES, PROVIDER_NAME, answering.providerName);
            attribute(out, SPAN_ATTRIBUTES, PROVIDER_MODEL, answering.model(requested));
            attribute(out, SPAN_ATTRIBUTES, MODEL_ID, answering.id);
        }
        requestParameters(out, record.request());
        response(out, record.response());
        caller(out, record.principal());
        Usage usage = record.usage();
        if (usage != null) {
            attribute(out, SPAN_ATTRIBUTES, INPUT_TOKENS, usage.promptTokens());
            attribute(out, SPAN_ATTRIBUTES, OUTPUT_TOKENS, usage.completionTokens());
            attribute(out, SPAN_ATTRIBUTES, TOTAL_TOKENS, usage.totalTokens());
        }
        List<AttemptRecord> attempts = record.attempts();
        if (attempts.size() > 1) {
            attribute(out, SPAN_ATTRIBUTES, ATTEMPTED_RETRIES, attempts.size() - 1);
        }
        error(out, record.status(), record.error());
        out.endMessage(span);
        for (int i = 0; i < attempts.size(); i++) {
            writeAttempt(out, callSpanId, attempts.get(i), i + 1, requested, operation, anchorTicks,
                    anchorEpochNanos);
        }
        return 1 + attempts.size();
    }

    private void writeAttempt(ProtoWriter out, long callSpanId, AttemptRecord attempt, int number,
            @Nullable String requested, String operation, long anchorTicks, long anchorEpochNanos) {
        DeploymentFacts deployment = facts(attempt.deploymentId());
        String model = deployment != null ? deployment.model(requested) : attempt.deploymentId();
        int span = out.startMessage(SCOPE_SPANS_SPAN);
        identity(out, spanId(), callSpanId, false);
        out.string(SPAN_NAME, operation, ' ', model);
        out.int64(SPAN_KIND, KIND_CLIENT);
        out.fixed64(SPAN_START, epoch(attempt.startNanos(), anchorTicks, anchorEpochNanos));
        out.fixed64(SPAN_END, epoch(attempt.endNanos(), anchorTicks, anchorEpochNanos));
        attribute(out, SPAN_ATTRIBUTES, MODEL_ID, attempt.deploymentId());
        attribute(out, SPAN_ATTRIBUTES, PROVIDER_MODEL, model);
        attribute(out, SPAN_ATTRIBUTES, ATTEMPT, number);
        attribute(out, SPAN_ATTRIBUTES, HTTP_STATUS, attempt.status());
        if (deployment != null) {
            attribute(out, SPAN_ATTRIBUTES, PROVIDER_NAME, deployment.providerName);
            if (deployment.serverAddress != null) {
                attribute(out, SPAN_ATTRIBUTES, SERVER_ADDRESS, deployment.serverAddress);
                attribute(out, SPAN_ATTRIBUTES, SERVER_PORT, deployment.serverPort);
            }
        }
        error(out, attempt.status(), attempt.error());
        out.endMessage(span);
    }

    /** Trace id, span id, parent span id and flags of one span of the current trace. */
    private void identity(ProtoWriter out, long spanId, long parent, boolean remoteParent) {
        out.bytes16(SPAN_TRACE_ID, traceHigh, traceLow);
        out.bytes8(SPAN_SPAN_ID, spanId);
        if (parent != 0) {
            out.bytes8(SPAN_PARENT_SPAN_ID, parent);
        }
        out.fixed32(SPAN_FLAGS, FLAG_SAMPLED | FLAG_HAS_IS_REMOTE | (remoteParent ? FLAG_IS_REMOTE : 0));
    }

    /** The sampling parameters the client sent, as it wrote them; absent ones are left out. */
    private static void requestParameters(ProtoWriter out, @Nullable RequestInfo request) {
        if (request == null) {
            return;
        }
        if (!Double.isNaN(request.temperature())) {
            attribute(out, SPAN_ATTRIBUTES, TEMPERATURE, request.temperature());
        }
        if (!Double.isNaN(request.topP())) {
            attribute(out, SPAN_ATTRIBUTES, TOP_P, request.topP());
        }
        if (request.maxTokens() != RequestInfo.NO_MAX_TOKENS) {
            attribute(out, SPAN_ATTRIBUTES, MAX_TOKENS, request.maxTokens());
        }
    }

    /** What the answer said of itself: the model that answered and why each choice ended. */
    private static void response(ProtoWriter out, @Nullable ResponseFacts response) {
        if (response == null) {
            return;
        }
        String model = response.model();
        if (model != null) {
            attribute(out, SPAN_ATTRIBUTES, RESPONSE_MODEL, model);
        }
        List<String> reasons = response.finishReasons();
        if (!reasons.isEmpty()) {
            int keyValue = out.startMessage(SPAN_ATTRIBUTES);
            out.string(KEY_VALUE_KEY, FINISH_REASONS);
            int any = out.startMessage(KEY_VALUE_VALUE);
            int array = out.startMessage(ANY_ARRAY);
            for (int i = 0; i < reasons.size(); i++) {
                int value = out.startMessage(ARRAY_VALUES);
                out.string(ANY_STRING, reasons.get(i));
                out.endMessage(value);
            }
            out.endMessage(array);
            out.endMessage(any);
            out.endMessage(keyValue);
        }
    }

    /** Who called: LiteLLM's metadata names; a virtual key by its hash, alias, user and team, never the key. */
    private static void caller(ProtoWriter out, @Nullable Principal principal) {
        if (principal == Principal.MASTER) {
            attribute(out, SPAN_ATTRIBUTES, USER_ID, "default_user_id");
            return;
        }
        KeyGrant key = principal == null ? null : principal.key();
        if (key == null) {
            return;
        }
        attribute(out, SPAN_ATTRIBUTES, KEY_HASH, key.tokenHash());
        String alias = key.keyAlias();
        if (alias != null) {
            attribute(out, SPAN_ATTRIBUTES, KEY_ALIAS, alias);
        }
        String user = key.userId();
        if (user != null) {
            attribute(out, SPAN_ATTRIBUTES, USER_ID, user);
        }
        String team = key.teamId();
        if (team != null) {
            attribute(out, SPAN_ATTRIBUTES, TEAM_ID, team);
        }
    }

    /** Recording errors as the conventions say: status ERROR and {@code error.type}; successes stay UNSET. */
    private static void error(ProtoWriter out, int status, @Nullable ProxyError error) {
        if (error != null) {
            String type = error.name().toLowerCase(Locale.ROOT);
            attribute(out, SPAN_ATTRIBUTES, ERROR_TYPE, type);
            int mark = out.startMessage(SPAN_STATUS);
            out.string(STATUS_MESSAGE, type);
            out.int64(STATUS_CODE, STATUS_CODE_ERROR);
            out.endMessage(mark);
        } else if (status >= 400) {
            attribute(out, SPAN_ATTRIBUTES, ERROR_TYPE, Integer.toString(status));
            int mark = out.startMessage(SPAN_STATUS);
            out.int64(STATUS_CODE, STATUS_CODE_ERROR);
            out.endMessage(mark);
        }
    }

    /** Writes a {@code KeyValue} with a string value as field {@code field}. */
    static void attribute(ProtoWriter out, int field, String key, String value) {
        int keyValue = out.startMessage(field);
        out.string(KEY_VALUE_KEY, key);
        int any = out.startMessage(KEY_VALUE_VALUE);
        out.string(ANY_STRING, value);
        out.endMessage(any);
        out.endMessage(keyValue);
    }

    private static void attribute(ProtoWriter out, int field, String key, long value) {
        int keyValue = out.startMessage(field);
        out.string(KEY_VALUE_KEY, key);
        int any = out.startMessage(KEY_VALUE_VALUE);
        out.int64(ANY_INT, value);
        out.endMessage(any);
        out.endMessage(keyValue);
    }

    private static void attribute(ProtoWriter out, int field, String key, double value) {
        int keyValue = out.startMessage(field);
        out.string(KEY_VALUE_KEY, key);
        int any = out.startMessage(KEY_VALUE_VALUE);
        out.fixed64(ANY_DOUBLE, Double.doubleToRawLongBits(value));
        out.endMessage(any);
        out.endMessage(keyValue);
    }

    private static void attribute(ProtoWriter out, int field, String key, boolean value) {
        int keyValue = out.startMessage(field);
        out.string(KEY_VALUE_KEY, key);
        int any = out.startMessage(KEY_VALUE_VALUE);
        out.bool(ANY_BOOL, value);
        out.endMessage(any);
        out.endMessage(keyValue);
    }

    private @Nullable DeploymentFacts facts(@Nullable String deploymentId) {
        return deploymentId == null ? null : deployments.get(deploymentId);
    }

    /**
     * Continues the client's trace when {@code traceparent} is valid W3C Trace Context (version 00, or a later
     * version read as 00 as the recommendation says), else starts a new one.
     *
     * @return false when the client's trace is not sampled (nothing is written)
     */
    private boolean startTrace(@Nullable String traceparent) {
        if (traceparent != null && parseTraceparent(traceparent)) {
            return sampled;
        }
        do {
            traceHigh = random.nextLong();
            traceLow = random.nextLong();
        } while (traceHigh == 0 && traceLow == 0);
        parentSpanId = 0;
        sampled = true;
        return true;
    }

    /** https://www.w3.org/TR/trace-context/#traceparent-header-field-values; sets the trace fields when valid. */
    private boolean parseTraceparent(String value) {
        int length = value.length();
        if (length < TRACEPARENT_LENGTH || value.charAt(2) != '-' || value.charAt(35) != '-'
                || value.charAt(52) != '-') {
            return false;
        }
        long version = hex(value, 0, 2);
        if (version < 0 || version == 0xff || (version == 0 && length != TRACEPARENT_LENGTH)
                || (length > TRACEPARENT_LENGTH && value.charAt(TRACEPARENT_LENGTH) != '-')) {
            return false;
        }
        long flags = hex(value, 53, 55);
        if (flags < 0 || !isHex(value, 3, 35) || !isHex(value, 36, 52)) {
            return false;
        }
        long high = Long.parseUnsignedLong(value, 3, 19, 16);
        long low = Long.parseUnsignedLong(value, 19, 35, 16);
        long parent = Long.parseUnsignedLong(value, 36, 52, 16);
        if ((high == 0 && low == 0) || parent == 0) {
            return false;
        }
        traceHigh = high;
        traceLow = low;
        parentSpanId = parent;
        sampled = (flags & FLAG_SAMPLED) != 0;
        return true;
    }

    /** Lowercase hex digits only, as the recommendation requires. */
    private static boolean isHex(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static long hex(String value, int from, int to) {
        return isHex(value, from, to) ? Long.parseLong(value, from, to, 16) : -1;
    }

    private long spanId() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    private static long epoch(long ticks, long anchorTicks, long anchorEpochNanos) {
        return anchorEpochNanos - (anchorTicks - ticks);
    }

    /** The semantic conventions' {@code gen_ai.operation.name} of an endpoint. */
    static String operationName(Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES, MESSAGES_COUNT_TOKENS -> "chat";
            case COMPLETIONS -> "text_completion";
            case EMBEDDINGS -> "embeddings";
            case RESPONSES -> "chat";
            case AUDIO_TRANSCRIPTIONS, AUDIO_TRANSLATIONS -> "transcription";
            case IMAGES_EDITS, IMAGES_VARIATIONS -> "image_generation";
            case AUDIO_SPEECH -> "speech";
            case IMAGE_GENERATIONS -> "image_generation";
            case MODERATIONS -> "moderation";
            case RERANK -> "rerank";
            case PASS_THROUGH -> "pass_through";
            case CREATE_FILE, LIST_FILES, RETRIEVE_FILE, FILE_CONTENT, DELETE_FILE -> "files";
            case CREATE_BATCH, LIST_BATCHES, RETRIEVE_BATCH, CANCEL_BATCH -> "batches";
        };
    }

    /** What a span says about a deployment, resolved once. */
    private static final class DeploymentFacts {
        final String id;
        final String providerName;
        final String upstreamModel;
        final boolean wildcard;
        final @Nullable String serverAddress;
        final int serverPort;

        private DeploymentFacts(String id, String providerName, String upstreamModel, boolean wildcard,
                @Nullable String serverAddress, int serverPort) {
            this.id = id;
            this.providerName = providerName;
            this.upstreamModel = upstreamModel;
            this.wildcard = wildcard;
            this.serverAddress = serverAddress;
            this.serverPort = serverPort;
        }

        static DeploymentFacts of(Deployment deployment) {
            BaseUrl base = deployment.isMock() ? null : deployment.baseUrl();
            return new DeploymentFacts(deployment.id(), SpanAttributes.providerName(deployment.provider().name()),
                    deployment.upstreamModel(), deployment.isWildcard(),
                    base == null ? null : base.origin().host(), base == null ? 0 : base.origin().port());
        }

        /** The provider's model; a wildcard deployment's is the requested name after the provider prefix. */
        String model(@Nullable String requested) {
            if (!wildcard || requested == null) {
                return upstreamModel;
            }
            int slash = requested.indexOf('/');
            return slash >= 0 ? requested.substring(slash + 1) : requested;
        }
    }
}
