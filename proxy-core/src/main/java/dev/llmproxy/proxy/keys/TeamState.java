package dev.llmproxy.proxy.keys;

import dev.llmproxy.store.Team;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What the request path checks of a team on top of its keys: blocked, the model list, the budget and the spend. One
 * instance per version of the team; the spend counter carries over from the previous version within a budget period,
 * so calls counted since the last store read are not forgotten.
 *
 * <p>Thread-safety: immutable except for the spend counter, which calls add to atomically from any thread.
 */
final class TeamState {
    final String teamId;
    final boolean blocked;
    final @Nullable Double maxBudget;
    final @Nullable Instant budgetResetAt;
    private final Set<String> models;
    private final List<String> modelPrefixes;
    private final boolean allModels;
    private final AtomicLong spendNanos;

    private TeamState(Team team, AtomicLong spendNanos) {
        this.teamId = team.teamId();
        this.blocked = team.blocked();
        this.maxBudget = team.maxBudget();
        this.budgetResetAt = team.budgetResetAt();
        this.models = Set.copyOf(team.models());
        this.modelPrefixes = team.models().stream()
                .filter(m -> m.endsWith("*"))
                .map(m -> m.substring(0, m.length() - 1))
                .toList();
        this.allModels = team.models().isEmpty() || team.models().contains(CachedKey.ALL_PROXY_MODELS)
                || team.models().contains("*");
        this.spendNanos = spendNanos;
    }

    /** The state of {@code team}, keeping the cached spend of {@code previous} when larger in the same period. */
    static TeamState of(Team team, @Nullable TeamState previous) {
        long stored = Math.round(team.spend() * KeyCache.NANOS_PER_USD);
        if (previous != null && Objects.equals(previous.budgetResetAt, team.budgetResetAt())) {
            AtomicLong counter = previous.spendNanos;
            counter.accumulateAndGet(stored, Math::max);
            return new TeamState(team, counter);
        }
        return new TeamState(team, new AtomicLong(stored));
    }

    boolean allowsModel(String model) {
        if (allModels || models.contains(model)) {
            return true;
        }
        for (String prefix : modelPrefixes) {
            if (model.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    Set<String> models() {
        return models;
    }

    double spend() {
        return spendNanos.get() / KeyCache.NANOS_PER_USD;
    }

    void addSpend(long nanos) {
        spendNanos.addAndGet(nanos);
    }
}
