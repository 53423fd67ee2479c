/**
 * Prometheus metrics with the LiteLLM proxy's names, types, labels and buckets, so that LiteLLM's Grafana dashboards
 * and alert rules work unchanged: {@link dev.llmproxy.proxy.metrics.LitellmMetrics} records every
 * {@link dev.llmproxy.proxy.call.CallRecord} and writes the scrape of {@code GET /metrics}.
 */
@NullMarked
package dev.llmproxy.proxy.metrics;

import org.jspecify.annotations.NullMarked;
