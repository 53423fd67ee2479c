package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.proxy.auth.AuthResult;
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
    /** The teams as last read (shared, updated by the store threads); the key's team is looked up per call. */
    private final Map<String, TeamState> teams;
    /** Written by the cache's writer; read by any thread. */
    private volatile @Nullable KeyCache cache;
    private volatile int slot = -1;
    /** The spend when the entry left the table, for callers still holding it. */
    private volatile long detachedSpendNanos;

    CachedKey(String token, byte[] hash, String displayName, @Nullable String keyAlias, @Nullable String userId,
            @Nullable String teamId, List<String> tags, boolean admin, List<String> models, @Nullable Double maxBudget,
            @Nullable Instant budgetResetAt, long expiresMillis, boolean blocked, @Nullable LimitSet limits,
            Map<String, TeamState> teams) {
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
        this.allModels = models.isEmpty() || models.contains(ALL_PROXY_MODELS) || models.contains("*");
        this.maxBudget = maxBudget;
        this.budgetResetAt = budgetResetAt;
        this.expiresMillis = expiresMillis;
        this.blocked = blocked;
        this.limits = limits;
        this.teams = teams;
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

    private @Nullable TeamState team() {
        String id = teamId;
        return id == null ? null : teams.get(id);
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
    public double spend() {
        return spendNanos() / KeyCache.NANOS_PER_USD;
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
    public @Nullable KeyRefusal admit(String model, long nowMillis) {
        KeyRefusal modelRefusal = checkModel(model);
        if (modelRefusal != null) {
            return modelRefusal;
        }
        Double budget = maxBudget;
        if (budget != null) {
            double spent = spend();
            // LiteLLM's key check: spend >= max_budget refuses.
            if (spent >= budget) {
                return new KeyRefusal(KeyRefusal.Reason.BUDGET_EXCEEDED, "Budget has been exceeded! Key="
                        + (keyAlias != null ? keyAlias : "None") + " (" + displayName + ") Current cost: "
                        + format(spent) + ", Max budget: " + format(budget), 0);
            }
        }
        TeamState team = team();
        Double teamBudget = team == null ? null : team.maxBudget;
        // LiteLLM's team check is strict: spend > max_budget refuses.
        if (team != null && teamBudget != null && team.spend() > teamBudget) {
            return new KeyRefusal(KeyRefusal.Reason.BUDGET_EXCEEDED, "Budget has been exceeded! Team=" + team.teamId
                    + " Current cost: " + format(team.spend()) + ", Max budget: " + format(teamBudget), 0);
        }
        LimitSet set = limits;
        if (set != null) {
            long waitMillis = set.tryAcquire(nowMillis);
            if (waitMillis != LimitSet.ADMITTED) {
                LimitSpec spec = set.spec();
                return new KeyRefusal(KeyRefusal.Reason.RATE_LIMITED, "Rate limit exceeded for key " + displayName
                        + ". Limits: rpm_limit=" + orNone(spec.requestsPerMinute()) + ", tpm_limit="
                        + orNone(spec.tokensPerMinute()) + ", max_parallel_requests="
                        + orNone(spec.maxParallelRequests()) + ". Try again in "
                        + Math.max(1, (waitMillis + 999) / 1000) + " seconds.", waitMillis);
            }
        }
        return null;
    }

    @Override
    public void release(long nowMillis, long tokens, double costUsd) {
        LimitSet set = limits;
        if (set != null) {
            set.release(nowMillis, Math.max(0, tokens));
        }
        KeyCache owner = cache;
        long nanos = Math.round(costUsd * KeyCache.NANOS_PER_USD);
        if (owner != null && nanos > 0) {
            owner.addSpend(hash, nanos);
        }
        TeamState team = team();
        if (team != null && nanos > 0) {
            team.addSpend(nanos);
        }
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
