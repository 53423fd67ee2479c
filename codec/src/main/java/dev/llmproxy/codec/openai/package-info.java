/**
 * OpenAI wire-format pieces: token usage extraction from streamed chunks and JSON bodies, and writers for the bodies
 * the proxy answers itself (errors, completions, chunks, embeddings, model lists).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.openai;
