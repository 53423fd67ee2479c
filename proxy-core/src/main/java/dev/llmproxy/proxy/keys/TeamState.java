package dev.llmproxy.proxy.keys;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LocalLimitSet;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What the request path checks of a team on top of its keys: blocked, the model list (access groups expanded), the
 * budget and the spend, the rpm, tpm and parallel limits all its keys share, its per-model limits and its members'
 * budgets ({@code max_budget_in_team}). One instance per version of the team; the spend counters carry over from the
 * previous version within a budget period and the limit sets while their limits are unchanged, so calls counted since
 * the last store read are not forgotten.
 *
 * <p>Thread-safety: immutable except for the spend counters and limit sets, which calls change atomically from any
 * thread.
 */
final class TeamState {
    final String teamId;
    final boolean blocked;
    final @Nullable Double maxBudget;
    final @Nullable Instant budgetResetAt;
    final @Nullable LimitSet limits;
    final ModelLimits modelLimits;
    /** The directory's install number of this version. */
    final long installed;
    private final Set<String> models;
    private final List<String> modelPrefixes;
    private final boolean allModels;
    private final AtomicLong spendNanos;
    /** Members with a budget in the team, by user id. */
    private final Map<String, MemberBudget> members;

    private TeamState(Team team, List<String> models, AtomicLong spendNanos, @Nullable LimitSet limits,
            ModelLimits modelLimits, Map<String, MemberBudget> members, long installed) {
        this.teamId = team.teamId();
        this.blocked = team.blocked();
        this.maxBudget = team.maxBudget();
        this.budgetResetAt = team.budgetResetAt();
        this.models = Set.copyOf(models);
        this.modelPrefixes = models.stream()
                .filter(m -> m.endsWith("*"))
                .map(m -> m.substring(0, m.length() - 1))
                .toList();
        this.allModels = models.isEmpty() || models.contains(CachedKey.ALL_PROXY_MODELS) || models.contains("*");
        this.spendNanos = spendNanos;
        this.limits = limits;
        this.modelLimits = modelLimits;
        this.members = members;
        this.installed = installed;
    }

    /**
     * The state of {@code team} and its {@code memberships}, keeping the cached spend of {@code previous} (when larger,
     * in the same budget period) and its unchanged limit sets.
     */
    static TeamState of(Team team, List<TeamMembership> memberships, @Nullable TeamState previous,
            AccessGroups groups, long installed) {
        long stored = Math.round(team.spend() * KeyCache.NANOS_PER_USD);
        AtomicLong counter;
        if (previous != null && Objects.equals(previous.budgetResetAt, team.budgetResetAt())) {
            counter = previous.spendNanos;
            counter.accumulateAndGet(stored, Math::max);
        } else {
            counter = new AtomicLong(stored);
        }
        LimitSpec spec = CachedKey.limitSpec(team.rpmLimit(), team.tpmLimit(), team.maxParallelRequests());
        LimitSet old = previous == null ? null : previous.limits;
        LimitSet limits = spec == null ? null : old != null && old.spec().equals(spec) ? old : new LocalLimitSet(spec);
        ModelLimits modelLimits = ModelLimits.of(team.modelRpmLimit(), team.modelTpmLimit(),
                previous == null ? null : previous.modelLimits);
        Map<String, MemberBudget> members = new HashMap<>();
        for (TeamMembership m : memberships) {
            Double budget = m.maxBudget();
            if (budget != null) {
                MemberBudget before = previous == null ? null : previous.members.get(m.userId());
                members.put(m.userId(), MemberBudget.of(m, before));
            }
        }
        return new TeamState(team, groups.expand(team.models()), counter, limits, modelLimits, Map.copyOf(members),
                installed);
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

    /** The budget of {@code userId} in this team, or null when the member has none. */
    @Nullable MemberBudget member(String userId) {
        return members.get(userId);
    }

    /** The memberships with a budget, as last read (for a new version of the team that did not re-read them). */
    List<TeamMembership> memberRows() {
        return members.values().stream().map(MemberBudget::row).toList();
    }

    /** A member's budget in the team and the spend counted against it. Thread-safety: as the team's. */
    static final class MemberBudget {
        final String userId;
        final double maxBudget;
        private final TeamMembership row;
        private final AtomicLong spendNanos;

        private MemberBudget(TeamMembership row, double maxBudget, AtomicLong spendNanos) {
            this.userId = row.userId();
            this.maxBudget = maxBudget;
            this.row = row;
            this.spendNanos = spendNanos;
        }

        /**
         * The budget of {@code m}, keeping the counter of {@code previous} (when larger) within the same budget
         * period: a reset (a new {@code budget_reset_at}) starts from the stored spend.
         */
        static MemberBudget of(TeamMembership m, @Nullable MemberBudget previous) {
            long stored = Math.round(m.spend() * KeyCache.NANOS_PER_USD);
            AtomicLong counter;
            if (previous != null && Objects.equals(previous.row.budgetResetAt(), m.budgetResetAt())) {
                counter = previous.spendNanos;
                counter.accumulateAndGet(stored, Math::max);
            } else {
                counter = new AtomicLong(stored);
            }
            Double budget = m.maxBudget();
            return new MemberBudget(m, budget == null ? Double.MAX_VALUE : budget, counter);
        }

        double spend() {
            return spendNanos.get() / KeyCache.NANOS_PER_USD;
        }

        void addSpend(long nanos) {
            spendNanos.addAndGet(nanos);
        }

        TeamMembership row() {
            return row;
        }
    }
}
