/**
 * Mock upstream providers that speak the OpenAI wire format, for llmproxy's tests and load benchmark:
 * {@link dev.llmproxy.bench.mock.MockProvider} (chat completions, completions, embeddings, models; SSE streaming with
 * per-request pacing and fault control through {@code mock_*} body fields) and
 * {@link dev.llmproxy.bench.mock.MockConnectProxy} (an HTTP CONNECT tunnel).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.bench.mock;
