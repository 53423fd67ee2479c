package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.User;
import dev.llmproxy.store.UserStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/** {@link UserStore} on {@link UserDao}. Thread-safe: each call runs on its own handle. */
final class JdbiUserStore implements UserStore {
    private final Jdbi jdbi;
    private final Clock clock;
    /** PostgreSQL's change notifications, or null on the embedded database (one instance, nobody to tell). */
    private final @Nullable KeyChanges changes;

    JdbiUserStore(Jdbi jdbi, Clock clock, @Nullable KeyChanges changes) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.clock = requireNonNull(clock, "clock");
        this.changes = changes;
    }

    @Override
    public User create(User user) {
        Instant now = now();
        User row = user.toBuilder().createdAt(now).updatedAt(now).build();
        try {
            return published(row.userId(), jdbi.inTransaction(h -> {
                UserDao dao = h.attach(UserDao.class);
                dao.insert(row, JsonText.ofList(row.models()));
                return dao.find(row.userId()).orElseThrow();
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("create user", e);
        }
    }

    @Override
    public Optional<User> find(String userId) {
        requireNonNull(userId, "userId");
        try {
            return jdbi.withExtension(UserDao.class, dao -> dao.find(userId));
        } catch (RuntimeException e) {
            throw Failures.translate("find user", e);
        }
    }

    @Override
    public Optional<User> findByEmail(String email) {
        requireNonNull(email, "email");
        try {
            return jdbi.withExtension(UserDao.class, dao -> dao.findByEmail(email));
        } catch (RuntimeException e) {
            throw Failures.translate("find user by email", e);
        }
    }

    @Override
    public Optional<User> update(User user) {
        User row = user.toBuilder().updatedAt(now()).build();
        try {
            return published(row.userId(), jdbi.inTransaction(h -> {
                UserDao dao = h.attach(UserDao.class);
                return dao.update(row, JsonText.ofList(row.models())) == 0
                        ? Optional.<User>empty()
                        : dao.find(row.userId());
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("update user", e);
        }
    }

    @Override
    public List<String> delete(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>(userIds);
        try {
            return publishedDeletion(jdbi.inTransaction(h -> {
                UserDao dao = h.attach(UserDao.class);
                List<String> existing = dao.existing(unique);
                if (!existing.isEmpty()) {
                    // Memberships go with the user (ON DELETE CASCADE).
                    dao.delete(existing);
                    Deletions.record(h, StoreChange.Kind.USER, existing, now());
                }
                return existing;
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("delete users", e);
        }
    }

    @Override
    public Page<User> list(ListQuery query) {
        requireNonNull(query, "query");
        long offset = (long) (query.page() - 1) * query.size();
        try {
            return jdbi.withExtension(UserDao.class, dao -> new Page<>(
                    dao.list(query.filter(), query.size(), offset), dao.count(query.filter()), query.page(),
                    query.size()));
        } catch (RuntimeException e) {
            throw Failures.translate("list users", e);
        }
    }

    @Override
    public List<User> changedSince(Instant since) {
        requireNonNull(since, "since");
        try {
            return jdbi.withExtension(UserDao.class, dao -> dao.changedSince(since));
        } catch (RuntimeException e) {
            throw Failures.translate("read changed users", e);
        }
    }

    /** Tells other instances about the row {@code id} (see {@link KeyChanges}) once written; returns {@code result}. */
    private <T> T published(String id, T result) {
        KeyChanges.publish(changes, jdbi, StoreChange.Kind.USER, List.of(id));
        return result;
    }

    private List<String> publishedDeletion(List<String> deleted) {
        return KeyChanges.publish(changes, jdbi, StoreChange.Kind.USER, deleted);
    }

    private Instant now() {
        return Rows.toStoredPrecision(clock.instant());
    }
}
