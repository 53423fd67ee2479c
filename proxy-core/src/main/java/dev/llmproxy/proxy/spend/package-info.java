/** Spend: prices in LiteLLM's cost-map format, and the listener that turns each call into spend. */
@NullMarked
package dev.llmproxy.proxy.spend;

import org.jspecify.annotations.NullMarked;
