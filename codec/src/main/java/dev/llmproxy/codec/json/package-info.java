/**
 * Request-side JSON for the proxy's hot path: a one-pass validating scanner that finds the few top-level fields the
 * proxy routes on ({@link dev.llmproxy.codec.json.RequestScanner}) and a zero-copy rewriter that swaps the
 * {@code model} value and injects {@code stream_options} ({@link dev.llmproxy.codec.json.RequestRewriter}).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.json;
