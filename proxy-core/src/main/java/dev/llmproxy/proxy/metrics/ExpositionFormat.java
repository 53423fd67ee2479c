package dev.llmproxy.proxy.metrics;

import io.netty.util.AsciiString;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The text formats a scrape is written in: Prometheus text by default, OpenMetrics when the scraper asks for it. */
public enum ExpositionFormat {
    PROMETHEUS_TEXT(PrometheusTextFormatWriter.builder().build()),
    OPENMETRICS(OpenMetricsTextFormatWriter.builder().build());

    private final ExpositionFormatWriter writer;
    private final AsciiString contentType;

    ExpositionFormat(ExpositionFormatWriter writer) {
        this.writer = writer;
        this.contentType = AsciiString.cached(writer.getContentType());
    }

    /**
     * The format for a request's {@code Accept} header: OpenMetrics when it names
     * {@code application/openmetrics-text} (Prometheus sends it first when it can read it), else Prometheus text.
     */
    public static ExpositionFormat forAccept(@Nullable String accept) {
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")) {
            return OPENMETRICS;
        }
        return PROMETHEUS_TEXT;
    }

    /** The {@code Content-Type} of a scrape in this format. */
    public AsciiString contentType() {
        return contentType;
    }

    ExpositionFormatWriter writer() {
        return writer;
    }
}
