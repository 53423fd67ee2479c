/**
 * The route table: which deployments serve a requested model name, where each deployment lives (provider defaults,
 * URL, auth header) and how one is picked. Built once at start from a {@link dev.llmproxy.proxy.config.ProxyConfig};
 * immutable and safe to share between event loops afterwards.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.proxy.route;
