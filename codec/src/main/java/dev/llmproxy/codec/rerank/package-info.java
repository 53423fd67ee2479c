/**
 * Rerank APIs that differ from Cohere's, which clients speak to {@code /v1/rerank}: Voyage AI's
 * ({@link dev.llmproxy.codec.rerank.VoyageRerank}), translated both ways as LiteLLM does.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.rerank;
