/**
 * Server-sent events ({@code text/event-stream}) framing for relaying streamed responses event by event without
 * copying them.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.sse;
