/**
 * OpenAI's Responses API ({@code /v1/responses}) bridged onto chat completions for providers that have no Responses
 * API of their own, following LiteLLM's mapping as recorded in the project's provider spec (section 8): the request
 * ({@link dev.llmproxy.codec.responses.ResponsesRequests}), whole answers
 * ({@link dev.llmproxy.codec.responses.ResponsesBodies}), streamed answers rebuilt event by event
 * ({@link dev.llmproxy.codec.responses.ResponsesStreamTranslator}), and the usage of a relayed Responses stream
 * ({@link dev.llmproxy.codec.responses.ResponsesUsage}).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.responses;
