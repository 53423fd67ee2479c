package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.TeamStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/** {@link TeamStore} on {@link TeamDao}. Thread-safe: each call runs on its own handle. */
final class JdbiTeamStore implements TeamStore {
    private final Jdbi jdbi;
    private final Clock clock;
    /** PostgreSQL's change notifications, or null on the embedded database (one instance, nobody to tell). */
    private final @Nullable KeyChanges changes;

    JdbiTeamStore(Jdbi jdbi, Clock clock, @Nullable KeyChanges changes) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.clock = requireNonNull(clock, "clock");
        this.changes = changes;
    }

    @Override
    public Team create(Team team) {
        Instant now = now();
        Team row = team.toBuilder().createdAt(now).updatedAt(now).build();
        try {
            return published(row.teamId(), jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                dao.insert(row, JsonText.ofList(row.models()), JsonText.ofLongMap(row.modelRpmLimit()),
                        JsonText.ofLongMap(row.modelTpmLimit()));
                return dao.find(row.teamId()).orElseThrow();
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("create team", e);
        }
    }

    @Override
    public Optional<Team> find(String teamId) {
        requireNonNull(teamId, "teamId");
        try {
            return jdbi.withExtension(TeamDao.class, dao -> dao.find(teamId));
        } catch (RuntimeException e) {
            throw Failures.translate("find team", e);
        }
    }

    @Override
    public Optional<Team> update(Team team) {
        Team row = team.toBuilder().updatedAt(now()).build();
        try {
            return published(row.teamId(), jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                int updated = dao.update(row, JsonText.ofList(row.models()), JsonText.ofLongMap(row.modelRpmLimit()),
                        JsonText.ofLongMap(row.modelTpmLimit()));
                return updated == 0 ? Optional.<Team>empty() : dao.find(row.teamId());
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("update team", e);
        }
    }

    @Override
    public Optional<Team> setBlocked(String teamId, boolean blocked) {
        requireNonNull(teamId, "teamId");
        Instant now = now();
        try {
            return published(teamId, jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                return dao.setBlocked(teamId, blocked, now) == 0 ? Optional.<Team>empty() : dao.find(teamId);
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("block team", e);
        }
    }

    @Override
    public List<String> delete(Collection<String> teamIds) {
        if (teamIds.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>(teamIds);
        try {
            return publishedDeletion(jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                List<String> existing = dao.existing(unique);
                if (!existing.isEmpty()) {
                    // Memberships go with the team (ON DELETE CASCADE).
                    dao.delete(existing);
                    Deletions.record(h, StoreChange.Kind.TEAM, existing, now());
                }
                return existing;
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("delete teams", e);
        }
    }

    @Override
    public Page<Team> list(ListQuery query) {
        requireNonNull(query, "query");
        long offset = (long) (query.page() - 1) * query.size();
        try {
            return jdbi.withExtension(TeamDao.class, dao -> new Page<>(
                    dao.list(query.filter(), query.size(), offset), dao.count(query.filter()), query.page(),
                    query.size()));
        } catch (RuntimeException e) {
            throw Failures.translate("list teams", e);
        }
    }

    @Override
    public List<Team> changedSince(Instant since) {
        requireNonNull(since, "since");
        try {
            return jdbi.withExtension(TeamDao.class, dao -> dao.changedSince(since));
        } catch (RuntimeException e) {
            throw Failures.translate("read changed teams", e);
        }
    }

    @Override
    public TeamMembership addMember(TeamMembership membership) {
        TeamMembership row = new TeamMembership(membership.teamId(), membership.userId(), membership.role(),
                membership.spend(), membership.maxBudget(), now(), membership.budgetDuration(),
                membership.budgetResetAt());
        try {
            return published(row.teamId(), jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                dao.insertMember(row);
                dao.touch(row.teamId(), row.createdAt());
                return dao.findMember(row.teamId(), row.userId()).orElseThrow();
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("add team member", e);
        }
    }

    @Override
    public Optional<TeamMembership> updateMember(TeamMembership membership) {
        try {
            return published(membership.teamId(), jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                if (dao.updateMember(membership) == 0) {
                    return Optional.<TeamMembership>empty();
                }
                dao.touch(membership.teamId(), now());
                return dao.findMember(membership.teamId(), membership.userId());
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("update team member", e);
        }
    }

    @Override
    public boolean removeMember(String teamId, String userId) {
        requireNonNull(teamId, "teamId");
        requireNonNull(userId, "userId");
        try {
            return published(teamId, jdbi.inTransaction(h -> {
                TeamDao dao = h.attach(TeamDao.class);
                boolean removed = dao.deleteMember(teamId, userId) > 0;
                if (removed) {
                    dao.touch(teamId, now());
                }
                return removed;
            }));
        } catch (RuntimeException e) {
            throw Failures.translate("remove team member", e);
        }
    }

    @Override
    public Optional<TeamMembership> findMember(String teamId, String userId) {
        requireNonNull(teamId, "teamId");
        requireNonNull(userId, "userId");
        try {
            return jdbi.withExtension(TeamDao.class, dao -> dao.findMember(teamId, userId));
        } catch (RuntimeException e) {
            throw Failures.translate("find team member", e);
        }
    }

    @Override
    public List<TeamMembership> members(String teamId) {
        requireNonNull(teamId, "teamId");
        try {
            return jdbi.withExtension(TeamDao.class, dao -> dao.members(teamId));
        } catch (RuntimeException e) {
            throw Failures.translate("list team members", e);
        }
    }

    @Override
    public List<TeamMembership> membershipsOf(String userId) {
        requireNonNull(userId, "userId");
        try {
            return jdbi.withExtension(TeamDao.class, dao -> dao.membershipsOf(userId));
        } catch (RuntimeException e) {
            throw Failures.translate("list memberships", e);
        }
    }

    /** Tells other instances about the row {@code id} (see {@link KeyChanges}) once written; returns {@code result}. */
    private <T> T published(String id, T result) {
        KeyChanges.publish(changes, jdbi, StoreChange.Kind.TEAM, List.of(id));
        return result;
    }

    private List<String> publishedDeletion(List<String> deleted) {
        return KeyChanges.publish(changes, jdbi, StoreChange.Kind.TEAM, deleted);
    }

    private Instant now() {
        return Rows.toStoredPrecision(clock.instant());
    }
}
