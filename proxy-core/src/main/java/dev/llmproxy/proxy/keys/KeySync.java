package dev.llmproxy.proxy.keys;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.BudgetResetCounts;
import dev.llmproxy.store.EndUser;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the key cache in step with the store, for changes made by other instances sharing the database (changes made
 * through this instance's API are applied at once by {@link KeyService}):
 * <ul>
 *   <li>at once, when the store's change notifications ({@link #reload}) name a key, user, team or end user that
 *       another instance wrote or deleted: the row is read again, and dropped if it is gone;
 *   <li>every {@code refreshIntervalMillis}: the keys, users, teams and end users deleted ({@link Store#deletedSince})
 *       and then those whose {@code updated_at} moved (created, changed, blocked, budget reset; a team also when its
 *       members change or a member's budget resets) since the last refresh, minus an overlap of {@link #OVERLAP} for
 *       clocks that differ between instances and transactions that commit late. Deletions come first so that a row
 *       deleted and made again within the window ends up present. This is what bounds how late another instance's
 *       change or deletion is seen when a notification is lost;
 *   <li>every {@code reconcileIntervalMillis}: every team and every key, so that the spend other instances committed reaches the
 *       cache (a spend increment does not move {@code updated_at}), and the list of proxy admins; rows it no longer
 *       finds leave the cache (the safety net under the deletions the refresh reads);
 *   <li>every {@link #BUDGET_RESET_INTERVAL}: the budget reset of the store (keys, users and teams whose
 *       {@code budget_reset_at} passed). Each row is reset by one instance only (the store's UPDATE is conditional
 *       on the reset being due); the instance that reset anything re-reads users, teams (with their members) and
 *       changed keys at once, so its cache forgets the old spend before the job returns. Other instances see reset
 *       keys, users, teams and members at their next refresh ({@code updated_at} moved), and reset end users at their
 *       next reconciliation.
 * </ul>
 * The first load fills the cache with every key that fits, so that most keys never take the miss path. Restricted end
 * users ({@link EndUserDirectory}) follow the same rounds: the changed ones at each refresh, all of them at each
 * reconciliation and after a budget reset that reset any.
 *
 * <p>Thread-safety: runs on its own scheduler thread; a failed round is logged and retried at the next tick.
 */
final class KeySync {
    private static final Logger log = LoggerFactory.getLogger(KeySync.class);
    static final Duration OVERLAP = Duration.ofSeconds(5);
    static final Duration BUDGET_RESET_INTERVAL = Duration.ofMinutes(10);
    private static final int PAGE = 1_000;

    private final Store store;
    private final KeyDirectory directory;
    private final EndUserDirectory endUsers;
    private final Clock clock;
    /** Guarded by this: the scheduler thread and a caller of {@link #resetBudgets} may refresh at once. */
    private Instant refreshedUpTo = Instant.EPOCH;

    KeySync(Store store, KeyDirectory directory, EndUserDirectory endUsers, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.directory = requireNonNull(directory, "directory");
        this.endUsers = requireNonNull(endUsers, "endUsers");
        this.clock = requireNonNull(clock, "clock");
    }

    void start(ScheduledExecutorService scheduler, KeyCacheSettings settings) {
        scheduler.execute(this::firstLoad);
        scheduler.scheduleWithFixedDelay(this::refreshQuietly, settings.refreshIntervalMillis(),
                settings.refreshIntervalMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, settings.reconcileIntervalMillis(),
                settings.reconcileIntervalMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::resetBudgetsQuietly, BUDGET_RESET_INTERVAL.toMillis(),
                BUDGET_RESET_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Loads the admins and then keys until the cache is nearly full (the rest come through the miss path). */
    synchronized void firstLoad() {
        try {
            loadUsers();
            loadTeams();
            loadEndUsers();
            int room = directory.cache().capacity() * 3 / 4;
            Instant start = clock.instant();
            int loaded = refresh(Instant.EPOCH, room);
            refreshedUpTo = start;
            log.info("Key cache: {} key(s) loaded ({} slots, {} KB off-heap)", loaded, directory.cache().capacity(),
                    directory.cache().offHeapBytes() / 1024);
        } catch (RuntimeException e) {
            log.warn("Key cache: first load failed ({}); keys are read from the store as they are used",
                    e.toString());
        }
    }

    /** Reads and installs the keys changed since the last refresh. */
    synchronized void refresh() {
        Instant now = clock.instant();
        Instant since = refreshedUpTo.minus(OVERLAP);
        applyDeletions(since);
        refreshUsersAndTeams(since);
        refresh(since, Integer.MAX_VALUE);
        long readAfter = endUsers.installSequence();
        store.endUsers().changedSince(since).forEach(e -> endUsers.install(e, readAfter));
        refreshedUpTo = now;
    }

    /**
     * Reloads the admins and every key (which brings the spend other instances committed, since spend is not a change
     * of {@code updated_at}), and drops cached keys that are no longer in the store.
     */
    void reconcile() {
        loadUsers();
        loadTeams();
        loadEndUsers();
        Set<String> existing = new HashSet<>();
        refresh(Instant.EPOCH, Integer.MAX_VALUE, existing);
        directory.cache().forEach(entry -> {
            if (!existing.contains(entry.token)) {
                directory.evict(entry.token);
            }
        });
    }

    private int refresh(Instant since, int limit) {
        return refresh(since, limit, null);
    }

    private int refresh(Instant since, int limit, @Nullable Set<String> seen) {
        Instant after = since;
        String afterToken = "";
        int installed = 0;
        while (installed < limit) {
            long readAfter = directory.installSequence();
            List<VirtualKey> page = store.keys().changedSince(after, afterToken, PAGE);
            for (VirtualKey key : page) {
                if (seen == null || directory.cached(key.token()) != null) {
                    directory.install(key, readAfter);
                }
                if (seen != null) {
                    seen.add(key.token());
                }
                installed++;
            }
            if (page.size() < PAGE) {
                break;
            }
            VirtualKey last = page.get(page.size() - 1);
            after = last.updatedAt();
            afterToken = last.token();
        }
        return installed;
    }

    /** Drops what was deleted since {@code since}, unless this instance installed it again after the read. */
    private void applyDeletions(Instant since) {
        long readAfter = directory.installSequence();
        long endUsersReadAfter = endUsers.installSequence();
        for (StoreChange deleted : store.deletedSince(since)) {
            String id = deleted.id();
            switch (deleted.kind()) {
                case KEY -> directory.evict(id, readAfter);
                case USER -> directory.removeUser(id, readAfter);
                case TEAM -> directory.removeTeam(id, readAfter);
                case END_USER -> endUsers.install(EndUser.of(id), endUsersReadAfter);
            }
        }
    }

    /**
     * Reads again one row that a change notification named (written or deleted by any instance, this one included)
     * and installs it, or drops it when it is gone. Called on a store thread, without the refresh's lock: install
     * numbers keep a slower read from undoing a newer install.
     */
    void reload(StoreChange change) {
        String id = change.id();
        long readAfter = directory.installSequence();
        switch (change.kind()) {
            case KEY -> store.keys().find(id).ifPresentOrElse(k -> directory.install(k, readAfter),
                    () -> directory.evict(id, readAfter));
            case USER -> store.users().find(id).ifPresentOrElse(u -> installUser(u, readAfter),
                    () -> directory.removeUser(id, readAfter));
            case TEAM -> store.teams().find(id).ifPresentOrElse(
                    t -> directory.installTeam(t, store.teams().members(id), readAfter),
                    () -> directory.removeTeam(id, readAfter));
            case END_USER -> {
                long endUsersReadAfter = endUsers.installSequence();
                endUsers.install(store.endUsers().find(id).orElse(EndUser.of(id)), endUsersReadAfter);
            }
        }
    }

    /** Installs the users and teams (with their members) changed since {@code since}. */
    private void refreshUsersAndTeams(Instant since) {
        long readAfter = directory.installSequence();
        for (User user : store.users().changedSince(since)) {
            installUser(user, readAfter);
        }
        for (Team team : store.teams().changedSince(since)) {
            directory.installTeam(team, store.teams().members(team.teamId()), readAfter);
        }
    }

    /**
     * Installs a user read after install number {@code readAfter}; one who became or stopped being a proxy admin has
     * its keys re-read.
     */
    private void installUser(User user, long readAfter) {
        directory.installUser(user, readAfter);
        if (directory.setAdminUser(user.userId(), UserRoles.PROXY_ADMIN.equals(user.userRole()))) {
            KeyQuery query = KeyQuery.all().withUserId(user.userId()).withPage(1, KeyQuery.MAX_SIZE);
            store.keys().list(query).items().forEach(k -> directory.install(k, readAfter));
        }
    }

    /** Reads every restricted end user (the spend other instances committed with it) and forgets the others. */
    private void loadEndUsers() {
        long readAfter = endUsers.installSequence();
        List<EndUser> restricted = store.endUsers().restricted();
        restricted.forEach(e -> endUsers.install(e, readAfter));
        endUsers.retainOnly(restricted, readAfter);
    }

    /** Reads every team (a few per organisation; kept whole in memory) and forgets deleted ones. */
    private void loadTeams() {
        Set<String> seen = new HashSet<>();
        for (int page = 1; ; page++) {
            long readAfter = directory.installSequence();
            Page<Team> teams = store.teams().list(new ListQuery(null, page, PAGE));
            for (Team team : teams.items()) {
                directory.installTeam(team, store.teams().members(team.teamId()), readAfter);
                seen.add(team.teamId());
            }
            if (page >= teams.totalPages()) {
                break;
            }
        }
        for (String id : directory.teamIds()) {
            if (!seen.contains(id)) {
                directory.removeTeam(id);
            }
        }
    }

    /** Reads every user (budgets, limits, and who is a proxy admin) and forgets deleted ones. */
    private void loadUsers() {
        Set<String> admins = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (int page = 1; ; page++) {
            long readAfter = directory.installSequence();
            Page<User> users = store.users().list(new ListQuery(null, page, PAGE));
            for (User user : users.items()) {
                directory.installUser(user, readAfter);
                seen.add(user.userId());
                if (UserRoles.PROXY_ADMIN.equals(user.userRole())) {
                    admins.add(user.userId());
                }
            }
            if (page >= users.totalPages()) {
                break;
            }
        }
        directory.adminUsers(admins);
        for (String id : directory.userIds()) {
            if (!seen.contains(id)) {
                directory.removeUser(id);
            }
        }
    }

    /** Resets the budgets that are due and, when any was, brings the reset into the cache at once. */
    synchronized BudgetResetCounts resetBudgets() {
        BudgetResetCounts counts = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);
        if (counts.users() > 0) {
            loadUsers();
        }
        if (counts.teams() > 0 || counts.members() > 0) {
            loadTeams();
        }
        if (counts.keys() > 0) {
            refresh();
        }
        if (counts.endUsers() > 0) {
            loadEndUsers();
        }
        return counts;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("Key cache: refresh failed ({}); retrying", e.toString());
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("Key cache: reconciliation failed ({}); retrying", e.toString());
        }
    }

    private void resetBudgetsQuietly() {
        try {
            resetBudgets();
        } catch (RuntimeException e) {
            log.warn("Budget reset failed ({}); retrying", e.toString());
        }
    }
}
