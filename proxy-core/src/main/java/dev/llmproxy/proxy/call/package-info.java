/**
 * One model call and its attempts: the client side of a request (its body, identity, deadline, commit decision and
 * record) and one attempt per deployment tried (lease a connection, encode, judge the response head, relay).
 */
@NullMarked
package dev.llmproxy.proxy.call;

import org.jspecify.annotations.NullMarked;
