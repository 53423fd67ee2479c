/** Authentication of client requests (master key now; virtual keys through the store later). */
@NullMarked
package dev.llmproxy.proxy.auth;

import org.jspecify.annotations.NullMarked;
