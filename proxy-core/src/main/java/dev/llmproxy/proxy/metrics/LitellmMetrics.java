package dev.llmproxy.proxy.metrics;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.route.RouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Prometheus metrics of one server, with the LiteLLM proxy's metric names, types, label names, {@code "None"}
 * values and histogram buckets: a {@link CallListener} that counts every request, and the scrape of
 * {@code GET /metrics}.
 *
 * <p>Thread-safety: {@link #listener()} is called from every event loop at once; {@link #scrape} may run on any
 * thread, concurrently with recording.
 */
public final class LitellmMetrics {
    private final MetricsSettings settings;
    private final MetricFamilies families;
    private final CallRecorder recorder;
    /** The size of the previous scrape, so that the next one starts with a buffer that fits (racy, a hint only). */
    private volatile int lastScrapeBytes = 16 * 1024;

    /**
     * Registers the families for the deployments of {@code routes}; deployment labels are resolved here, once.
     */
    public LitellmMetrics(RouteTable routes, MetricsSettings settings) {
        requireNonNull(routes, "routes");
        this.settings = requireNonNull(settings, "settings");
        this.families = new MetricFamilies(settings.latencyBounds(), routes.deployments());
        this.recorder = new CallRecorder(families, routes);
    }

    /** Counts each request's record; never throws, never blocks. */
    public CallListener listener() {
        return recorder;
    }

    /** Whether a scrape must be authenticated like an API request. */
    public boolean requiresAuth() {
        return settings.requireAuth();
    }

    /**
     * Writes the current value of every family in {@code format}.
     *
     * @return a buffer from {@code alloc} holding the exposition; the caller owns it and must release it (writing it
     *     to a channel does)
     */
    public ByteBuf scrape(ByteBufAllocator alloc, ExpositionFormat format) {
        ByteBuf body = alloc.buffer(lastScrapeBytes + lastScrapeBytes / 8);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            format.writer().write(out, families.registry.scrape());
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException("writing a scrape to memory failed", e);
        } catch (RuntimeException | Error e) {
            body.release();
            throw e;
        }
        lastScrapeBytes = body.readableBytes();
        return body;
    }
}
