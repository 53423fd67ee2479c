package dev.llmproxy.proxy.trace;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.Version;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.trace.TracePipeline.Clocks;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Exports a trace for every model request to each configured {@link TraceDestination}: a {@link CallListener} that
 * hands each record to a bounded queue per destination and returns; spans are encoded and posted (OTLP/HTTP protobuf,
 * optionally gzip-compressed) by one thread per destination, with llmproxy's own encoder (no OpenTelemetry SDK). Requests that are not model calls (health, models,
 * {@code /metrics}) are not traced.
 *
 * <p>Thread-safety: {@link #onCallEnded} from any event loop; {@link #close} once, from one thread.
 */
public final class CallTracer implements CallListener, AutoCloseable {
    private final List<TracePipeline> pipelines;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CallTracer(List<TracePipeline> pipelines) {
        this.pipelines = pipelines;
    }

    /**
     * Starts one exporter thread per destination of {@code settings}.
     *
     * @param routes the deployments the records name (their provider, model and host go on the spans)
     * @param ticker the ticker of the records' times
     * @param clock wall time, to place the records' times
     * @param lost told of records whose spans are lost
     */
    public static CallTracer start(TraceSettings settings, RouteTable routes, LongSupplier ticker, Clock clock,
            LostRecords lost) {
        requireNonNull(settings, "settings");
        Map<String, String> resource = resource(settings);
        // Trace and span ids must be unpredictable across instances and restarts; each exporter thread then draws
        // from its own fast generator.
        SecureRandom seeds = new SecureRandom();
        List<TracePipeline> pipelines = new ArrayList<>();
        for (TraceDestination destination : settings.destinations()) {
            OtlpTraceEncoder encoder = new OtlpTraceEncoder(resource, routes, new SplittableRandom(seeds.nextLong()));
            OtlpHttpSender sender = new OtlpHttpSender(destination, settings.exportTimeout(), settings.gzip());
            pipelines.add(new TracePipeline(destination, settings, encoder, sender, lost, new Clocks(ticker, clock)));
        }
        pipelines.forEach(TracePipeline::start);
        return new CallTracer(List.copyOf(pipelines));
    }

    /** Queues the record for each destination that wants its outcome; never blocks, never throws. */
    @Override
    public void onCallEnded(CallRecord record) {
        if (record.endpoint() == null) {
            return;
        }
        boolean success = record.error() == null && record.status() < 400;
        for (int i = 0; i < pipelines.size(); i++) {
            pipelines.get(i).offer(record, success);
        }
    }

    /** Exports what is queued, waiting at most the export timeout per destination, and stops the threads. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pipelines.forEach(TracePipeline::close);
        }
    }

    /**
     * The resource attributes: the {@code telemetry.sdk.*} ones OpenTelemetry SDKs send (naming llmproxy as the SDK),
     * then {@code OTEL_RESOURCE_ATTRIBUTES}, then {@code service.name}, which wins.
     */
    private static Map<String, String> resource(TraceSettings settings) {
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("telemetry.sdk.language", "java");
        resource.put("telemetry.sdk.name", "llmproxy");
        resource.put("telemetry.sdk.version", Version.current());
        resource.putAll(settings.resource());
        resource.remove("service.name");
        resource.put("service.name", settings.serviceName());
        return resource;
    }
}
