package dev.llmproxy.proxy.metrics;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.route.Cooldowns.CooldownListener;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.Router;
import dev.llmproxy.proxy.spend.CallCosts;
import dev.llmproxy.proxy.spend.PriceTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
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
    private static final int GZIP_BUFFER_BYTES = 8192;

    private final MetricsSettings settings;
    private final MetricFamilies families;
    private final CallRecorder recorder;
    private final ScrapedGauges gauges;
    /** The size of the previous scrape, so that the next one starts with a buffer that fits (racy, a hint only). */
    private volatile int lastScrapeBytes = 16 * 1024;
    private volatile int lastGzipBytes = 4 * 1024;
    /**
     * One thread, started on the first scrape and ended after 30 s without one, so that no lifecycle is needed; its
     * queue is bounded.
     */
    private final ThreadPoolExecutor scrapes = new ThreadPoolExecutor(0, 1, SCRAPE_THREAD_IDLE_SECONDS,
            TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED_SCRAPES),
            new DefaultThreadFactory("llmproxy-metrics-scrape", true));

    /**
     * Registers the families for the deployments of {@code routes}, priced by the bundled price table, on the system
     * clock.
     */
    public LitellmMetrics(RouteTable routes, MetricsSettings settings) {
        this(routes, settings, new CallCosts(routes, PriceTable.bundled()), Clock.systemUTC());
    }

    /**
     * Registers the families for the deployments of {@code routes}; deployment labels and prices are resolved here,
     * once.
     *
     * @param costs what each call cost, for {@code litellm_spend_metric}
     * @param clock wall time, for the hours until a budget resets
     */
    public LitellmMetrics(RouteTable routes, MetricsSettings settings, CallCosts costs, Clock clock) {
        requireNonNull(routes, "routes");
        requireNonNull(costs, "costs");
        requireNonNull(clock, "clock");
        this.settings = requireNonNull(settings, "settings");
        this.families = new MetricFamilies(settings.latencyBounds(), settings.filter(), routes.deployments());
        if (!families.unmatchedFilterNames.isEmpty()) {
            log.warn("Prometheus metric filters name metrics llmproxy does not expose (yet): {}",
                    families.unmatchedFilterNames);
        }
        this.recorder = new CallRecorder(families, routes, costs);
        this.gauges = new ScrapedGauges(families, recorder, routes.deployments(), clock);
    }

    /**
     * Reads the remaining requests and tokens of the deployments ({@code litellm_remaining_requests_metric},
     * {@code litellm_remaining_tokens_metric}) from {@code router}'s limits at each scrape.
     */
    public void watch(Router router) {
        gauges.watch(requireNonNull(router, "router"));
    }

    /** Counts each request's record; never throws, never blocks. */
    public CallListener listener() {
        return recorder;
    }

    /**
     * Sets {@code litellm_deployment_state} to 2 (complete outage) and counts {@code litellm_deployment_cooled_down}
     * when the router's cooldowns take a deployment out of rotation; the state moves again with the deployment's next
     * call. Never blocks.
     */
    public CooldownListener cooldownListener() {
        return recorder::cooledDown;
    }

    /**
     * Counts call records an integration lost (a trace export queue was full, or an export failed) in
     * {@code litellm_callback_logging_failures_metric}; never blocks.
     *
     * @param callbackName {@code otel}, {@code mlflow} or {@code langfuse}: a fixed set, so the label stays bounded
     */
    public void countCallbackFailures(String callbackName, long records) {
        recorder.countCallbackFailures(callbackName, records);
    }

    /** Whether a scrape must be authenticated like an API request. */
    public boolean requiresAuth() {
        return settings.requireAuth();
    }

    /**
     * Whether an {@code Accept-Encoding} header allows a gzip-compressed answer (Prometheus sends
     * {@code gzip}); {@code gzip;q=0} refuses it.
     */
    public static boolean acceptsGzip(@Nullable String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (!parts[0].trim().equalsIgnoreCase("gzip")) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
                if (parameter.startsWith("q=") && isZero(parameter.substring(2))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * {@link #scrape} on the scrape thread. The future fails with {@link RejectedExecutionException} when too many
     * scrapes are waiting, or with what the scrape threw. Whoever completes it with a buffer hands over that buffer:
     * the future's consumer must release it, also when it no longer needs it.
     */
    public CompletableFuture<ByteBuf> scrapeAsync(ByteBufAllocator alloc, ExpositionFormat format, boolean gzip) {
        CompletableFuture<ByteBuf> result = new CompletableFuture<>();
        try {
            scrapes.execute(() -> {
                try {
                    result.complete(scrape(alloc, format, gzip));
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
     * @param gzip whether to compress the exposition with gzip ({@code Content-Encoding: gzip})
     * @return a buffer from {@code alloc} holding the exposition; the caller owns it and must release it (writing it
     *     to a channel does)
     */
    public ByteBuf scrape(ByteBufAllocator alloc, ExpositionFormat format, boolean gzip) {
        int hint = gzip ? lastGzipBytes : lastScrapeBytes;
        ByteBuf body = alloc.buffer(hint + hint / 8);
        try (OutputStream out = gzip
                ? new GZIPOutputStream(new ByteBufOutputStream(body), GZIP_BUFFER_BYTES)
                : new ByteBufOutputStream(body)) {
            gauges.refresh();
            format.writer().write(out, families.registry.scrape());
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException("writing a scrape to memory failed", e);
        } catch (RuntimeException | Error e) {
            body.release();
            throw e;
        }
        if (gzip) {
            lastGzipBytes = body.readableBytes();
        } else {
            lastScrapeBytes = body.readableBytes();
        }
        return body;
    }

    private static boolean isZero(String quality) {
        try {
            return Double.parseDouble(quality.trim()) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
