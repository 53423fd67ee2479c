package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.KeyStore;
import dev.llmproxy.store.KeyWithOwners;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.StoreConflictException;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/** {@link KeyStore} on {@link KeyDao}. Thread-safe: each call runs on its own handle. */
final class JdbiKeyStore implements KeyStore {
    private final Jdbi jdbi;
    private final Clock clock;
    /** PostgreSQL's change notifications, or null on the embedded database (one instance, nobody to tell). */
    private final @Nullable KeyChanges changes;

    JdbiKeyStore(Jdbi jdbi, Clock clock, @Nullable KeyChanges changes) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.clock = requireNonNull(clock, "clock");
        this.changes = changes;
    }

    @Override
    public VirtualKey create(VirtualKey key) {
        Instant now = now();
        VirtualKey row = key.toBuilder().createdAt(now).updatedAt(now).build();
        try {
            return changed(jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                requireFreeAlias(dao, row);
                dao.insert(row, JsonText.ofList(row.models()), JsonText.ofLongMap(row.modelRpmLimit()),
                        JsonText.ofLongMap(row.modelTpmLimit()), JsonText.ofList(row.tags()));
                return dao.find(row.token()).orElseThrow();
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("create key", e);
        }
    }

    @Override
    public Optional<VirtualKey> find(String token) {
        requireNonNull(token, "token");
        try {
            return jdbi.withExtension(KeyDao.class, dao -> dao.find(token));
        } catch (RuntimeException e) {
            throw Failures.translate("find key", e);
        }
    }

    @Override
    public Optional<KeyWithOwners> findWithOwners(String token) {
        requireNonNull(token, "token");
        try {
            return jdbi.inTransaction(h -> {
                Optional<VirtualKey> found = h.attach(KeyDao.class).find(token);
                if (found.isEmpty()) {
                    return Optional.<KeyWithOwners>empty();
                }
                VirtualKey key = found.get();
                TeamDao teams = h.attach(TeamDao.class);
                String teamId = key.teamId();
                String userId = key.userId();
                Team team = teamId == null ? null : teams.find(teamId).orElse(null);
                User user = userId == null ? null : h.attach(UserDao.class).find(userId).orElse(null);
                TeamMembership membership =
                        teamId == null || userId == null ? null : teams.findMember(teamId, userId).orElse(null);
                return Optional.of(new KeyWithOwners(key, team, user, membership));
            });
        } catch (RuntimeException e) {
            throw Failures.translate("find key with owners", e);
        }
    }

    @Override
    public Optional<VirtualKey> findByAlias(String keyAlias) {
        requireNonNull(keyAlias, "keyAlias");
        try {
            return jdbi.withExtension(KeyDao.class, dao -> dao.findByAlias(keyAlias));
        } catch (RuntimeException e) {
            throw Failures.translate("find key by alias", e);
        }
    }

    @Override
    public Optional<VirtualKey> update(VirtualKey key) {
        VirtualKey row = key.toBuilder().updatedAt(now()).build();
        try {
            return changed(jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                requireFreeAlias(dao, row);
                int updated = dao.update(row, JsonText.ofList(row.models()), JsonText.ofLongMap(row.modelRpmLimit()),
                        JsonText.ofLongMap(row.modelTpmLimit()), JsonText.ofList(row.tags()));
                return updated == 0 ? Optional.<VirtualKey>empty() : dao.find(row.token());
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("update key", e);
        }
    }

    @Override
    public Optional<VirtualKey> setBlocked(String token, boolean blocked) {
        requireNonNull(token, "token");
        Instant now = now();
        try {
            return changed(jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                return dao.setBlocked(token, blocked, now) == 0 ? Optional.<VirtualKey>empty() : dao.find(token);
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("block key", e);
        }
    }

    @Override
    public Optional<VirtualKey> resetSpend(String token, double spend, @Nullable Instant budgetResetAt) {
        requireNonNull(token, "token");
        if (!Double.isFinite(spend) || spend < 0) {
            throw new IllegalArgumentException("spend: " + spend + " (expected: finite, >= 0)");
        }
        Instant now = now();
        try {
            return changed(jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                return dao.resetSpend(token, spend, budgetResetAt, now) == 0
                        ? Optional.<VirtualKey>empty()
                        : dao.find(token);
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("reset key spend", e);
        }
    }

    @Override
    public List<String> delete(Collection<String> tokens) {
        if (tokens.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>(tokens);
        try {
            return changedTokens(jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                List<String> existing = dao.existing(unique);
                if (!existing.isEmpty()) {
                    dao.delete(existing);
                    Deletions.record(h, StoreChange.Kind.KEY, existing, now());
                }
                return existing;
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("delete keys", e);
        }
    }

    @Override
    public List<String> deleteByAlias(Collection<String> keyAliases) {
        if (keyAliases.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>(keyAliases);
        try {
            return changedTokens(jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                List<String> tokens = dao.tokensByAlias(unique);
                if (!tokens.isEmpty()) {
                    dao.delete(tokens);
                    Deletions.record(h, StoreChange.Kind.KEY, tokens, now());
                }
                return tokens;
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("delete keys by alias", e);
        }
    }

    @Override
    public Page<VirtualKey> list(KeyQuery query) {
        requireNonNull(query, "query");
        String direction = query.descending() ? "DESC" : "ASC";
        long offset = (long) (query.page() - 1) * query.size();
        try {
            return jdbi.withExtension(KeyDao.class, dao -> new Page<>(
                    dao.list(query, query.sort().column(), direction, query.size(), offset),
                    dao.count(query),
                    query.page(),
                    query.size()));
        } catch (RuntimeException e) {
            throw Failures.translate("list keys", e);
        }
    }

    @Override
    public Optional<VirtualKey> rehash(String token, String newToken, String newKeyName) {
        if (!KeyHash.isHash(token) || !KeyHash.isHash(newToken)) {
            throw new IllegalArgumentException("token, newToken: expected SHA-256 hex strings");
        }
        requireNonNull(newKeyName, "newKeyName");
        Instant now = now();
        try {
            return jdbi.inTransaction(h -> {
                KeyDao dao = h.attach(KeyDao.class);
                if (dao.find(newToken).isPresent()) {
                    throw new StoreConflictException("a key with the new hash exists");
                }
                if (dao.rehash(token, newToken, newKeyName, now) == 0) {
                    return Optional.<VirtualKey>empty();
                }
                Deletions.record(h, StoreChange.Kind.KEY, List.of(token), now);
                return dao.find(newToken);
            }).map(key -> {
                changedTokens(List.of(token, newToken));
                return key;
            });
        } catch (RuntimeException e) {
            throw Failures.translate("regenerate key", e);
        }
    }

    @Override
    public List<VirtualKey> changedSince(Instant since, String afterToken, int limit) {
        requireNonNull(since, "since");
        requireNonNull(afterToken, "afterToken");
        try {
            return jdbi.withExtension(KeyDao.class, dao -> dao.changedSince(since, afterToken, limit));
        } catch (RuntimeException e) {
            throw Failures.translate("list changed keys", e);
        }
    }

    /** Tells other instances about {@code key} (see {@link KeyChanges}); returns it. */
    private <T> T changed(T key) {
        if (key instanceof VirtualKey k) {
            changedTokens(List.of(k.token()));
        } else if (key instanceof Optional<?> o && o.orElse(null) instanceof VirtualKey k) {
            changedTokens(List.of(k.token()));
        }
        return key;
    }

    private List<String> changedTokens(List<String> tokens) {
        if (changes != null && !tokens.isEmpty()) {
            changes.publish(jdbi, tokens);
        }
        return tokens;
    }

    private Instant now() {
        return Rows.toStoredPrecision(clock.instant());
    }

    private static void requireFreeAlias(KeyDao dao, VirtualKey key) {
        String alias = key.keyAlias();
        if (alias != null && dao.countAliasElsewhere(alias, key.token()) > 0) {
            throw new StoreConflictException("key alias already in use: " + alias);
        }
    }

}
