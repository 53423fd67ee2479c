/**
 * The LiteLLM {@code config.yaml} model ({@link dev.llmproxy.proxy.config.ProxyConfig} and its records) and its
 * loader ({@link dev.llmproxy.proxy.config.ConfigLoader}). Everything here is immutable once loaded.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.proxy.config;
