package dev.llmproxy.proxy.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.auth.BudgetState;
import dev.llmproxy.proxy.auth.KeyRefusal;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks of {@link CachedKey#admit} beyond the key's own: per-model, team, member and user limits and budgets. */
class CachedKeyLimitsTest {
    private static final long NOW = Instant.parse("2026-12-01T16:00:15Z").toEpochMilli();
    private static final String KEY = "sk-limits";

    private final KeyDirectory directory = new KeyDirectory(KeyCacheSettings.DEFAULTS.withCapacity(64),
            new StubKeyStore().store(), Runnable::run, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC),
            AccessGroups.of(Map.of("beta", List.of("gpt-b"))));

    @Test
    void shouldTakeNothingFromTheKeyWhenTheTeamRefuses() {
        directory.installTeam(Team.builder("t").maxParallelRequests(1).build(), List.of(), Long.MAX_VALUE);
        CachedKey key = install(VirtualKey.builder(KeyHash.of(KEY)).teamId("t").rpmLimit(2L));
        CachedKey other = install(VirtualKey.builder(KeyHash.of("sk-other")).teamId("t"));

        assertThat(other.admit("gpt-a", NOW)).isNull();
        KeyRefusal refused = key.admit("gpt-a", NOW);
        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(KeyRefusal.Reason.RATE_LIMITED);
        assertThat(refused.message()).startsWith("Rate limit exceeded for team t.");
        other.release("gpt-a", NOW, 0, 0);

        assertThat(key.admit("gpt-a", NOW)).isNull();
        key.release("gpt-a", NOW, 0, 0);
        assertThat(key.admit("gpt-a", NOW)).as("the refused call took no request of the key's rpm").isNull();
    }

    @Test
    void shouldLimitEachModelOfTheKeyAndTheTeamOnItsOwn() {
        directory.installTeam(Team.builder("t").modelTpmLimit(Map.of("gpt-b", 100L)).build(), List.of(),
                Long.MAX_VALUE);
        CachedKey key = install(VirtualKey.builder(KeyHash.of(KEY)).teamId("t").modelRpmLimit(Map.of("gpt-a", 1L)));

        assertThat(key.admit("gpt-a", NOW)).isNull();
        key.release("gpt-a", NOW, 10, 0);
        assertThat(key.admit("gpt-a", NOW).message()).contains("model=gpt-a").contains("model_rpm_limit=1");
        assertThat(key.admit("gpt-b", NOW)).isNull();
        key.release("gpt-b", NOW, 100, 0);
        assertThat(key.admit("gpt-b", NOW).message()).startsWith("Rate limit exceeded for team t, model=gpt-b")
                .contains("model_tpm_limit=100");
    }

    @Test
    void shouldStopAMemberAtTheirTeamBudgetAndAPersonalKeyAtItsUsersBudget() {
        directory.installTeam(Team.builder("t").build(),
                List.of(new TeamMembership("t", "u", TeamMembership.USER, 0, 1.0, Instant.EPOCH)), Long.MAX_VALUE);
        directory.installUser(User.builder("u").maxBudget(2.0).build(), Long.MAX_VALUE);
        CachedKey teamKey = install(VirtualKey.builder(KeyHash.of(KEY)).teamId("t").userId("u"));
        CachedKey personal = install(VirtualKey.builder(KeyHash.of("sk-personal")).userId("u"));

        assertThat(teamKey.admit("gpt-a", NOW)).isNull();
        teamKey.release("gpt-a", NOW, 0, 1.0);
        assertThat(teamKey.admit("gpt-a", NOW).message())
                .isEqualTo("Budget has been exceeded! User=u in Team=t Current cost: 1.000000, Max budget: 1.000000");
        assertThat(personal.admit("gpt-a", NOW)).as("the user has spent 1 of 2").isNull();
        personal.release("gpt-a", NOW, 0, 1.0);
        assertThat(personal.admit("gpt-a", NOW).message())
                .isEqualTo("ExceededBudget: User=u over budget. Spend=2.000000, Budget=2.000000");
    }

    @Test
    void shouldExpandAccessGroupsAndLeaveAllTeamModelsToTheTeam() {
        directory.installTeam(Team.builder("t").models(List.of("gpt-a")).build(), List.of(), Long.MAX_VALUE);
        CachedKey grouped = install(VirtualKey.builder(KeyHash.of(KEY)).models(List.of("beta")));
        CachedKey teamModels = install(VirtualKey.builder(KeyHash.of("sk-team")).teamId("t")
                .models(List.of("all-team-models")));

        assertThat(grouped.allowsModel("gpt-b")).isTrue();
        assertThat(grouped.allowsModel("gpt-a")).isFalse();
        assertThat(teamModels.allowsModel("gpt-a")).isTrue();
        assertThat(teamModels.checkModel("gpt-b").reason()).isEqualTo(KeyRefusal.Reason.TEAM_MODEL_NOT_ALLOWED);
    }

    @Test
    void shouldReportTheBudgetsOfKeyTeamAndUserWithTheSpendSinceTheirLastRead() {
        Instant reset = Instant.ofEpochMilli(NOW).plusSeconds(3600);
        directory.installTeam(Team.builder("t").maxBudget(50.0).budgetResetAt(reset).build(), List.of(),
                Long.MAX_VALUE);
        directory.installUser(User.builder("u").build(), Long.MAX_VALUE);
        CachedKey key = install(VirtualKey.builder(KeyHash.of(KEY)).teamId("t").userId("u").maxBudget(10.0)
                .budgetResetAt(reset));
        CachedKey alone = install(VirtualKey.builder(KeyHash.of("sk-alone")));

        assertThat(key.admit("gpt-a", NOW)).isNull();
        key.release("gpt-a", NOW, 0, 1.5);

        assertThat(key.budget()).isEqualTo(new BudgetState(1.5, 10.0, reset));
        assertThat(key.teamBudget()).isEqualTo(new BudgetState(1.5, 50.0, reset));
        assertThat(key.userBudget()).isEqualTo(new BudgetState(1.5, null, null));
        assertThat(alone.budget()).isEqualTo(new BudgetState(0, null, null));
        assertThat(alone.teamBudget()).isNull();
        assertThat(alone.userBudget()).isNull();
    }

    @Test
    void shouldAdmitACallOfNoModelAgainstTheLimitsOfTheKeyAndItsTeamOnly() {
        directory.installTeam(Team.builder("t").models(List.of("gpt-a")).rpmLimit(2L)
                .modelRpmLimit(Map.of("gpt-a", 1L)).build(), List.of(), Long.MAX_VALUE);
        CachedKey key = install(VirtualKey.builder(KeyHash.of(KEY)).teamId("t").models(List.of("gpt-b"))
                .modelRpmLimit(Map.of("gpt-b", 1L)));

        assertThat(key.admit(null, NOW)).as("neither model list nor per-model limit applies").isNull();
        key.release(null, NOW, 5, 0);
        assertThat(key.admit(null, NOW)).isNull();
        key.release(null, NOW, 5, 0);
        KeyRefusal third = key.admit(null, NOW);

        assertThat(third).isNotNull();
        assertThat(third.message()).startsWith("Rate limit exceeded for team t.").contains("rpm_limit=2");
    }

    @Test
    void shouldRefuseACallOfNoModelFromAKeyOfABlockedTeam() {
        directory.installTeam(Team.builder("t").blocked(true).build(), List.of(), Long.MAX_VALUE);
        CachedKey key = install(VirtualKey.builder(KeyHash.of(KEY)).teamId("t"));

        KeyRefusal refused = key.admit(null, NOW);

        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(KeyRefusal.Reason.TEAM_BLOCKED);
    }

    private CachedKey install(VirtualKey.Builder key) {
        return directory.install(key.keyName("sk-...").build());
    }
}
