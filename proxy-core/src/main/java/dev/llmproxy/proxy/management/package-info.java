/** The management API: the {@code /key/...} routes over the store, answered off the event loop. */
@NullMarked
package dev.llmproxy.proxy.management;

import org.jspecify.annotations.NullMarked;
