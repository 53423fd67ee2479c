package dev.llmproxy.proxy.trace;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.trace.TracePipeline.Clocks;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.resources.ResourceBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Exports a trace for every model request to each configured {@link TraceDestination}: a {@link CallListener} that
 * hands each record to a bounded queue per destination and returns; spans are built and posted (OTLP/HTTP protobuf,
 * optionally gzip-compressed) by one thread per destination. Requests that are not model calls (health, models,
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
        Resource resource = resource(settings);
        List<TracePipeline> pipelines = new ArrayList<>();
        for (TraceDestination destination : settings.destinations()) {
            OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                    .setEndpoint(destination.endpoint().toString())
                    .setTimeout(settings.exportTimeout())
                    .setCompression(settings.gzip() ? "gzip" : "none")
                    .setRetryPolicy(null);
            destination.headers().forEach(exporter::addHeader);
            pipelines.add(new TracePipeline(destination, settings, exporter.build(), lost,
                    new Clocks(ticker, clock), routes, resource));
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

    private static Resource resource(TraceSettings settings) {
        ResourceBuilder builder = Resource.getDefault().toBuilder();
        settings.resource().forEach(builder::put);
        return builder.put("service.name", settings.serviceName()).build();
    }
}
