/** Virtual keys: the off-heap key cache over the store, the authenticator, and the cache's refresh. */
@NullMarked
package dev.llmproxy.proxy.keys;

import org.jspecify.annotations.NullMarked;
