/** Authentication of client requests (the master key, and the seams virtual keys plug into). */
@NullMarked
package dev.llmproxy.proxy.auth;

import org.jspecify.annotations.NullMarked;
