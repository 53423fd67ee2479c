package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LocalLimitSet;
import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.KeyStore;
import dev.llmproxy.store.KeyWithOwners;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The virtual keys as the request path sees them: the {@link KeyCache} answers hits on the event loop; a miss that is
 * not in the {@link NegativeCache} is looked up in the store on the store executor, within a rate limit (at most
 * {@link KeyCacheSettings#missesPerMinute()} lookups a minute and {@link KeyCacheSettings#maxMissesInFlight()} at
 * once), and concurrent misses of one key share one lookup. A miss beyond the rate limit is refused as unknown without
 * asking the store: that is what keeps a flood of random keys away from the database. The price is that a key made on
 * another instance in the last second, presented during such a flood, may be refused until the refresh brings it.
 *
 * <p>Thread-safety: thread-safe; {@link #authenticate} is lock-free and allocates nothing on a hit.
 */
final class KeyDirectory {
    private static final FastThreadLocal<KeyCache.SlotView> VIEWS = new FastThreadLocal<>() {
        @Override
        protected KeyCache.SlotView initialValue() {
            return new KeyCache.SlotView();
        }
    };

    private final KeyCache cache;
    private final NegativeCache negative;
    private final KeyStore store;
    private final Executor storeExecutor;
    private final Clock clock;
    private final LimitSet missLimit;
    private final ConcurrentHashMap<String, CompletableFuture<AuthResult>> lookups = new ConcurrentHashMap<>();
    /** The teams keys belong to, by id: written by store threads, read by every call of a team's key. */
    private final ConcurrentHashMap<String, TeamState> teams = new ConcurrentHashMap<>();
    /** The users keys belong to, by id: written by store threads, read by every call of a user's key. */
    private final ConcurrentHashMap<String, UserState> users = new ConcurrentHashMap<>();
    private final AccessGroups accessGroups;
    /**
     * Numbers every install of a key, team or user. A refresh takes the number before it reads the store and does
     * not replace an entry installed after that: without it, a refresh that read a key just before a management
     * route changed it could put the old row back after the route installed the new one (for up to a second).
     */
    private final AtomicLong installs = new AtomicLong();
    /** User ids whose role is proxy_admin; replaced whole by the refresh, read by the loader. */
    private volatile Set<String> adminUsers = Set.of();

    KeyDirectory(KeyCacheSettings settings, KeyStore store, Executor storeExecutor, Clock clock) {
        this(settings, store, storeExecutor, clock, AccessGroups.NONE);
    }

    KeyDirectory(KeyCacheSettings settings, KeyStore store, Executor storeExecutor, Clock clock,
            AccessGroups accessGroups) {
        this.accessGroups = requireNonNull(accessGroups, "accessGroups");
        this.cache = new KeyCache(settings.capacity());
        this.negative = new NegativeCache(settings.negativeCapacity(), settings.negativeTtlMillis());
        this.store = requireNonNull(store, "store");
        this.storeExecutor = requireNonNull(storeExecutor, "storeExecutor");
        this.clock = requireNonNull(clock, "clock");
        this.missLimit = new LocalLimitSet(new LimitSpec(settings.missesPerMinute(), LimitSpec.NONE, LimitSpec.NONE,
                settings.maxMissesInFlight(), LimitSpec.DEFAULT_DAY_ZONE));
    }

    KeyCache cache() {
        return cache;
    }

    /** Authenticates the key whose SHA-256 is {@code hash} (a per-thread buffer, not kept). */
    AuthResult authenticate(byte[] hash) {
        long now = clock.millis();
        int slot = cache.find(hash);
        if (slot >= 0) {
            CachedKey entry = cache.entry(slot);
            KeyCache.SlotView view = VIEWS.get();
            if (entry != null && cache.read(slot, entry, view) != null) {
                return check(entry, view.blocked, view.expiresMillis, now);
            }
        }
        if (negative.contains(hash, now) || missLimit.retryAfterMillis(now) > 0) {
            // Beyond the miss rate the answer comes from memory, without allocating: a flood stays cheap.
            return AuthResult.UNKNOWN;
        }
        return lookUp(hash.clone(), now);
    }

    private AuthResult lookUp(byte[] hash, long now) {
        String token = KeyHashes.hex(hash);
        CompletableFuture<AuthResult> running = lookups.get(token);
        if (running != null) {
            return AuthResult.pending(running);
        }
        if (missLimit.tryAcquire(now) != LimitSet.ADMITTED) {
            return AuthResult.UNKNOWN;
        }
        CompletableFuture<AuthResult> lookup = new CompletableFuture<>();
        running = lookups.putIfAbsent(token, lookup);
        if (running != null) {
            missLimit.release(now, 0);
            return AuthResult.pending(running);
        }
        try {
            storeExecutor.execute(() -> load(token, hash, lookup));
        } catch (RejectedExecutionException e) {
            lookups.remove(token, lookup);
            missLimit.release(now, 0);
            lookup.completeExceptionally(e);
        }
        return AuthResult.pending(lookup);
    }

    private void load(String token, byte[] hash, CompletableFuture<AuthResult> lookup) {
        try {
            long readAfter = installs.get();
            Optional<KeyWithOwners> found = store.findWithOwners(token);
            long now = clock.millis();
            if (found.isEmpty()) {
                negative.add(hash, now);
                lookup.complete(AuthResult.UNKNOWN);
                return;
            }
            Team team = found.get().team();
            if (team != null) {
                installTeam(team, null, readAfter);
            }
            User user = found.get().user();
            if (user != null) {
                installUser(user, readAfter);
            }
            boolean admin = user != null && UserRoles.PROXY_ADMIN.equals(user.userRole());
            CachedKey entry = install(found.get().key(), admin, readAfter);
            lookup.complete(check(entry, entry.blocked, entry.expiresMillis, now));
        } catch (RuntimeException e) {
            lookup.completeExceptionally(e);
        } finally {
            lookups.remove(token, lookup);
            missLimit.release(clock.millis(), 0);
        }
    }

    private static AuthResult check(CachedKey entry, boolean blocked, long expiresMillis, long now) {
        if (blocked) {
            return AuthResult.BLOCKED;
        }
        if (expiresMillis < now) {
            return AuthResult.EXPIRED;
        }
        return entry.accepted;
    }

    /** The install number a refresh takes before it reads the store (see {@link #installs}). */
    long installSequence() {
        return installs.get();
    }

    /** Puts {@code key} in the cache (a new key, a change); a store thread calls it. */
    CachedKey install(VirtualKey key) {
        return install(key, Long.MAX_VALUE);
    }

    /**
     * Puts {@code key}, read from the store after install number {@code readAfter}, in the cache unless the cached
     * entry was installed later (then the cached one is newer and stays).
     */
    CachedKey install(VirtualKey key, long readAfter) {
        String userId = key.userId();
        return install(key, userId != null && adminUsers.contains(userId), readAfter);
    }

    private CachedKey install(VirtualKey key, boolean admin, long readAfter) {
        byte[] hash = KeyHashes.fromHex(key.token());
        int slot = cache.find(hash);
        CachedKey previous = slot >= 0 ? cache.entry(slot) : null;
        if (previous != null && previous.installed > readAfter) {
            return previous;
        }
        LimitSpec spec = CachedKey.limitSpec(key.rpmLimit(), key.tpmLimit(), key.maxParallelRequests());
        LimitSet limits = null;
        if (spec != null) {
            LimitSet old = previous == null ? null : previous.limits();
            limits = old != null && old.spec().equals(spec) ? old : new LocalLimitSet(spec);
        }
        ModelLimits modelLimits = ModelLimits.of(key.modelRpmLimit(), key.modelTpmLimit(),
                previous == null ? null : previous.modelLimits());
        Instant expires = key.expires();
        String keyName = key.keyName();
        CachedKey entry = new CachedKey(key.token(), hash, keyName != null ? keyName : "sk-...", key.keyAlias(),
                key.userId(), key.teamId(), key.tags(), admin, accessGroups.expand(key.models()), key.maxBudget(),
                key.budgetResetAt(), expires == null ? KeyCache.NEVER : expires.toEpochMilli(), key.blocked(), limits,
                modelLimits, teams, users);
        // Written before the entry is published by cache.put.
        entry.installed = installs.incrementAndGet();
        Double maxBudget = key.maxBudget();
        boolean samePeriod = previous != null && Objects.equals(previous.budgetResetAt, key.budgetResetAt());
        cache.put(hash, entry, entry.expiresMillis,
                maxBudget == null ? KeyCache.NO_BUDGET : Math.round(maxBudget * KeyCache.NANOS_PER_USD),
                Math.round(key.spend() * KeyCache.NANOS_PER_USD), key.blocked(), samePeriod);
        negative.remove(hash);
        return entry;
    }

    /**
     * Puts {@code team} in the cache (a change, a refresh); a store thread calls it.
     *
     * @param members the team's memberships as just read, or null to keep the member budgets last read
     * @param readAfter the install number taken before the team was read; {@link Long#MAX_VALUE} for a change just
     *     written
     */
    void installTeam(Team team, @Nullable List<TeamMembership> members, long readAfter) {
        teams.compute(team.teamId(), (id, previous) -> previous != null && previous.installed > readAfter
                ? previous
                : TeamState.of(team, members != null ? members : previous == null ? List.of() : previous.memberRows(),
                        previous, accessGroups, installs.incrementAndGet()));
    }

    /** Puts {@code user} in the cache (a change, a refresh); a store thread calls it. See {@link #installTeam}. */
    void installUser(User user, long readAfter) {
        users.compute(user.userId(), (id, previous) -> previous != null && previous.installed > readAfter
                ? previous
                : UserState.of(user, previous, installs.incrementAndGet()));
    }

    /** Forgets a deleted user. */
    void removeUser(String userId) {
        users.remove(userId);
    }

    /** Forgets a user found deleted by a read after install number {@code readAfter}, unless installed since. */
    void removeUser(String userId, long readAfter) {
        users.computeIfPresent(userId, (id, state) -> state.installed > readAfter ? state : null);
    }

    /** The ids of the cached users. */
    Set<String> userIds() {
        return Set.copyOf(users.keySet());
    }

    /** The cached state of a user, or null. */
    @Nullable UserState cachedUser(String userId) {
        return users.get(userId);
    }

    /** The cached state of a team, or null. */
    @Nullable TeamState cachedTeam(String teamId) {
        return teams.get(teamId);
    }

    /** Forgets a deleted team. */
    void removeTeam(String teamId) {
        teams.remove(teamId);
    }

    /** Forgets a team found deleted by a read after install number {@code readAfter}, unless installed since. */
    void removeTeam(String teamId, long readAfter) {
        teams.computeIfPresent(teamId, (id, state) -> state.installed > readAfter ? state : null);
    }

    /** The ids of the cached teams. */
    Set<String> teamIds() {
        return Set.copyOf(teams.keySet());
    }

    /** Drops the key with this hash (deleted, or its hash replaced by {@code /key/regenerate}). */
    void evict(String token) {
        evict(token, Long.MAX_VALUE);
    }

    /**
     * Drops the key with this hash, found deleted by a read after install number {@code readAfter}, unless its entry
     * was installed since (the key was made again through this instance).
     */
    void evict(String token, long readAfter) {
        if (!KeyHash.isHash(token)) {
            return;
        }
        CachedKey entry = cached(token);
        // Racy but benign: an install between the check and the removal is dropped, and its key is read again on
        // its next use (the miss path).
        if (entry != null && entry.installed <= readAfter) {
            cache.remove(KeyHashes.fromHex(token));
        }
    }

    /** The cached entry of {@code token}, or null. */
    @Nullable CachedKey cached(String token) {
        int slot = cache.find(KeyHashes.fromHex(token));
        return slot < 0 ? null : cache.entry(slot);
    }

    synchronized void adminUsers(Set<String> userIds) {
        adminUsers = Set.copyOf(userIds);
    }

    /**
     * Records whether one user is a proxy admin; returns whether that changed. Serialized with the other writers of
     * the admin set by this object's lock (the refresh replaces the set whole, and may undo a change it did not see
     * for up to one reconciliation interval).
     */
    synchronized boolean setAdminUser(String userId, boolean admin) {
        Set<String> current = adminUsers;
        if (current.contains(userId) == admin) {
            return false;
        }
        Set<String> next = new HashSet<>(current);
        if (admin) {
            next.add(userId);
        } else {
            next.remove(userId);
        }
        adminUsers = Set.copyOf(next);
        return true;
    }
}
