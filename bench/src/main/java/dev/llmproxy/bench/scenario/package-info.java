/** The benchmark scenarios: direct-to-mock against through-proxy, and the report they produce. */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.bench.scenario;
