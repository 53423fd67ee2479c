package dev.llmproxy.proxy.keys;

import dev.llmproxy.proxy.auth.EndUsers;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.store.Budget;
import dev.llmproxy.store.EndUser;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/*
 * Only restricted end users are held: blocked ones and those linked to a budget with a cap. Every other end user
 * (most of them: the spend writer creates a row for each new `user` value) needs no check, so a request naming an end
 * user the map does not hold goes ahead without a store look-up and the request path never waits for one. The map is
 * filled by the first load and kept in step by KeySync (changed rows every refresh interval, every restricted row
 * every reconciliation, which also brings the spend other instances committed) and by the management routes of this
 * instance at once.
 *
 * Install numbers, as in KeyDirectory: a refresh takes the sequence before it reads the store, and a state installed
 * after that (by a management route) is newer than what the refresh read, so the refresh leaves it. An end user
 * deleted or made unrestricted through this instance stays in the map as an unrestricted state with its install
 * number (so that a refresh that read the old row cannot put it back) until a reconciliation drops it.
 *
 * Memory: one ConcurrentHashMap node, the id string and an EndUserState (about 150 bytes with a 20-character id) per
 * restricted end user.
 */

/**
 * The restricted end users (blocked, or with a budget cap) and their spend as this instance counts it; the
 * {@link EndUsers} the request path asks.
 *
 * <p>Thread-safety: thread-safe; {@link #check} and {@link #charge} are a map read and, for a held end user, an atomic
 * add. Installs come from the key-sync thread and store threads.
 */
final class EndUserDirectory implements EndUsers {
    private final ConcurrentHashMap<String, EndUserState> held = new ConcurrentHashMap<>();
    private final AtomicLong installs = new AtomicLong();

    @Override
    public @Nullable KeyRefusal check(String endUserId) {
        EndUserState state = held.get(endUserId);
        if (state == null) {
            return null;
        }
        if (state.blocked) {
            return new KeyRefusal(KeyRefusal.Reason.END_USER_BLOCKED,
                    "User blocked from making LLM API Calls. User=" + endUserId, 0);
        }
        Double budget = state.maxBudget;
        // LiteLLM compares an end user's spend strictly (spend > budget), unlike a key's (>=).
        if (budget != null && state.spend() > budget) {
            return new KeyRefusal(KeyRefusal.Reason.BUDGET_EXCEEDED, "ExceededBudget: End User=" + endUserId
                    + " over budget. Spend=" + format(state.spend()) + ", Budget=" + format(budget), 0);
        }
        return null;
    }

    @Override
    public void charge(String endUserId, double costUsd) {
        EndUserState state = held.get(endUserId);
        if (state != null && costUsd > 0) {
            state.addSpend(Math.round(costUsd * KeyCache.NANOS_PER_USD));
        }
    }

    /** The install number a refresh takes before it reads the store. */
    long installSequence() {
        return installs.get();
    }

    /** Applies an end user written through this instance: in force at once. */
    void install(EndUser endUser) {
        install(endUser, Long.MAX_VALUE);
    }

    /** Applies an end user read from the store after install number {@code readAfter}, unless a newer one is held. */
    void install(EndUser endUser, long readAfter) {
        held.compute(endUser.userId(), (id, previous) -> {
            if (previous != null && previous.installed > readAfter) {
                return previous;
            }
            if (!endUser.isRestricted() && previous == null) {
                return null;
            }
            return EndUserState.of(endUser, previous, installs.incrementAndGet());
        });
    }

    /** Forgets end users deleted through this instance (their next calls go unchecked). */
    void deleted(Collection<String> endUserIds) {
        for (String id : endUserIds) {
            install(EndUser.of(id));
        }
    }

    /**
     * Drops the states that {@code restricted} (every restricted end user, read after install number
     * {@code readAfter}) no longer holds, and the unrestricted ones kept since an earlier change.
     */
    void retainOnly(Collection<EndUser> restricted, long readAfter) {
        Set<String> keep = new HashSet<>();
        for (EndUser e : restricted) {
            keep.add(e.userId());
        }
        held.forEach((id, state) -> {
            if ((!keep.contains(id) || !state.isRestricted()) && state.installed <= readAfter) {
                held.remove(id, state);
            }
        });
    }

    /** The spend this instance counts for a held end user, or null. */
    @Nullable Double spend(String endUserId) {
        EndUserState state = held.get(endUserId);
        return state == null ? null : state.spend();
    }

    /** How many end users are held. */
    int size() {
        return held.size();
    }

    private static String format(double usd) {
        return String.format(Locale.ROOT, "%.6f", usd);
    }

    /**
     * One version of a held end user. The spend counter carries over from the previous version within a budget
     * period (the same {@code budget_reset_at}), so that a store read does not forget calls counted since.
     */
    static final class EndUserState {
        final boolean blocked;
        final @Nullable Double maxBudget;
        final @Nullable Instant budgetResetAt;
        final long installed;
        private final AtomicLong spendNanos;

        private EndUserState(EndUser e, @Nullable Instant budgetResetAt, AtomicLong spendNanos, long installed) {
            this.blocked = e.blocked();
            this.maxBudget = e.maxBudget();
            this.budgetResetAt = budgetResetAt;
            this.spendNanos = spendNanos;
            this.installed = installed;
        }

        static EndUserState of(EndUser e, @Nullable EndUserState previous, long installed) {
            long stored = Math.round(e.spend() * KeyCache.NANOS_PER_USD);
            Budget budget = e.budget();
            Instant resetAt = budget == null ? null : budget.budgetResetAt();
            AtomicLong counter;
            if (previous != null && Objects.equals(previous.budgetResetAt, resetAt)) {
                counter = previous.spendNanos;
                counter.accumulateAndGet(stored, Math::max);
            } else {
                counter = new AtomicLong(stored);
            }
            return new EndUserState(e, resetAt, counter, installed);
        }

        boolean isRestricted() {
            return blocked || maxBudget != null;
        }

        double spend() {
            return spendNanos.get() / KeyCache.NANOS_PER_USD;
        }

        void addSpend(long nanos) {
            spendNanos.addAndGet(nanos);
        }
    }
}
