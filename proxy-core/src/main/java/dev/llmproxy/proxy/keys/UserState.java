package dev.llmproxy.proxy.keys;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LocalLimitSet;
import dev.llmproxy.store.User;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What the request path checks of a user on top of the user's keys: the budget and spend, and the rpm, tpm and
 * parallel limits that every key of the user shares. One instance per version of the user; the spend counter carries
 * over from the previous version within a budget period, and the limit set while the limits are unchanged, so that a
 * store read does not forget calls counted since.
 *
 * <p>Thread-safety: immutable except for the spend counter and the limit set, which calls change atomically from any
 * thread.
 */
final class UserState {
    final String userId;
    final @Nullable Double maxBudget;
    final @Nullable Instant budgetResetAt;
    final @Nullable LimitSet limits;
    /** The directory's install number of this version. */
    final long installed;
    private final AtomicLong spendNanos;

    private UserState(User user, AtomicLong spendNanos, @Nullable LimitSet limits, long installed) {
        this.userId = user.userId();
        this.maxBudget = user.maxBudget();
        this.budgetResetAt = user.budgetResetAt();
        this.limits = limits;
        this.spendNanos = spendNanos;
        this.installed = installed;
    }

    /** The state of {@code user}, keeping the cached spend and limit set of {@code previous} where they still hold. */
    static UserState of(User user, @Nullable UserState previous, long installed) {
        long stored = Math.round(user.spend() * KeyCache.NANOS_PER_USD);
        AtomicLong counter;
        if (previous != null && Objects.equals(previous.budgetResetAt, user.budgetResetAt())) {
            counter = previous.spendNanos;
            counter.accumulateAndGet(stored, Math::max);
        } else {
            counter = new AtomicLong(stored);
        }
        LimitSpec spec = CachedKey.limitSpec(user.rpmLimit(), user.tpmLimit(), user.maxParallelRequests());
        LimitSet old = previous == null ? null : previous.limits;
        LimitSet limits = spec == null ? null : old != null && old.spec().equals(spec) ? old : new LocalLimitSet(spec);
        return new UserState(user, counter, limits, installed);
    }

    long spendNanos() {
        return spendNanos.get();
    }

    double spend() {
        return spendNanos.get() / KeyCache.NANOS_PER_USD;
    }

    void addSpend(long nanos) {
        spendNanos.addAndGet(nanos);
    }
}
