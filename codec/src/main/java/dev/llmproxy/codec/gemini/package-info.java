/**
 * Google's Gemini API (generateContent, streamGenerateContent, batchEmbedContents; https://ai.google.dev/api), as
 * served by Google AI Studio and Vertex AI, and the translation between it and OpenAI's chat completions and
 * embeddings: requests ({@link dev.llmproxy.codec.gemini.GeminiRequestEncoder}), whole responses
 * ({@link dev.llmproxy.codec.gemini.GeminiResponses}), errors ({@link dev.llmproxy.codec.gemini.GeminiErrors}) and
 * streamed responses ({@link dev.llmproxy.codec.gemini.GeminiStreamTranslator}), following LiteLLM's mapping rules
 * as recorded in the project's provider spec (sections 3 and 4).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.gemini;
