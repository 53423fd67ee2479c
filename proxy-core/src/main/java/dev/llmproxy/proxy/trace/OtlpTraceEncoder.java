package dev.llmproxy.proxy.trace;

import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.Version;
import dev.llmproxy.proxy.route.RouteTable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Encodes a batch of {@link CallRecord}s as one OTLP {@code ExportTraceServiceRequest} (protobuf): one
 * {@code ResourceSpans} with the service's resource, one {@code ScopeSpans} for the {@code llmproxy} scope, and the
 * spans {@link SpanWriter} writes for each record. The resource and scope are encoded once, at construction.
 *
 * <p>Thread-safety: not thread-safe; one exporter thread owns an instance and reuses its buffer for every batch.
 */
final class OtlpTraceEncoder {
    /** Enough for a full default batch (512 records of two or three spans, ~300 bytes each) without growing. */
    private static final int INITIAL_CAPACITY = 256 * 1024;
    private static final int REQUEST_RESOURCE_SPANS = 1;
    private static final int RESOURCE_SPANS_RESOURCE = 1;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
    private static final int RESOURCE_ATTRIBUTES = 1;
    private static final int SCOPE_SPANS_SCOPE = 1;
    private static final int SCOPE_NAME = 1;
    private static final int SCOPE_VERSION = 2;

    private final byte[] resourceField;
    private final byte[] scopeField;
    private final SpanWriter writer;
    private final ProtoWriter out = new ProtoWriter(INITIAL_CAPACITY);

    /**
     * @param resource the resource attributes ({@code service.name} among them), in order
     */
    OtlpTraceEncoder(Map<String, String> resource, RouteTable routes, SplittableRandom random) {
        ProtoWriter header = new ProtoWriter(1024);
        int message = header.startMessage(RESOURCE_SPANS_RESOURCE);
        resource.forEach((key, value) -> SpanWriter.attribute(header, RESOURCE_ATTRIBUTES, key, value));
        header.endMessage(message);
        this.resourceField = Arrays.copyOf(header.array(), header.size());
        header.reset();
        message = header.startMessage(SCOPE_SPANS_SCOPE);
        header.string(SCOPE_NAME, "llmproxy");
        header.string(SCOPE_VERSION, Version.current());
        header.endMessage(message);
        this.scopeField = Arrays.copyOf(header.array(), header.size());
        this.writer = new SpanWriter(routes, random);
    }

    /**
     * Encodes {@code records} into the buffer, replacing what it held; the request is {@code array()[0, size())}.
     *
     * @return how many spans were written (0: nothing to export)
     */
    int encode(List<CallRecord> records, long anchorTicks, long anchorEpochNanos) {
        out.reset();
        int resourceSpans = out.startMessage(REQUEST_RESOURCE_SPANS);
        out.raw(resourceField);
        int scopeSpans = out.startMessage(RESOURCE_SPANS_SCOPE_SPANS);
        out.raw(scopeField);
        int spans = 0;
        for (int i = 0; i < records.size(); i++) {
            spans += writer.write(out, records.get(i), anchorTicks, anchorEpochNanos);
        }
        out.endMessage(scopeSpans);
        out.endMessage(resourceSpans);
        return spans;
    }

    /** The encoded request's bytes are {@code array()[0, size())}; valid until the next {@link #encode}. */
    byte[] array() {
        return out.array();
    }

    int size() {
        return out.size();
    }
}
