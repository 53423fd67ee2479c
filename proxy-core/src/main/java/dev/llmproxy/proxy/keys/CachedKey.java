package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.proxy.auth.BudgetState;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.proxy.auth.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The heap half of a cached virtual key: what cannot be a number in the off-heap slot (ids, the model list, the limit
 * set) and the authentication result handed out on every hit, made once per version of the key so that a hit
 * allocates nothing. A change to the key makes a new instance; the limit set carries over when the limits did not
 * change, so a refresh does not forgive calls already counted.
 *
 * <p>Thread-safety: immutable except for its slot, which the cache's writer sets ({@link #attach}, {@link #detach})
 * and any thread reads.
 */
final class CachedKey implements KeyGrant {
    /** The model-list entry that allows every model, as in LiteLLM. */
    static final String ALL_PROXY_MODELS = "all-proxy-models";
    /** The model-list entry of a key that defers to its team's list, as in LiteLLM. */
    static final String ALL_TEAM_MODELS = "all-team-models";
    /** The limit sets a call passes, in the order they are taken (see {@link #takeLimits}). */
    private static final int SCOPE_KEY = 0;
    private static final int SCOPE_KEY_MODEL = 1;
    private static final int SCOPE_TEAM = 2;
    private static final int SCOPE_TEAM_MODEL = 3;
    private static final int SCOPES = 5;

    final String token;
    final byte[] hash;
    final @Nullable Double maxBudget;
    final @Nullable Instant budgetResetAt;
    final long expiresMillis;
    final boolean blocked;
    final AuthResult accepted;
    private final String displayName;
    private final @Nullable String keyAlias;
    private final @Nullable String userId;
    private final @Nullable String teamId;
    private final List<String> tags;
    private final boolean admin;
    private final Set<String> models;
    private final List<String> modelPrefixes;
    private final boolean allModels;
    private final @Nullable LimitSet limits;
    private final ModelLimits modelLimits;
    /** The teams as last read (shared, updated by the store threads); the key's team is looked up per call. */
    private final Map<String, TeamState> teams;
    /** The users as last read (shared, updated by the store threads); the key's user is looked up per call. */
    private final Map<String, UserState> users;
    /** The directory's install number, written once before the entry is published (see KeyDirectory#installs). */
    long installed;
    /** Written by the cache's writer; read by any thread. */
    private volatile @Nullable KeyCache cache;
    private volatile int slot = -1;
    /** The spend when the entry left the table, for callers still holding it. */
    private volatile long detachedSpendNanos;

    CachedKey(String token, byte[] hash, String displayName, @Nullable String keyAlias, @Nullable String userId,
            @Nullable String teamId, List<String> tags, boolean admin, List<String> models, @Nullable Double maxBudget,
            @Nullable Instant budgetResetAt, long expiresMillis, boolean blocked, @Nullable LimitSet limits,
            ModelLimits modelLimits, Map<String, TeamState> teams, Map<String, UserState> users) {
        this.token = requireNonNull(token, "token");
        this.hash = hash.clone();
        this.displayName = displayName;
        this.keyAlias = keyAlias;
        this.userId = userId;
        this.teamId = teamId;
        this.tags = List.copyOf(tags);
        this.admin = admin;
        this.models = Set.copyOf(models);
        this.modelPrefixes = models.stream()
                .filter(m -> m.endsWith("*"))
                .map(m -> m.substring(0, m.length() - 1))
                .toList();
        // all-team-models leaves the choice to the team's list, checked after the key's; a key without a team gets
        // nothing from it.
        this.allModels = models.isEmpty() || models.contains(ALL_PROXY_MODELS) || models.contains("*")
                || models.contains(ALL_TEAM_MODELS) && teamId != null;
        this.maxBudget = maxBudget;
        this.budgetResetAt = budgetResetAt;
        this.expiresMillis = expiresMillis;
        this.blocked = blocked;
        this.limits = limits;
        this.modelLimits = modelLimits;
        this.teams = teams;
        this.users = users;
        this.accepted = AuthResult.accepted(Principal.of(this));
    }

    /** The limit spec of a key's {@code rpm_limit}, {@code tpm_limit} and {@code max_parallel_requests}, or null. */
    static @Nullable LimitSpec limitSpec(@Nullable Long rpm, @Nullable Long tpm, @Nullable Integer parallel) {
        if (rpm == null && tpm == null && parallel == null) {
            return null;
        }
        return new LimitSpec(rpm == null ? LimitSpec.NONE : rpm, tpm == null ? LimitSpec.NONE : tpm, LimitSpec.NONE,
                parallel == null ? LimitSpec.NONE : parallel, LimitSpec.DEFAULT_DAY_ZONE);
    }

    @Nullable LimitSet limits() {
        return limits;
    }

    ModelLimits modelLimits() {
        return modelLimits;
    }

    void attach(KeyCache owner, int newSlot) {
        cache = owner;
        slot = newSlot;
    }

    void detach() {
        KeyCache owner = cache;
        int at = slot;
        if (owner != null && at >= 0) {
            detachedSpendNanos = owner.spendNanos(at);
        }
        slot = -1;
    }

    @Override
    public String tokenHash() {
        return token;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    @Override
    public @Nullable String keyAlias() {
        return keyAlias;
    }

    @Override
    public @Nullable String userId() {
        return userId;
    }

    @Override
    public @Nullable String teamId() {
        return teamId;
    }

    @Override
    public List<String> tags() {
        return tags;
    }

    @Override
    public boolean isAdmin() {
        return admin;
    }

    @Override
    public boolean allowsModel(String model) {
        TeamState team = team();
        return ownListAllows(model) && (team == null || team.allowsModel(model));
    }

    @Override
    public @Nullable KeyRefusal checkModel(String model) {
        if (!ownListAllows(model)) {
            return new KeyRefusal(KeyRefusal.Reason.MODEL_NOT_ALLOWED, "key not allowed to access model. This key can "
                    + "only access models=" + models + ". Tried to access " + model, 0);
        }
        TeamState team = team();
        if (team == null) {
            return null;
        }
        if (team.blocked) {
            return new KeyRefusal(KeyRefusal.Reason.TEAM_BLOCKED, "Team=" + team.teamId
                    + " is blocked. Update via `/team/unblock` if you're an admin.", 0);
        }
        if (!team.allowsModel(model)) {
            return new KeyRefusal(KeyRefusal.Reason.TEAM_MODEL_NOT_ALLOWED, "Team not allowed to access model. Team="
                    + team.teamId + ", Model=" + model + ". Allowed team models = " + team.models(), 0);
        }
        return null;
    }

    /** A blocked team refuses its keys on every route, whether or not the route names a model. */
    private @Nullable KeyRefusal checkTeamBlocked() {
        TeamState team = team();
        if (team == null || !team.blocked) {
            return null;
        }
        return new KeyRefusal(KeyRefusal.Reason.TEAM_BLOCKED, "Team=" + team.teamId
                + " is blocked. Update via `/team/unblock` if you're an admin.", 0);
    }

    private @Nullable TeamState team() {
        String id = teamId;
        return id == null ? null : teams.get(id);
    }

    private @Nullable UserState user() {
        String id = userId;
        return id == null ? null : users.get(id);
    }

    private boolean ownListAllows(String model) {
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

    @Override
    public void modelQuotas(long nowMillis, ModelQuotas quotas) {
        modelLimits.quotas(nowMillis, quotas);
    }

    @Override
    public double spend() {
        return spendNanos() / KeyCache.NANOS_PER_USD;
    }

    @Override
    public BudgetState budget() {
        return new BudgetState(spend(), maxBudget, budgetResetAt);
    }

    @Override
    public @Nullable BudgetState teamBudget() {
        TeamState team = team();
        return team == null ? null : new BudgetState(team.spend(), team.maxBudget, team.budgetResetAt);
    }

    @Override
    public @Nullable BudgetState userBudget() {
        UserState user = user();
        return user == null ? null : new BudgetState(user.spend(), user.maxBudget, user.budgetResetAt);
    }

    long spendNanos() {
        KeyCache owner = cache;
        int at = slot;
        if (owner != null && at >= 0 && owner.entry(at) == this) {
            return owner.spendNanos(at);
        }
        return detachedSpendNanos;
    }

    @Override
    public @Nullable KeyRefusal admit(@Nullable String model, long nowMillis) {
        KeyRefusal modelRefusal = model != null ? checkModel(model) : checkTeamBlocked();
        if (modelRefusal != null) {
            return modelRefusal;
        }
        Double budget = maxBudget;
        if (budget != null) {
            double spent = spend();
            // LiteLLM's key check: spend >= max_budget refuses.
            if (spent >= budget) {
                return budgetExceeded("Budget has been exceeded! Key=" + (keyAlias != null ? keyAlias : "None") + " ("
                        + displayName + ") Current cost: " + format(spent) + ", Max budget: " + format(budget));
            }
        }
        TeamState team = team();
        UserState user = user();
        KeyRefusal owners = checkOwnerBudgets(team, user);
        if (owners != null) {
            return owners;
        }
        return takeLimits(model, nowMillis, team, user);
    }

    /** The budgets of the key's team, the user's membership of it, and (for a key without a team) the user. */
    private @Nullable KeyRefusal checkOwnerBudgets(@Nullable TeamState team, @Nullable UserState user) {
        if (team != null) {
            Double teamBudget = team.maxBudget;
            // LiteLLM's team check is strict: spend > max_budget refuses.
            if (teamBudget != null && team.spend() > teamBudget) {
                return budgetExceeded("Budget has been exceeded! Team=" + team.teamId + " Current cost: "
                        + format(team.spend()) + ", Max budget: " + format(teamBudget));
            }
            TeamState.MemberBudget member = userId == null ? null : team.member(userId);
            if (member != null && member.spend() >= member.maxBudget) {
                return budgetExceeded("Budget has been exceeded! User=" + member.userId + " in Team=" + team.teamId
                        + " Current cost: " + format(member.spend()) + ", Max budget: " + format(member.maxBudget));
            }
            return null;
        }
        // LiteLLM checks the user's own budget only for personal keys (keys without a team).
        Double userBudget = user == null ? null : user.maxBudget;
        if (user != null && userBudget != null && user.spend() >= userBudget) {
            return budgetExceeded("ExceededBudget: User=" + user.userId + " over budget. Spend=" + format(user.spend())
                    + ", Budget=" + format(userBudget));
        }
        return null;
    }

    /*
     * The limits of a call, in this order: the key's, the key's for the model, the team's, the team's for the model,
     * the user's. A call is admitted only if all admit it. Each set admits all-or-nothing, but taking from five sets
     * is five steps, and a set has no way to give back a request once counted in its minute: so every set is first
     * asked whether it would admit (taking nothing), and only then taken from in order. Two calls racing for the last
     * slot of a later set may both pass the first look; the loser gives back the parallel slots of the sets it took
     * from, and its request stays counted in their current minute (at most one request per lost race, never an
     * admission beyond a limit).
     */
    private @Nullable KeyRefusal takeLimits(@Nullable String model, long nowMillis, @Nullable TeamState team,
            @Nullable UserState user) {
        for (int scope = 0; scope < SCOPES; scope++) {
            LimitSet set = limitSet(scope, model, team, user);
            if (set != null) {
                long wait = set.retryAfterMillis(nowMillis);
                if (wait > 0) {
                    return rateLimited(scope, set, wait, model, team, user);
                }
            }
        }
        for (int scope = 0; scope < SCOPES; scope++) {
            LimitSet set = limitSet(scope, model, team, user);
            long wait = set == null ? LimitSet.ADMITTED : set.tryAcquire(nowMillis);
            if (set != null && wait != LimitSet.ADMITTED) {
                for (int taken = 0; taken < scope; taken++) {
                    giveBack(limitSet(taken, model, team, user), nowMillis, 0);
                }
                return rateLimited(scope, set, wait, model, team, user);
            }
        }
        return null;
    }

    private @Nullable LimitSet limitSet(int scope, @Nullable String model, @Nullable TeamState team,
            @Nullable UserState user) {
        return switch (scope) {
            case SCOPE_KEY -> limits;
            case SCOPE_KEY_MODEL -> model == null ? null : modelLimits.get(model);
            case SCOPE_TEAM -> team == null ? null : team.limits;
            case SCOPE_TEAM_MODEL -> team == null || model == null ? null : team.modelLimits.get(model);
            default -> user == null ? null : user.limits;
        };
    }

    private KeyRefusal rateLimited(int scope, LimitSet set, long waitMillis, @Nullable String model,
            @Nullable TeamState team, @Nullable UserState user) {
        LimitSpec spec = set.spec();
        String who = switch (scope) {
            case SCOPE_KEY -> "key " + displayName + ". Limits: rpm_limit=" + orNone(spec.requestsPerMinute())
                    + ", tpm_limit=" + orNone(spec.tokensPerMinute()) + ", max_parallel_requests="
                    + orNone(spec.maxParallelRequests());
            case SCOPE_KEY_MODEL -> "key " + displayName + ", model=" + model + ". Limits: model_rpm_limit="
                    + orNone(spec.requestsPerMinute()) + ", model_tpm_limit=" + orNone(spec.tokensPerMinute());
            case SCOPE_TEAM -> "team " + (team == null ? "None" : team.teamId) + ". Limits: rpm_limit="
                    + orNone(spec.requestsPerMinute()) + ", tpm_limit=" + orNone(spec.tokensPerMinute())
                    + ", max_parallel_requests=" + orNone(spec.maxParallelRequests());
            case SCOPE_TEAM_MODEL -> "team " + (team == null ? "None" : team.teamId) + ", model=" + model
                    + ". Limits: model_rpm_limit=" + orNone(spec.requestsPerMinute()) + ", model_tpm_limit="
                    + orNone(spec.tokensPerMinute());
            default -> "user " + (user == null ? "None" : user.userId) + ". Limits: rpm_limit="
                    + orNone(spec.requestsPerMinute()) + ", tpm_limit=" + orNone(spec.tokensPerMinute())
                    + ", max_parallel_requests=" + orNone(spec.maxParallelRequests());
        };
        return new KeyRefusal(KeyRefusal.Reason.RATE_LIMITED, "Rate limit exceeded for " + who + ". Try again in "
                + Math.max(1, (waitMillis + 999) / 1000) + " seconds.", waitMillis);
    }

    @Override
    public void release(@Nullable String model, long nowMillis, long tokens, double costUsd) {
        long charged = Math.max(0, tokens);
        TeamState team = team();
        UserState user = user();
        for (int scope = 0; scope < SCOPES; scope++) {
            giveBack(limitSet(scope, model, team, user), nowMillis, charged);
        }
        long nanos = Math.round(costUsd * KeyCache.NANOS_PER_USD);
        if (nanos <= 0) {
            return;
        }
        KeyCache owner = cache;
        if (owner != null) {
            owner.addSpend(hash, nanos);
        }
        if (team != null) {
            team.addSpend(nanos);
            TeamState.MemberBudget member = userId == null ? null : team.member(userId);
            if (member != null) {
                member.addSpend(nanos);
            }
        }
        if (user != null) {
            user.addSpend(nanos);
        }
    }

    private static void giveBack(@Nullable LimitSet set, long nowMillis, long tokens) {
        if (set == null) {
            return;
        }
        try {
            set.release(nowMillis, tokens);
        } catch (IllegalStateException e) {
            // The team's or user's limits changed while the call ran: the new set never admitted it and has no
            // parallel slot of it to free. Its tokens are lost to the new minute window, which is harmless.
        }
    }

    private static KeyRefusal budgetExceeded(String message) {
        return new KeyRefusal(KeyRefusal.Reason.BUDGET_EXCEEDED, message, 0);
    }

    private static String orNone(long limit) {
        return limit == LimitSpec.NONE ? "None" : Long.toString(limit);
    }

    private static String format(double usd) {
        return String.format(Locale.ROOT, "%.6f", usd);
    }

    @Override
    public String toString() {
        return "CachedKey[" + displayName + ", alias=" + keyAlias + "]";
    }
}
