/**
 * Request, token and concurrency limits, exact under concurrency: {@link dev.llmproxy.limiter.LimitSet} admits a call
 * against every limit of a set at once or refuses it with the time until it could pass, and
 * {@link dev.llmproxy.limiter.LimitStore} hands out one set per key (a deployment today; keys, users and teams
 * later). Depends on the JDK only; time is always passed in by the caller.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.limiter;
