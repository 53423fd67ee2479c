package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keys, users, teams and memberships that spend records charge, and the check that the database holds exactly the
 * expected rows and totals. Costs are multiples of 1/1024, which doubles add exactly in any order, so an exact
 * comparison of totals tests "each record once", not floating-point rounding.
 */
final class SpendFixture {
    static final int KEYS = 5;
    static final int USERS = 3;
    static final int TEAMS = 2;
    static final Instant START = Instant.parse("2026-03-04T10:00:00Z");

    private SpendFixture() {}

    static void create(Store store) {
        for (int t = 0; t < TEAMS; t++) {
            store.teams().create(Team.builder(team(t)).build());
        }
        for (int u = 0; u < USERS; u++) {
            store.users().create(User.builder(user(u)).build());
            store.teams().addMember(new TeamMembership(team(u % TEAMS), user(u), TeamMembership.USER, 0, null,
                    Instant.EPOCH));
        }
        for (int k = 0; k < KEYS; k++) {
            store.keys().create(VirtualKey.builder(token(k)).userId(user(k % USERS)).teamId(team(k % USERS % TEAMS))
                    .build());
        }
    }

    /** Record {@code i} of a run; the same {@code (prefix, i)} always gives the same record. */
    static SpendRecord record(String prefix, int i) {
        int k = i % KEYS;
        int u = k % USERS;
        return SpendRecord.builder(prefix + "-" + i)
                .callType("acompletion")
                .apiKey(token(k))
                .spend(((i % 7) + 1) / 1024.0)
                .promptTokens(i % 100)
                .completionTokens(7)
                .totalTokens(i % 100 + 7)
                .startTime(START.plusMillis(i))
                .endTime(START.plusMillis(i + 250))
                .model("gpt-4o-mini")
                .modelId("deployment-" + (i % 2))
                .modelGroup("gpt-4o-mini")
                .customLlmProvider("openai")
                .apiBase("https://api.openai.com/v1")
                .userId(user(u))
                .teamId(team(u % TEAMS))
                .endUser(i % 3 == 0 ? "end-user-" + (i % 4) : null)
                .requestTags(i % 2 == 0 ? List.of("batch", "t" + (i % 3)) : List.of())
                .build();
    }

    /** Asserts that the spend logs hold exactly {@code expected} and every total is their exact sum. */
    static void assertDatabaseHolds(TestDatabase db, Collection<SpendRecord> expected) {
        Set<String> ids = new HashSet<>();
        for (SpendRecord r : expected) {
            ids.add(r.requestId());
        }
        assertThat(ids).hasSameSizeAs(expected);
        List<String> stored = db.queryStrings("SELECT request_id FROM \"LiteLLM_SpendLogs\"");
        assertThat(stored).hasSize(expected.size());
        assertThat(new HashSet<>(stored)).isEqualTo(ids);
        double total = 0;
        for (SpendRecord r : expected) {
            total += r.spend();
        }
        assertThat(db.queryDouble("SELECT COALESCE(SUM(spend), 0) FROM \"LiteLLM_SpendLogs\"")).isEqualTo(total);
        assertTotals(db, expected);
    }

    /** Asserts that every key's, user's, team's and member's spend is the exact sum of {@code expected}. */
    static void assertTotals(TestDatabase db, Collection<SpendRecord> expected) {
        Map<String, Double> byKey = new HashMap<>();
        Map<String, Double> byUser = new HashMap<>();
        Map<String, Double> byTeam = new HashMap<>();
        Map<String, Double> byMember = new HashMap<>();
        for (SpendRecord r : expected) {
            byKey.merge(r.apiKey(), r.spend(), Double::sum);
            byUser.merge(r.userId(), r.spend(), Double::sum);
            byTeam.merge(r.teamId(), r.spend(), Double::sum);
            byMember.merge(r.teamId() + "/" + r.userId(), r.spend(), Double::sum);
        }
        for (int k = 0; k < KEYS; k++) {
            assertThat(db.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?", token(k)))
                    .as("spend of key %d", k)
                    .isEqualTo(byKey.getOrDefault(token(k), 0.0));
        }
        for (int u = 0; u < USERS; u++) {
            assertThat(db.queryDouble("SELECT spend FROM \"LiteLLM_UserTable\" WHERE user_id = ?", user(u)))
                    .as("spend of user %d", u)
                    .isEqualTo(byUser.getOrDefault(user(u), 0.0));
            String team = team(u % TEAMS);
            assertThat(db.queryDouble("SELECT spend FROM \"LiteLLM_TeamMembership\" WHERE team_id = ? AND user_id = ?",
                            team, user(u)))
                    .as("spend of member %d", u)
                    .isEqualTo(byMember.getOrDefault(team + "/" + user(u), 0.0));
        }
        for (int t = 0; t < TEAMS; t++) {
            assertThat(db.queryDouble("SELECT spend FROM \"LiteLLM_TeamTable\" WHERE team_id = ?", team(t)))
                    .as("spend of team %d", t)
                    .isEqualTo(byTeam.getOrDefault(team(t), 0.0));
        }
    }

    static String token(int k) {
        return KeyHash.of("sk-spend-fixture-" + k);
    }

    static String user(int u) {
        return "spend-user-" + u;
    }

    static String team(int t) {
        return "spend-team-" + t;
    }
}
