package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.provider.GoogleTokenAuth.AccessToken;
import io.netty.util.AsciiString;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Short-lived credentials, cached and refreshed before they expire without ever holding up a request that can use
 * the current ones: the machinery behind {@link GoogleTokenAuth} (Vertex AI), {@link CopilotAuth} (GitHub Copilot)
 * and {@link BedrockAuth}'s STS credentials.
 *
 * <p>Thread-safety: thread-safe; {@link #current} is called from every event loop at once.
 *
 * @param <T> the credentials, immutable
 */
final class TokenRefresher<T> {
    /*
     * Implementation notes
     *
     * The state is one immutable snapshot in an AtomicReference: the current token (or none) with its expiry, the
     * refresh in flight (or none), and the last failure. bearer() runs on event loops and never blocks:
     *  1. A token is used until EXPIRY_MARGIN before it expires. From REFRESH_AHEAD before its expiry on, a refresh
     *     starts in the background, once (both margins shrink to a quarter and a half of the token's lifetime for
     *     short-lived tokens, so that a fresh token is always usable): of the threads that race to start it, the one
     *     whose CAS installs the in-flight future starts it; the others find it installed and go on with the current
     *     token.
     *  2. Without a usable token, current() starts a refresh (or finds the one in flight) and answers false; the attempt
     *     waits on ready(), which is that refresh's future, and then calls current() again.
     * A refresh that completes installs its token (and clears the in-flight future) before completing its future, so
     * an attempt woken by it finds the token. A refresh that fails completes its future exceptionally: the waiting
     * attempts fail with an authentication error. The failure is remembered for RETRY_AFTER, during which current()
     * answers null and ready() the failure at once, so that a broken token endpoint is not called once per request.
     * CAS loops retry only when another thread changed the snapshot in between; each retry re-reads it, and a thread
     * gives up as soon as it sees a refresh in flight, so every loop ends.
     * The refresh itself (the source's work: signing an assertion, an HTTP exchange) runs on the source's own
     * threads, never on an event loop.
     */

    /** A token is not used in its last minute: a request sent with it may reach the provider after it expired. */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(60);
    /** How long before expiry a token is replaced in the background. */
    static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
    /** How long a failed refresh is reported to new requests before the source is tried again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final Clock clock;
    private final Supplier<CompletionStage<Expiring<T>>> source;
    private final AtomicReference<State<T>> state = new AtomicReference<>(State.empty());

    /**
     * @param clock wall time, for the token's expiry
     * @param source fetches a new token; called at most once at a time, never on an event loop's behalf for long
     *     (it must return at once and complete on its own threads)
     */
    TokenRefresher(Clock clock, Supplier<CompletionStage<Expiring<T>>> source) {
        this.clock = requireNonNull(clock, "clock");
        this.source = requireNonNull(source, "source");
    }

    /** A refresher of bearer tokens, whose value is the {@code Bearer <token>} header value. */
    static TokenRefresher<AsciiString> bearer(Clock clock, Supplier<CompletionStage<AccessToken>> source) {
        requireNonNull(source, "source");
        return new TokenRefresher<>(clock, () -> source.get().thenApply(token ->
                new Expiring<>(AsciiString.of("Bearer " + token.value()), token.expiresInSeconds())));
    }

    /** The credentials to send now, or null when there are none (wait for {@link #ready}). */
    @Nullable T current() {
        long now = clock.millis();
        State<T> current = snapshot();
        if (current.value != null && now < current.usableUntilMillis) {
            if (now >= current.refreshAtMillis) {
                startRefresh(now);
            }
            return current.value;
        }
        startRefresh(now);
        return null;
    }

    /** Completes when {@link #current} can answer again, or exceptionally with the refresh's failure. */
    CompletionStage<?> ready() {
        State<T> current = snapshot();
        if (current.refreshing != null) {
            return current.refreshing;
        }
        if (current.failure != null) {
            return CompletableFuture.failedFuture(current.failure);
        }
        return CompletableFuture.completedFuture(null);
    }

    private void startRefresh(long now) {
        CompletableFuture<Void> refreshing = new CompletableFuture<>();
        while (true) {
            State<T> current = snapshot();
            if (current.refreshing != null) {
                return;
            }
            if (current.failure != null && now < current.failedAtMillis + RETRY_AFTER.toMillis()) {
                return;
            }
            if (state.compareAndSet(current, current.refreshing(refreshing))) {
                break;
            }
        }
        CompletionStage<Expiring<T>> exchange;
        try {
            exchange = source.get();
        } catch (RuntimeException e) {
            exchange = CompletableFuture.failedFuture(e);
        }
        exchange.whenComplete((token, failure) -> finishRefresh(refreshing, token, failure, now));
    }

    /** Installs the outcome of a refresh started at {@code startedMillis}, then wakes the attempts waiting on it. */
    private void finishRefresh(CompletableFuture<Void> refreshing, @Nullable Expiring<T> token,
            @Nullable Throwable failure, long startedMillis) {
        while (true) {
            State<T> current = snapshot();
            State<T> next = token != null && failure == null ? State.of(token, startedMillis)
                    : new State<>(current.value, current.usableUntilMillis, current.refreshAtMillis, null,
                            failure != null ? failure : new IllegalStateException("no token"), clock.millis());
            if (state.compareAndSet(current, next)) {
                break;
            }
        }
        if (token != null && failure == null) {
            refreshing.complete(null);
        } else {
            refreshing.completeExceptionally(failure != null ? failure : new IllegalStateException("no token"));
        }
    }

    /** The current snapshot; never null (the reference starts at {@link State#empty} and is only ever replaced). */
    private State<T> snapshot() {
        return requireNonNull(state.get(), "state");
    }

    /**
     * Credentials and their lifetime, as a source hands them over.
     *
     * @param value the credentials
     * @param expiresInSeconds how long they last from the moment they were asked for
     */
    record Expiring<T>(T value, long expiresInSeconds) {
        Expiring {
            requireNonNull(value, "value");
        }
    }

    /** One snapshot of the token state; see the implementation notes. */
    private record State<T>(@Nullable T value, long usableUntilMillis, long refreshAtMillis,
            @Nullable CompletableFuture<Void> refreshing, @Nullable Throwable failure, long failedAtMillis) {
        static <T> State<T> empty() {
            return new State<>(null, 0, 0, null, null, 0);
        }

        /** Fresh credentials asked for at {@code askedMillis}. */
        static <T> State<T> of(Expiring<T> token, long askedMillis) {
            long lifetime = Math.max(0, token.expiresInSeconds() * 1000);
            long expires = askedMillis + lifetime;
            return new State<>(token.value(),
                    expires - Math.min(EXPIRY_MARGIN.toMillis(), lifetime / 4),
                    expires - Math.min(REFRESH_AHEAD.toMillis(), lifetime / 2), null, null, 0);
        }

        State<T> refreshing(CompletableFuture<Void> future) {
            return new State<>(value, usableUntilMillis, refreshAtMillis, future, null, 0);
        }
    }
}
