package dev.llmproxy.proxy.metrics;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.route.RouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus metrics of one server, with the LiteLLM proxy's metric names, types, label names, {@code "None"}
 * values and histogram buckets: a {@link CallListener} that counts every request, and the scrape of
 * {@code GET /metrics}.
 *
 * <p>A scrape of a large proxy takes milliseconds (every series of every deployment and caller is written), so the
 * server asks for it with {@link #scrapeAsync}, which writes it on a thread of its own: event loops only record.
 *
 * <p>Thread-safety: {@link #listener()} is called from every event loop at once; {@link #scrape} may run on any
 * thread, concurrently with recording.
 */
public final class LitellmMetrics {
    private static final Logger log = LoggerFactory.getLogger(LitellmMetrics.class);
    /** Scrapes waiting for the scrape thread beyond which a scrape is refused (a scraper should not queue more). */
    static final int MAX_QUEUED_SCRAPES = 4;
    private static final long SCRAPE_THREAD_IDLE_SECONDS = 30;

    private final MetricsSettings settings;
    private final MetricFamilies families;
    private final CallRecorder recorder;
    /** The size of the previous scrape, so that the next one starts with a buffer that fits (racy, a hint only). */
    private volatile int lastScrapeBytes = 16 * 1024;
    /**
     * One thread, started on the first scrape and ended after 30 s without one, so that no lifecycle is needed; its
     * queue is bounded.
     */
    private final ThreadPoolExecutor scrapes = new ThreadPoolExecutor(0, 1, SCRAPE_THREAD_IDLE_SECONDS,
            TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED_SCRAPES),
            new DefaultThreadFactory("llmproxy-metrics-scrape", true));

    /**
     * Registers the families for the deployments of {@code routes}; deployment labels are resolved here, once.
     */
    public LitellmMetrics(RouteTable routes, MetricsSettings settings) {
        requireNonNull(routes, "routes");
        this.settings = requireNonNull(settings, "settings");
        this.families = new MetricFamilies(settings.latencyBounds(), settings.filter(), routes.deployments());
        if (!families.unmatchedFilterNames.isEmpty()) {
            log.warn("Prometheus metric filters name metrics llmproxy does not expose (yet): {}",
                    families.unmatchedFilterNames);
        }
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
     * {@link #scrape} on the scrape thread. The future fails with {@link RejectedExecutionException} when too many
     * scrapes are waiting, or with what the scrape threw. Whoever completes it with a buffer hands over that buffer:
     * the future's consumer must release it, also when it no longer needs it.
     */
    public CompletableFuture<ByteBuf> scrapeAsync(ByteBufAllocator alloc, ExpositionFormat format) {
        CompletableFuture<ByteBuf> result = new CompletableFuture<>();
        try {
            scrapes.execute(() -> {
                try {
                    result.complete(scrape(alloc, format));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Writes the current value of every family in {@code format}, on the calling thread.
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
