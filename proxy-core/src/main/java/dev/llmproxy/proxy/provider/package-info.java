/**
 * What a provider contributes to an upstream attempt: its URL layout, authentication, request encoding and the
 * translation of its responses into the OpenAI shape ({@link dev.llmproxy.proxy.provider.ProviderAdapter}), and the
 * table of provider prefixes LiteLLM knows.
 */
@NullMarked
package dev.llmproxy.proxy.provider;

import org.jspecify.annotations.NullMarked;
