/**
 * What every translation of a provider's stream into OpenAI {@code chat.completion.chunk} events shares, whatever the
 * provider's wire format: the chunks themselves ({@link dev.llmproxy.codec.translate.ChunkWriter}), the end of the
 * client's stream (the usage chunk and {@code [DONE]}), error events, and reading an event's bytes as one array
 * ({@link dev.llmproxy.codec.translate.EventBytes}). The Anthropic, Gemini and Bedrock stream translators are built
 * on it.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.translate;
