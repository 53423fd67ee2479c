package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.auth.EndUsers;
import dev.llmproxy.store.BudgetResetCounts;
import dev.llmproxy.store.EndUser;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Virtual keys on a {@link Store}: the authenticator over the key cache, the executor that runs every store call of
 * the request path (key lookups, management routes) off the event loops, and the refresh that keeps the cache in
 * step with other instances. Management routes tell it about their writes ({@link #changed}, {@link #deleted}) so that
 * a change is in force on this instance as soon as the route answers; other instances learn of it (a deletion too)
 * through the store's change notifications (PostgreSQL {@code LISTEN/NOTIFY}) at once, or through the refresh within a
 * second.
 *
 * <p>Thread-safety: thread-safe. {@link #close()} stops the threads; the caller closes the store afterwards.
 */
public final class KeyService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyService.class);
    /** Store calls waiting for a thread; beyond it a lookup or management request is answered 503 at once. */
    private static final int STORE_QUEUE = 1_024;

    private final Store store;
    private final KeyDirectory directory;
    private final EndUserDirectory endUsers = new EndUserDirectory();
    private final KeySync sync;
    private final ThreadPoolExecutor storeExecutor;
    private final ScheduledExecutorService scheduler;
    private final VirtualKeyAuthenticator authenticator;
    /** The store's change notifications (PostgreSQL), closed with the service. */
    private volatile @Nullable AutoCloseable changes;

    private KeyService(Store store, String masterKey, KeyCacheSettings settings, int storeThreads, Clock clock,
            AccessGroups accessGroups) {
        this.store = requireNonNull(store, "store");
        this.storeExecutor = new ThreadPoolExecutor(storeThreads, storeThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(STORE_QUEUE), new DefaultThreadFactory("llmproxy-store", true));
        this.directory = new KeyDirectory(settings, store.keys(), storeExecutor, clock, accessGroups);
        this.sync = new KeySync(store, directory, endUsers, clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("llmproxy-key-sync", true));
        this.authenticator = new VirtualKeyAuthenticator(masterKey, directory);
    }

    /**
     * Starts the service: the first load of the cache begins in the background (keys not loaded yet are read on
     * first use), then the periodic refresh.
     *
     * @param storeThreads threads for store calls, at most the pool size ({@code database_connection_pool_limit})
     */
    public static KeyService start(Store store, String masterKey, KeyCacheSettings settings, int storeThreads,
            Clock clock) {
        return start(store, masterKey, settings, storeThreads, clock, AccessGroups.NONE);
    }

    /**
     * Starts the service as {@link #start(Store, String, KeyCacheSettings, int, Clock)} does, with the model access
     * groups of the configuration ({@code model_info.access_groups}) that key and team model lists may name.
     */
    public static KeyService start(Store store, String masterKey, KeyCacheSettings settings, int storeThreads,
            Clock clock, AccessGroups accessGroups) {
        if (storeThreads < 1) {
            throw new IllegalArgumentException("storeThreads: " + storeThreads + " (expected: > 0)");
        }
        KeyService service = new KeyService(store, masterKey, settings, storeThreads, clock, accessGroups);
        service.sync.start(service.scheduler, settings);
        service.changes = store.watchChanges(service::reload);
        return service;
    }

    /** The master key and the store's virtual keys. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** The restricted end users (blocked, or with a budget cap) that the request path checks. */
    public EndUsers endUsers() {
        return endUsers;
    }

    /** Applies an end user written through this instance (blocked, budget) at once. Called on a store thread. */
    public void endUserChanged(EndUser endUser) {
        endUsers.install(endUser);
    }

    /** Lets the calls of end users deleted through this instance go unchecked at once. */
    public void endUsersDeleted(Collection<String> endUserIds) {
        endUsers.deleted(endUserIds);
    }

    /** The spend of a restricted end user as this instance counts it (includes calls not yet in the store), or null. */
    public @Nullable Double cachedEndUserSpend(String endUserId) {
        return endUsers.spend(endUserId);
    }

    /** The store. */
    public Store store() {
        return store;
    }

    /** Where store calls run (bounded: a full queue rejects). */
    public ExecutorService storeExecutor() {
        return storeExecutor;
    }

    /** Applies a key written through this instance to the cache at once. Called on a store thread. */
    public void changed(VirtualKey key) {
        directory.install(key);
    }

    /**
     * Applies a user written through this instance: a change of role reaches the user's cached keys at once (a
     * {@code proxy_admin}'s keys may call the management routes). Called on a store thread.
     */
    public void userChanged(User user) {
        directory.installUser(user, Long.MAX_VALUE);
        boolean admin = UserRoles.PROXY_ADMIN.equals(user.userRole());
        if (directory.setAdminUser(user.userId(), admin)) {
            KeyQuery query = KeyQuery.all().withUserId(user.userId()).withPage(1, KeyQuery.MAX_SIZE);
            store.keys().list(query).items().forEach(directory::install);
        }
    }

    /**
     * Applies a team written through this instance (blocked, models, budget, limits, member budgets) to its keys at
     * once. Called on a store thread: it re-reads the team's memberships.
     */
    public void teamChanged(Team team) {
        directory.installTeam(team, store.teams().members(team.teamId()), Long.MAX_VALUE);
    }

    /** Forgets teams deleted through this instance. */
    public void teamsDeleted(Collection<String> teamIds) {
        teamIds.forEach(directory::removeTeam);
    }

    /** Drops keys deleted (or rehashed) through this instance from the cache at once. */
    public void deleted(Collection<String> tokens) {
        tokens.forEach(directory::evict);
    }

    /** The spend of the key with this hash as the cache knows it (includes calls not yet in the store), or null. */
    public @Nullable Double cachedSpend(String token) {
        CachedKey entry = directory.cached(token);
        return entry == null ? null : entry.spend();
    }

    /** The spend of the user as the cache knows it (includes calls not yet in the store), or null. */
    public @Nullable Double cachedUserSpend(String userId) {
        UserState user = directory.cachedUser(userId);
        return user == null ? null : user.spend();
    }

    /** The spend of the team as the cache knows it (includes calls not yet in the store), or null. */
    public @Nullable Double cachedTeamSpend(String teamId) {
        TeamState team = directory.cachedTeam(teamId);
        return team == null ? null : team.spend();
    }

    /**
     * Runs the budget reset now (as the periodic job does) and brings what it reset into the cache before returning.
     * Called on a store thread.
     */
    public BudgetResetCounts resetBudgets() {
        return sync.resetBudgets();
    }

    /** Re-reads a key, user, team or end user that another instance (or this one) changed, on a store thread. */
    private void reload(StoreChange change) {
        try {
            storeExecutor.execute(() -> {
                try {
                    sync.reload(change);
                } catch (RuntimeException e) {
                    log.debug("Reloading a changed row failed; the next refresh reads it", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("Store executor full; the next refresh reads the changed row");
        }
    }

    @Override
    public void close() {
        AutoCloseable watching = changes;
        if (watching != null) {
            try {
                watching.close();
            } catch (Exception e) {
                log.debug("Stopping key change notifications failed", e);
            }
        }
        scheduler.shutdownNow();
        storeExecutor.shutdown();
        try {
            if (!storeExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
                storeExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            storeExecutor.shutdownNow();
        }
    }
}
