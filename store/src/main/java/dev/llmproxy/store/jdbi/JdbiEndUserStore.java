package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.Budget;
import dev.llmproxy.store.EndUser;
import dev.llmproxy.store.EndUserStore;
import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreChange;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/** {@link EndUserStore} on {@link EndUserDao}. Thread-safe: each call runs on its own handle. */
final class JdbiEndUserStore implements EndUserStore {
    private final Jdbi jdbi;
    private final Clock clock;
    /** PostgreSQL's change notifications, or null on the embedded database (one instance, nobody to tell). */
    private final @Nullable KeyChanges changes;

    JdbiEndUserStore(Jdbi jdbi, Clock clock, @Nullable KeyChanges changes) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.clock = requireNonNull(clock, "clock");
        this.changes = changes;
    }

    @Override
    public EndUser create(EndUser endUser, @Nullable Budget budget) {
        return write("create end user", endUser, budget, (dao, row) -> {
            dao.insert(row);
            return dao.find(row.userId()).orElseThrow();
        });
    }

    @Override
    public Optional<EndUser> find(String userId) {
        requireNonNull(userId, "userId");
        try {
            return jdbi.withExtension(EndUserDao.class, dao -> dao.find(userId));
        } catch (RuntimeException e) {
            throw Failures.translate("find end user", e);
        }
    }

    @Override
    public Optional<EndUser> update(EndUser endUser, @Nullable Budget budget) {
        return write("update end user", endUser, budget,
                (dao, row) -> dao.update(row) == 0 ? Optional.<EndUser>empty() : dao.find(row.userId()));
    }

    /**
     * The shape {@link #create} and {@link #update} share: in one transaction, the budget saved (when there is one)
     * and the end user written by {@code writer}, linked to it and stamped now; then other instances told.
     */
    private <T> T write(String action, EndUser endUser, @Nullable Budget budget,
            BiFunction<EndUserDao, EndUser, T> writer) {
        requireNonNull(endUser, "endUser");
        Instant now = now();
        try {
            return published(endUser.userId(), jdbi.inTransaction(h -> {
                String budgetId = endUser.budgetId();
                if (budget != null) {
                    saveBudget(h, budget, now);
                    budgetId = budget.budgetId();
                }
                return writer.apply(h.attach(EndUserDao.class), withLink(endUser, budgetId, now));
            }));
        } catch (RuntimeException e) {
            throw Failures.translate(action, e);
        }
    }

    @Override
    public List<String> delete(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        TreeSet<String> unique = new TreeSet<>(userIds);
        try {
            return publishedDeletion(jdbi.inTransaction(h -> {
                EndUserDao dao = h.attach(EndUserDao.class);
                List<String> existing = dao.findAll(unique).stream().map(EndUser::userId).toList();
                if (!existing.isEmpty()) {
                    dao.delete(existing);
                    Deletions.record(h, StoreChange.Kind.END_USER, existing, now());
                }
                return existing;
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("delete end users", e);
        }
    }

    @Override
    public List<EndUser> block(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        TreeSet<String> unique = new TreeSet<>(userIds);
        Instant now = now();
        try {
            return publishedEndUsers(jdbi.inTransaction(h -> {
                EndUserDao dao = h.attach(EndUserDao.class);
                TreeSet<String> missing = new TreeSet<>(unique);
                dao.findAll(unique).forEach(e -> missing.remove(e.userId()));
                for (String id : missing) {
                    dao.insert(new EndUser(id, null, 0, null, null, null, true, "{}", now, null));
                }
                dao.setBlocked(unique, true, now);
                return dao.findAll(unique);
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("block end users", e);
        }
    }

    @Override
    public List<EndUser> unblock(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        TreeSet<String> unique = new TreeSet<>(userIds);
        Instant now = now();
        try {
            return publishedEndUsers(jdbi.inTransaction(h -> {
                EndUserDao dao = h.attach(EndUserDao.class);
                dao.setBlocked(unique, false, now);
                return dao.findAll(unique);
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("unblock end users", e);
        }
    }

    @Override
    public Page<EndUser> list(ListQuery query) {
        requireNonNull(query, "query");
        long offset = (long) (query.page() - 1) * query.size();
        try {
            return jdbi.withExtension(EndUserDao.class, dao -> new Page<>(
                    dao.list(query.size(), offset), dao.count(), query.page(), query.size()));
        } catch (RuntimeException e) {
            throw Failures.translate("list end users", e);
        }
    }

    @Override
    public List<EndUser> restricted() {
        try {
            return jdbi.withExtension(EndUserDao.class, EndUserDao::restricted);
        } catch (RuntimeException e) {
            throw Failures.translate("read restricted end users", e);
        }
    }

    @Override
    public List<EndUser> changedSince(Instant since) {
        requireNonNull(since, "since");
        try {
            return jdbi.withExtension(EndUserDao.class, dao -> dao.changedSince(since));
        } catch (RuntimeException e) {
            throw Failures.translate("read changed end users", e);
        }
    }

    @Override
    public Optional<Budget> findBudget(String budgetId) {
        requireNonNull(budgetId, "budgetId");
        try {
            return jdbi.withExtension(EndUserDao.class, dao -> dao.findBudget(budgetId));
        } catch (RuntimeException e) {
            throw Failures.translate("find budget", e);
        }
    }

    /** Inserts the budget, or updates it (and moves its other end users, so other instances re-read them). */
    private static void saveBudget(Handle h, Budget budget, Instant now) {
        EndUserDao dao = h.attach(EndUserDao.class);
        Budget row = new Budget(budget.budgetId(), budget.maxBudget(), budget.softBudget(),
                budget.maxParallelRequests(), budget.tpmLimit(), budget.rpmLimit(), budget.budgetDuration(),
                budget.budgetResetAt(), now, budget.createdBy(), now, budget.updatedBy());
        if (dao.updateBudget(row) == 0) {
            dao.insertBudget(row);
        } else {
            dao.touchBudgetUsers(row.budgetId(), now);
        }
    }

    private static EndUser withLink(EndUser e, @Nullable String budgetId, Instant now) {
        return new EndUser(e.userId(), e.alias(), e.spend(), e.allowedModelRegion(), e.defaultModel(), budgetId,
                e.blocked(), e.metadata(), now, null);
    }

    /** Tells other instances about the row {@code id} (see {@link KeyChanges}) once written; returns {@code result}. */
    private <T> T published(String id, T result) {
        KeyChanges.publish(changes, jdbi, StoreChange.Kind.END_USER, List.of(id));
        return result;
    }

    private List<String> publishedDeletion(List<String> deleted) {
        return KeyChanges.publish(changes, jdbi, StoreChange.Kind.END_USER, deleted);
    }

    private List<EndUser> publishedEndUsers(List<EndUser> written) {
        KeyChanges.publish(changes, jdbi, StoreChange.Kind.END_USER, written.stream().map(EndUser::userId).toList());
        return written;
    }

    private Instant now() {
        return Rows.toStoredPrecision(clock.instant());
    }
}
