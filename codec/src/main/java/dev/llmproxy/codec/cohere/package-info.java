/**
 * Cohere's own API (https://docs.cohere.com/reference) as a pass-through route relays it: the usage of its chat and
 * embed answers ({@link dev.llmproxy.codec.cohere.CohereUsageScanner}).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.cohere;
