/**
 * Pass-through routes: {@code general_settings.pass_through_endpoints} and LiteLLM's provider prefixes
 * ({@code /openai/*}, {@code /anthropic/*}, ...), forwarded as they are with bodies streamed both ways. Uses
 * {@code call}, {@code route}, {@code provider}, {@code upstream}, {@code auth} and {@code config}; {@code server}
 * uses it.
 */
@NullMarked
package dev.llmproxy.proxy.passthrough;

import org.jspecify.annotations.NullMarked;
