/** The client-facing Netty server: pipeline, request dispatch, built-in endpoints, errors and draining. */
@NullMarked
package dev.llmproxy.proxy.server;

import org.jspecify.annotations.NullMarked;
