package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.SpendRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spend a batch adds to each key, user, team, team member and end user, summed per entity. Applied in a fixed
 * order (keys, users, teams, members, end users; each sorted by id) so that writers sharing a database take row locks
 * in the same order and cannot deadlock (LiteLLM's {@code 40P01} under load, #6895). An end user's row is created the
 * first time spend reaches it, as LiteLLM does; the others must exist. Not thread-safe.
 */
final class SpendIncrements {
    /** Separates team and user in a member's key; neither id contains it. */
    private static final char MEMBER_SEPARATOR = '\u0000';

    private final TreeMap<String, Double> keys = new TreeMap<>();
    private final TreeMap<String, Double> users = new TreeMap<>();
    private final TreeMap<String, Double> teams = new TreeMap<>();
    private final TreeMap<String, Double> members = new TreeMap<>();
    private final TreeMap<String, Double> endUsers = new TreeMap<>();
    /** The latest end time of the batch's records with an end user: a new end-user row's {@code updated_at}. */
    private Instant latestEnd = Instant.EPOCH;

    void add(SpendRecord r) {
        double spend = r.spend();
        if (spend == 0) {
            return;
        }
        if (!r.apiKey().isEmpty()) {
            keys.merge(r.apiKey(), spend, Double::sum);
        }
        String userId = r.userId();
        String teamId = r.teamId();
        if (userId != null) {
            users.merge(userId, spend, Double::sum);
        }
        if (teamId != null) {
            teams.merge(teamId, spend, Double::sum);
            if (userId != null) {
                members.merge(teamId + MEMBER_SEPARATOR + userId, spend, Double::sum);
            }
        }
        String endUser = r.endUser();
        if (endUser != null && !endUser.isEmpty()) {
            endUsers.merge(endUser, spend, Double::sum);
            if (r.endTime().isAfter(latestEnd)) {
                latestEnd = r.endTime();
            }
        }
    }

    void applyTo(SpendDao dao) {
        if (!keys.isEmpty()) {
            dao.addKeySpend(new ArrayList<>(keys.keySet()), new ArrayList<>(keys.values()));
        }
        if (!users.isEmpty()) {
            dao.addUserSpend(new ArrayList<>(users.keySet()), new ArrayList<>(users.values()));
        }
        if (!teams.isEmpty()) {
            dao.addTeamSpend(new ArrayList<>(teams.keySet()), new ArrayList<>(teams.values()));
        }
        if (!members.isEmpty()) {
            List<String> teamIds = new ArrayList<>(members.size());
            List<String> userIds = new ArrayList<>(members.size());
            for (Map.Entry<String, Double> e : members.entrySet()) {
                int cut = e.getKey().indexOf(MEMBER_SEPARATOR);
                teamIds.add(e.getKey().substring(0, cut));
                userIds.add(e.getKey().substring(cut + 1));
            }
            dao.addMemberSpend(teamIds, userIds, new ArrayList<>(members.values()));
        }
        if (!endUsers.isEmpty()) {
            List<String> ids = new ArrayList<>(endUsers.keySet());
            dao.createEndUsers(ids, Rows.toStoredPrecision(latestEnd));
            dao.addEndUserSpend(ids, new ArrayList<>(endUsers.values()));
        }
    }
}
