/**
 * A cheap loopback HTTP/1.1 load generator (closed loop, coordinated-omission-corrected open loop, SSE streams) and
 * process metrics read from {@code /proc}.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.bench.load;
