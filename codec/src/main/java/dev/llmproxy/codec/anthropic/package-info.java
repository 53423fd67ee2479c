/**
 * Anthropic's Messages API (https://docs.anthropic.com/en/api/messages) and the translation between it and OpenAI's
 * chat completions: the request ({@link dev.llmproxy.codec.anthropic.AnthropicRequestEncoder}), whole responses and
 * error bodies ({@link dev.llmproxy.codec.anthropic.AnthropicResponses}), and streamed events
 * ({@link dev.llmproxy.codec.anthropic.AnthropicStreamTranslator}), following LiteLLM's mapping rules as recorded in
 * the project's provider spec (section 1).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.anthropic;
