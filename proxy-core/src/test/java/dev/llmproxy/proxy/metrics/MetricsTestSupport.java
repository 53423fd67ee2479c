package dev.llmproxy.proxy.metrics;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.call.AttemptRecord;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.call.ProxyError;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.provider.Endpoint;
import dev.llmproxy.proxy.route.RouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Routes, records and scrapes for the metrics tests. */
final class MetricsTestSupport {
    /** Two deployments of {@code gpt-a} (one with rpm, one with tpm), and a wildcard OpenRouter entry. */
    static final String CONFIG = """
            model_list:
              - model_name: gpt-a
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: http://127.0.0.1:9/v1
                  api_key: sk-upstream
                  rpm: 18
                model_info:
                  id: dep-a
              - model_name: gpt-a
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: http://127.0.0.1:10/v1
                  api_key: sk-upstream
                  tpm: 1000
                model_info:
                  id: dep-b
              - model_name: "openrouter/*"
                litellm_params:
                  model: "openrouter/*"
                  api_key: sk-or
                model_info:
                  id: dep-w
            """;

    static final long MS = 1_000_000L;

    private MetricsTestSupport() {}

    static RouteTable routes(Path dir, String yaml) {
        Path file = dir.resolve("config.yaml");
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RouteTable.build(ConfigLoader.load(file, Map.of()));
    }

    /** Scrapes in {@code format} and releases the buffer. */
    static String scrapeText(LitellmMetrics metrics, ExpositionFormat format) {
        ByteBuf body = metrics.scrape(PooledByteBufAllocator.DEFAULT, format, false);
        try {
            return body.toString(StandardCharsets.UTF_8);
        } finally {
            body.release();
        }
    }

    static Exposition scrape(LitellmMetrics metrics) {
        return Exposition.parse(scrapeText(metrics, ExpositionFormat.PROMETHEUS_TEXT));
    }

    /**
     * A chat request by the master key to {@code gpt-a}, answered by {@code deployment} with {@code status}: arrives
     * at 1000 ms, attempt from 1002 ms, request sent at 1003 ms, head at 1100 ms, first byte at 1150 ms, end at
     * 1400 ms.
     */
    static CallRecord chat(String deployment, int status, @Nullable ProxyError error, boolean stream,
            @Nullable Usage usage) {
        return chat(deployment, status, error, stream, usage, Principal.MASTER);
    }

    /** The same request by {@code principal}. */
    static CallRecord chat(String deployment, int status, @Nullable ProxyError error, boolean stream,
            @Nullable Usage usage, Principal principal) {
        AttemptRecord attempt = new AttemptRecord(deployment, status, error, 1002 * MS, 1100 * MS, 1400 * MS);
        return new CallRecord("call-1", Endpoint.CHAT_COMPLETIONS, "gpt-a", "gpt-a", deployment, principal,
                status, error, stream, usage, 1000 * MS, 1150 * MS, 1400 * MS, 97 * MS, List.of(attempt));
    }

    /** A request refused before routing. */
    static CallRecord refused(@Nullable String model, @Nullable Principal principal, ProxyError error) {
        return new CallRecord("call-2", Endpoint.CHAT_COMPLETIONS, model, null, null, principal,
                error.status().code(), error, false, null, 1000 * MS, 0, 1001 * MS, 0, List.of());
    }
}
