package dev.llmproxy.proxy.trace;

import static dev.llmproxy.proxy.trace.SpanAttributes.ATTEMPT;
import static dev.llmproxy.proxy.trace.SpanAttributes.ATTEMPTED_RETRIES;
import static dev.llmproxy.proxy.trace.SpanAttributes.CALL_ID;
import static dev.llmproxy.proxy.trace.SpanAttributes.ERROR_TYPE;
import static dev.llmproxy.proxy.trace.SpanAttributes.HTTP_STATUS;
import static dev.llmproxy.proxy.trace.SpanAttributes.INPUT_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.MODEL_GROUP;
import static dev.llmproxy.proxy.trace.SpanAttributes.MODEL_ID;
import static dev.llmproxy.proxy.trace.SpanAttributes.OPERATION_NAME;
import static dev.llmproxy.proxy.trace.SpanAttributes.OUTPUT_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.PROVIDER_MODEL;
import static dev.llmproxy.proxy.trace.SpanAttributes.PROVIDER_NAME;
import static dev.llmproxy.proxy.trace.SpanAttributes.REQUEST_MODEL;
import static dev.llmproxy.proxy.trace.SpanAttributes.ROUTE;
import static dev.llmproxy.proxy.trace.SpanAttributes.SERVER_ADDRESS;
import static dev.llmproxy.proxy.trace.SpanAttributes.SERVER_PORT;
import static dev.llmproxy.proxy.trace.SpanAttributes.STREAMING;
import static dev.llmproxy.proxy.trace.SpanAttributes.TOTAL_TOKENS;
import static dev.llmproxy.proxy.trace.SpanAttributes.USER_ID;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.provider.BaseUrl;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.RouteTable;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Turns one {@link CallRecord} into spans: a SERVER span for the call, named as the GenAI conventions name an
 * inference span ({@code chat gpt-4o}: operation and requested model), child of the client's {@code traceparent} when
 * it sent a valid one; under it one CLIENT span per attempt, named after the deployment's model. The call span carries
 * the request's facts (models, provider, usage, status, call id); usage is on the call span only, so that backends
 * summing token usage over a trace count it once.
 *
 * <p>Never written: message content, API keys (the records hold none), base URL paths or queries (only host and
 * port, as {@code server.address}/{@code server.port}).
 *
 * <p>Thread-safety: used by one exporter thread; the deployment map is immutable.
 */
final class SpanWriter {
    private static final TextMapGetter<String> TRACEPARENT_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return Set.of("traceparent");
        }

        @Override
        public @Nullable String get(@Nullable String carrier, String key) {
            return key.equals("traceparent") ? carrier : null;
        }
    };

    private final Tracer tracer;
    private final Map<String, DeploymentFacts> deployments;

    SpanWriter(Tracer tracer, RouteTable routes) {
        this.tracer = tracer;
        Map<String, DeploymentFacts> byId = new HashMap<>();
        for (Deployment listed : routes.deployments()) {
            Deployment deployment = routes.deploymentFor(listed.id());
            byId.putIfAbsent(listed.id(), DeploymentFacts.of(deployment != null ? deployment : listed));
        }
        this.deployments = Map.copyOf(byId);
    }

    /**
     * Writes and ends the spans of {@code record}; its ticker times become epoch times through the pair
     * ({@code anchorTicks}, {@code anchorEpochNanos}) read together shortly before.
     */
    void write(CallRecord record, long anchorTicks, long anchorEpochNanos) {
        Endpoint endpoint = record.endpoint();
        if (endpoint == null) {
            return;
        }
        String operation = operationName(endpoint);
        String requested = record.requestedModel();
        DeploymentFacts answering = facts(record.deploymentId());
        SpanBuilder builder = tracer.spanBuilder(requested == null ? operation : operation + ' ' + requested)
                .setSpanKind(SpanKind.SERVER)
                .setParent(parentOf(record.traceparent()))
                .setStartTimestamp(epoch(record.startNanos(), anchorTicks, anchorEpochNanos), TimeUnit.NANOSECONDS)
                .setAttribute(OPERATION_NAME, operation)
                .setAttribute(CALL_ID, record.callId())
                .setAttribute(ROUTE, endpoint.path())
                .setAttribute(STREAMING, record.stream())
                .setAttribute(HTTP_STATUS, (long) record.status());
        if (requested != null) {
            builder.setAttribute(REQUEST_MODEL, requested);
        }
        if (record.modelGroup() != null) {
            builder.setAttribute(MODEL_GROUP, record.modelGroup());
        }
        if (answering != null) {
            builder.setAttribute(PROVIDER_NAME, answering.providerName)
                    .setAttribute(PROVIDER_MODEL, answering.model(requested))
                    .setAttribute(MODEL_ID, answering.id);
        }
        if (record.principal() == Principal.MASTER) {
            builder.setAttribute(USER_ID, "default_user_id");
        }
        Usage usage = record.usage();
        if (usage != null) {
            builder.setAttribute(INPUT_TOKENS, usage.promptTokens())
                    .setAttribute(OUTPUT_TOKENS, usage.completionTokens())
                    .setAttribute(TOTAL_TOKENS, usage.totalTokens());
        }
        List<AttemptRecord> attempts = record.attempts();
        if (attempts.size() > 1) {
            builder.setAttribute(ATTEMPTED_RETRIES, (long) attempts.size() - 1);
        }
        Span call = builder.startSpan();
        markError(call, record.status(), record.error());
        Context callContext = Context.root().with(call);
        for (int i = 0; i < attempts.size(); i++) {
            writeAttempt(callContext, attempts.get(i), i + 1, requested, operation, anchorTicks, anchorEpochNanos);
        }
        call.end(epoch(record.endNanos(), anchorTicks, anchorEpochNanos), TimeUnit.NANOSECONDS);
    }

    private void writeAttempt(Context parent, AttemptRecord attempt, int number, @Nullable String requested,
            String operation, long anchorTicks, long anchorEpochNanos) {
        DeploymentFacts deployment = facts(attempt.deploymentId());
        String model = deployment != null ? deployment.model(requested) : attempt.deploymentId();
        SpanBuilder builder = tracer.spanBuilder(operation + ' ' + model)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent)
                .setStartTimestamp(epoch(attempt.startNanos(), anchorTicks, anchorEpochNanos), TimeUnit.NANOSECONDS)
                .setAttribute(MODEL_ID, attempt.deploymentId())
                .setAttribute(PROVIDER_MODEL, model)
                .setAttribute(ATTEMPT, (long) number)
                .setAttribute(HTTP_STATUS, (long) attempt.status());
        if (deployment != null) {
            builder.setAttribute(PROVIDER_NAME, deployment.providerName);
            if (deployment.serverAddress != null) {
                builder.setAttribute(SERVER_ADDRESS, deployment.serverAddress)
                        .setAttribute(SERVER_PORT, (long) deployment.serverPort);
            }
        }
        Span span = builder.startSpan();
        markError(span, attempt.status(), attempt.error());
        span.end(epoch(attempt.endNanos(), anchorTicks, anchorEpochNanos), TimeUnit.NANOSECONDS);
    }

    /** Recording errors as the conventions say: status ERROR and {@code error.type}; successes stay UNSET. */
    private static void markError(Span span, int status, @Nullable ProxyError error) {
        if (error != null) {
            span.setAttribute(ERROR_TYPE, error.name().toLowerCase(Locale.ROOT));
            span.setStatus(StatusCode.ERROR, error.name().toLowerCase(Locale.ROOT));
        } else if (status >= 400) {
            span.setAttribute(ERROR_TYPE, Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
        }
    }

    private @Nullable DeploymentFacts facts(@Nullable String deploymentId) {
        return deploymentId == null ? null : deployments.get(deploymentId);
    }

    /** The client's span when {@code traceparent} is valid W3C Trace Context, else no parent (a new trace). */
    private static Context parentOf(@Nullable String traceparent) {
        if (traceparent == null) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT_GETTER);
    }

    private static long epoch(long ticks, long anchorTicks, long anchorEpochNanos) {
        return anchorEpochNanos - (anchorTicks - ticks);
    }

    /** The semantic conventions' {@code gen_ai.operation.name} of an endpoint. */
    static String operationName(Endpoint endpoint) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES -> "chat";
            case COMPLETIONS -> "text_completion";
            case EMBEDDINGS -> "embeddings";
            case RESPONSES -> "chat";
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
