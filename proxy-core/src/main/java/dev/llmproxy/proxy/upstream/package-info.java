/** Upstream HTTP client: per-event-loop keep-alive pools, TLS, proxies, DNS, and the response relay. */
@NullMarked
package dev.llmproxy.proxy.upstream;

import org.jspecify.annotations.NullMarked;
