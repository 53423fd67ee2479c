package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.store.Budget;
import dev.llmproxy.store.BudgetResetCounts;
import dev.llmproxy.store.EndUser;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.KeyWithOwners;
import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.StoreConflictException;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.StoredResponse;
import dev.llmproxy.store.Stores;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Store} does with keys, users, teams and memberships, run against each database. One fresh
 * database per class; tests use their own ids so they do not see each other's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractStoreContractTest {
    static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123Z");

    @TempDir
    static Path tempDir;

    final MutableClock clock = new MutableClock(T0);
    TestDatabase db;
    Store store;

    abstract TestDatabase newDatabase(Path dir);

    @BeforeAll
    void open() {
        db = newDatabase(tempDir);
        store = Stores.open(db.config(), clock);
    }

    @AfterAll
    void close() {
        store.close();
        db.close();
    }

    // ---- keys

    @Test
    void shouldGiveAKeyANewHashInPlaceKeepingItsSpend() {
        String key = "sk-" + UUID.randomUUID();
        String newKey = "sk-" + UUID.randomUUID();
        store.keys().create(VirtualKey.builder(KeyHash.of(key)).keyAlias("rehash-" + key).spend(2.5).build());

        VirtualKey moved = store.keys().rehash(KeyHash.of(key), KeyHash.of(newKey), KeyHash.displayName(newKey))
                .orElseThrow();

        assertThat(moved.token()).isEqualTo(KeyHash.of(newKey));
        assertThat(moved.spend()).isEqualTo(2.5);
        assertThat(moved.keyAlias()).isEqualTo("rehash-" + key);
        assertThat(moved.keyName()).isEqualTo(KeyHash.displayName(newKey));
        assertThat(store.keys().find(KeyHash.of(key))).isEmpty();
        assertThat(store.keys().rehash(KeyHash.of(key), KeyHash.of("sk-x"), "sk-...x")).isEmpty();
    }

    @Test
    void shouldListKeysChangedSinceAnInstantInPages() {
        Instant since = clock.instant();
        List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String token = KeyHash.of("sk-changed-" + UUID.randomUUID());
            store.keys().create(VirtualKey.builder(token).build());
            tokens.add(token);
        }

        List<VirtualKey> first = store.keys().changedSince(since, "", 3);
        VirtualKey last = first.get(first.size() - 1);
        List<VirtualKey> rest = store.keys().changedSince(last.updatedAt(), last.token(), 100);

        List<String> seen = new java.util.ArrayList<>();
        first.forEach(k -> seen.add(k.token()));
        rest.forEach(k -> seen.add(k.token()));
        assertThat(first).hasSize(3);
        assertThat(seen).containsAll(tokens).doesNotHaveDuplicates();
    }

    @Test
    void shouldCreateAndFindKeyByHashWithEveryColumn() {
        String key = "sk-" + UUID.randomUUID();
        String token = KeyHash.of(key);
        VirtualKey created = store.keys().create(VirtualKey.builder(token)
                .keyName(KeyHash.displayName(key))
                .keyAlias("alias-" + token.substring(0, 8))
                .spend(1.5)
                .maxBudget(10.0)
                .softBudget(8.0)
                .budgetDuration("30d")
                .budgetResetAt(Instant.parse("2026-04-01T00:00:00Z"))
                .expires(Instant.parse("2027-01-01T12:00:00.5Z"))
                .models(List.of("gpt-4o", "openai/*", "all-proxy-models"))
                .aliases("{\"fast\":\"gpt-4o-mini\"}")
                .userId("u-" + token.substring(0, 6))
                .teamId("t-" + token.substring(0, 6))
                .tpmLimit(100_000L)
                .rpmLimit(60L)
                .maxParallelRequests(4)
                .modelRpmLimit(Map.of("gpt-4o", 10L))
                .modelTpmLimit(Map.of("gpt-4o", 20_000L, "o1 \"quoted\"", 5L))
                .metadata("{\"owner\":\"ops\",\"n\":[1,2]}")
                .tags(List.of("prod", "team-a"))
                .blocked(false)
                .createdBy("admin")
                .updatedBy("admin")
                .build());

        assertThat(created.createdAt()).isEqualTo(clock.instant());
        assertThat(created.updatedAt()).isEqualTo(clock.instant());
        assertThat(store.keys().find(token)).contains(created);
        assertThat(created.keyName()).isEqualTo("sk-..." + key.substring(key.length() - 4));
        assertThat(created.models()).containsExactly("gpt-4o", "openai/*", "all-proxy-models");
        assertThat(created.modelTpmLimit()).containsEntry("o1 \"quoted\"", 5L).containsEntry("gpt-4o", 20_000L);
        assertThat(created.spend()).isEqualTo(1.5);
        assertThat(created.expires()).isEqualTo(Instant.parse("2027-01-01T12:00:00.5Z"));
        assertThat(store.keys().findByAlias(created.keyAlias())).contains(created);
    }

    @Test
    void shouldStoreTimestampsAsUtcWallClock() {
        String token = KeyHash.of("sk-utc-" + UUID.randomUUID());
        store.keys().create(VirtualKey.builder(token).expires(Instant.parse("2030-06-07T08:09:10.456Z")).build());

        String created = db.queryString("SELECT CAST(created_at AS VARCHAR) FROM \"LiteLLM_VerificationToken\" "
                + "WHERE token = ?", token);
        String expires = db.queryString("SELECT CAST(expires AS VARCHAR) FROM \"LiteLLM_VerificationToken\" "
                + "WHERE token = ?", token);
        assertThat(created).startsWith(LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")));
        assertThat(expires).startsWith("2030-06-07 08:09:10.456");
    }

    @Test
    void shouldReadKeyWithItsTeamUserAndMembership() {
        String id = UUID.randomUUID().toString();
        Team team = store.teams().create(Team.builder("owners-team-" + id).blocked(true).build());
        User user = store.users().create(User.builder("owners-user-" + id).userRole("internal_user").build());
        TeamMembership member = store.teams().addMember(
                new TeamMembership(team.teamId(), user.userId(), TeamMembership.USER, 0, 2.0, Instant.EPOCH));
        String withAll = KeyHash.of("sk-owned-" + id);
        String alone = KeyHash.of("sk-alone-" + id);
        String dangling = KeyHash.of("sk-dangling-" + id);
        VirtualKey key = store.keys().create(
                VirtualKey.builder(withAll).teamId(team.teamId()).userId(user.userId()).build());
        store.keys().create(VirtualKey.builder(alone).build());
        store.keys().create(VirtualKey.builder(dangling).teamId("gone-" + id).userId(user.userId()).build());

        assertThat(store.keys().findWithOwners(withAll)).contains(new KeyWithOwners(key, team, user, member));
        KeyWithOwners lone = store.keys().findWithOwners(alone).orElseThrow();
        assertThat(lone.team()).isNull();
        assertThat(lone.user()).isNull();
        assertThat(lone.membership()).isNull();
        KeyWithOwners orphan = store.keys().findWithOwners(dangling).orElseThrow();
        assertThat(orphan.team()).isNull();
        assertThat(orphan.user()).isEqualTo(user);
        assertThat(orphan.membership()).isNull();
        assertThat(store.keys().findWithOwners(KeyHash.of("sk-nobody"))).isEmpty();
    }

    @Test
    void shouldMissUnknownKey() {
        assertThat(store.keys().find(KeyHash.of("sk-nobody"))).isEmpty();
        assertThat(store.keys().findByAlias("nobody")).isEmpty();
    }

    @Test
    void shouldRefuseDuplicateHashAndDuplicateAlias() {
        String alias = "dup-" + UUID.randomUUID();
        String token = KeyHash.of("sk-" + alias);
        store.keys().create(VirtualKey.builder(token).keyAlias(alias).build());

        assertThatThrownBy(() -> store.keys().create(VirtualKey.builder(token).build()))
                .isInstanceOf(StoreConflictException.class);
        String other = KeyHash.of("sk-other-" + alias);
        assertThatThrownBy(() -> store.keys().create(VirtualKey.builder(other).keyAlias(alias).build()))
                .isInstanceOf(StoreConflictException.class);
        assertThat(store.keys().find(other)).isEmpty();
    }

    @Test
    void shouldUpdateEverythingButSpendAndCreation() {
        String token = KeyHash.of("sk-upd-" + UUID.randomUUID());
        VirtualKey created = store.keys().create(VirtualKey.builder(token).spend(2.0).createdBy("alice").build());
        clock.advance(Duration.ofSeconds(5));

        VirtualKey changed = created.toBuilder()
                .spend(999.0)
                .maxBudget(50.0)
                .models(List.of("gemini/*"))
                .blocked(true)
                .createdBy("mallory")
                .updatedBy("bob")
                .build();
        VirtualKey stored = store.keys().update(changed).orElseThrow();

        assertThat(stored.spend()).isEqualTo(2.0);
        assertThat(stored.maxBudget()).isEqualTo(50.0);
        assertThat(stored.models()).containsExactly("gemini/*");
        assertThat(stored.blocked()).isTrue();
        assertThat(stored.createdBy()).isEqualTo("alice");
        assertThat(stored.updatedBy()).isEqualTo("bob");
        assertThat(stored.createdAt()).isEqualTo(created.createdAt());
        assertThat(stored.updatedAt()).isEqualTo(clock.instant());
        assertThat(store.keys().update(VirtualKey.builder(KeyHash.of("sk-none")).build())).isEmpty();
    }

    @Test
    void shouldRefuseUpdateToAnAliasInUse() {
        String a = "alias-a-" + UUID.randomUUID();
        String b = "alias-b-" + UUID.randomUUID();
        store.keys().create(VirtualKey.builder(KeyHash.of("sk-" + a)).keyAlias(a).build());
        VirtualKey kb = store.keys().create(VirtualKey.builder(KeyHash.of("sk-" + b)).keyAlias(b).build());

        assertThatThrownBy(() -> store.keys().update(kb.toBuilder().keyAlias(a).build()))
                .isInstanceOf(StoreConflictException.class);
        assertThat(store.keys().update(kb.toBuilder().keyAlias(b).maxBudget(1.0).build())).isPresent();
    }

    @Test
    void shouldBlockUnblockAndResetSpend() {
        String token = KeyHash.of("sk-block-" + UUID.randomUUID());
        store.keys().create(VirtualKey.builder(token).spend(7.0).build());

        assertThat(store.keys().setBlocked(token, true).orElseThrow().blocked()).isTrue();
        assertThat(store.keys().setBlocked(token, false).orElseThrow().blocked()).isFalse();
        Instant next = Instant.parse("2026-05-01T00:00:00Z");
        VirtualKey reset = store.keys().resetSpend(token, 0, next).orElseThrow();
        assertThat(reset.spend()).isZero();
        assertThat(reset.budgetResetAt()).isEqualTo(next);
        assertThat(store.keys().setBlocked(KeyHash.of("sk-none"), true)).isEmpty();
        assertThat(store.keys().resetSpend(KeyHash.of("sk-none"), 0, null)).isEmpty();
    }

    @Test
    void shouldDeleteByHashAndByAliasReportingOnlyWhatExisted() {
        String prefix = "del-" + UUID.randomUUID();
        String t1 = KeyHash.of("sk-1" + prefix);
        String t2 = KeyHash.of("sk-2" + prefix);
        String t3 = KeyHash.of("sk-3" + prefix);
        store.keys().create(VirtualKey.builder(t1).build());
        store.keys().create(VirtualKey.builder(t2).build());
        store.keys().create(VirtualKey.builder(t3).keyAlias(prefix).build());

        assertThat(store.keys().delete(List.of(t1, t2, t1, KeyHash.of("sk-none"))))
                .containsExactlyInAnyOrder(t1, t2);
        assertThat(store.keys().deleteByAlias(List.of(prefix, "no-such-alias"))).containsExactly(t3);
        assertThat(store.keys().find(t1)).isEmpty();
        assertThat(store.keys().find(t3)).isEmpty();
        assertThat(store.keys().delete(List.of())).isEmpty();
    }

    @Test
    void shouldListKeysByPageWithFiltersAndOrderHidingUiSessionKeys() {
        String user = "lister-" + UUID.randomUUID();
        for (int i = 0; i < 25; i++) {
            clock.advance(Duration.ofMillis(1));
            store.keys().create(VirtualKey.builder(KeyHash.of("sk-" + user + i))
                    .userId(user)
                    .spend(i)
                    .teamId(i % 5 == 0 ? KeyQuery.UI_SESSION_TEAM_ID : "team-" + (i % 2))
                    .build());
        }
        KeyQuery mine = KeyQuery.all().withUserId(user);

        Page<VirtualKey> first = store.keys().list(mine.withPage(1, 10));
        Page<VirtualKey> last = store.keys().list(mine.withPage(2, 10));
        assertThat(first.totalCount()).isEqualTo(20);
        assertThat(first.totalPages()).isEqualTo(2);
        assertThat(first.items()).hasSize(10);
        assertThat(last.items()).hasSize(10);
        assertThat(first.items().get(0).createdAt()).isAfter(first.items().get(9).createdAt());
        assertThat(first.items()).noneMatch(k -> KeyQuery.UI_SESSION_TEAM_ID.equals(k.teamId()));

        Page<VirtualKey> bySpend = store.keys().list(mine.withSort(KeyQuery.Sort.SPEND, false).withPage(1, 3));
        assertThat(bySpend.items()).extracting(VirtualKey::spend).containsExactly(1.0, 2.0, 3.0);

        Page<VirtualKey> team1 = store.keys().list(mine.withTeamId("team-1").withPage(1, 100));
        assertThat(team1.items()).allMatch(k -> "team-1".equals(k.teamId())).hasSize(10);

        assertThat(store.keys().list(mine.withPage(3, 10)).items()).isEmpty();
    }

    // ---- bridged responses

    @Test
    void shouldSaveFindReplaceAndDeleteAResponse() {
        String id = "resp_" + UUID.randomUUID();
        String input = "[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + "é".repeat(40_000) + "\"}]";
        StoredResponse.Owner owner = new StoredResponse.Owner("hash-1", "user-1", null);
        store.responses().save(new StoredResponse(id, "claude", owner, input, "{\"id\":\"" + id + "\"}",
                Instant.EPOCH, T0.plus(Duration.ofDays(30))));

        StoredResponse found = store.responses().find(id).orElseThrow();
        assertThat(found.modelGroup()).isEqualTo("claude");
        assertThat(found.inputItems().equals(input)).as("the 40,000 characters of input read back as written").isTrue();
        assertThat(found.response()).isEqualTo("{\"id\":\"" + id + "\"}");
        assertThat(found.createdAt()).isEqualTo(clock.instant());
        assertThat(found.owner()).isEqualTo(owner);
        assertThat(found.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(30)));

        store.responses().save(new StoredResponse(id, "claude", StoredResponse.Owner.NONE, "[]", "{}",
                Instant.EPOCH, T0.plus(Duration.ofDays(30))));
        assertThat(store.responses().find(id).orElseThrow().owner()).isEqualTo(StoredResponse.Owner.NONE);
        assertThat(store.responses().find(id).orElseThrow().inputItems()).isEqualTo("[]");
        assertThat(store.responses().delete(id)).isTrue();
        assertThat(store.responses().delete(id)).isFalse();
        assertThat(store.responses().find(id)).isEmpty();
    }

    @Test
    void shouldNeitherFindNorKeepAResponseOnceItExpired() {
        String early = "resp_" + UUID.randomUUID();
        String late = "resp_" + UUID.randomUUID();
        store.responses().save(new StoredResponse(early, "claude", StoredResponse.Owner.NONE, "[]", "{}",
                Instant.EPOCH, clock.instant().plusSeconds(60)));
        store.responses().save(new StoredResponse(late, "claude", StoredResponse.Owner.NONE, "[]", "{}",
                Instant.EPOCH, clock.instant().plusSeconds(120)));

        assertThat(store.responses().deleteExpired()).isZero();
        clock.advance(Duration.ofSeconds(60));
        assertThat(store.responses().find(early)).isEmpty();
        assertThat(store.responses().find(late)).isPresent();
        assertThat(store.responses().deleteExpired()).isEqualTo(1);
        assertThat(store.responses().delete(early)).as("already swept").isFalse();
        assertThat(store.responses().delete(late)).isTrue();
    }

    // ---- users

    @Test
    void shouldCreateFindUpdateAndDeleteUsers() {
        String id = "user-" + UUID.randomUUID();
        User created = store.users().create(User.builder(id)
                .userEmail("Alice." + id + "@Example.com")
                .userRole("internal_user")
                .maxBudget(20.0)
                .models(List.of("gpt-4o"))
                .rpmLimit(10L)
                .metadata("{\"dept\":\"r&d\"}")
                .build());

        assertThat(store.users().find(id)).contains(created);
        assertThat(store.users().findByEmail("alice." + id + "@example.COM")).contains(created);
        clock.advance(Duration.ofSeconds(1));
        User updated = store.users().update(created.toBuilder().userRole("proxy_admin").spend(50).build())
                .orElseThrow();
        assertThat(updated.userRole()).isEqualTo("proxy_admin");
        assertThat(updated.spend()).isZero();
        assertThat(updated.updatedAt()).isEqualTo(clock.instant());
        assertThatThrownBy(() -> store.users().create(User.builder(id).build()))
                .isInstanceOf(StoreConflictException.class);
        assertThat(store.users().delete(List.of(id, "nobody"))).containsExactly(id);
        assertThat(store.users().find(id)).isEmpty();
    }

    @Test
    void shouldListUsersByRoleNewestFirst() {
        String role = "role-" + UUID.randomUUID();
        for (int i = 0; i < 7; i++) {
            clock.advance(Duration.ofMillis(1));
            store.users().create(User.builder(role + "-" + i).userRole(role).build());
        }
        Page<User> page = store.users().list(new ListQuery(role, 1, 5));
        assertThat(page.totalCount()).isEqualTo(7);
        assertThat(page.items()).extracting(User::userId)
                .containsExactly(role + "-6", role + "-5", role + "-4", role + "-3", role + "-2");
    }

    // ---- teams and memberships

    @Test
    void shouldCreateUpdateBlockAndListTeams() {
        String org = "org-" + UUID.randomUUID();
        Team team = store.teams().create(Team.builder("team-" + org)
                .teamAlias("Research")
                .organizationId(org)
                .models(List.of("claude-3-5-sonnet"))
                .maxBudget(100.0)
                .modelRpmLimit(Map.of("claude-3-5-sonnet", 5L))
                .build());

        assertThat(store.teams().find(team.teamId())).contains(team);
        Team updated = store.teams().update(team.toBuilder().teamAlias("R&D").spend(9).build()).orElseThrow();
        assertThat(updated.teamAlias()).isEqualTo("R&D");
        assertThat(updated.spend()).isZero();
        assertThat(store.teams().setBlocked(team.teamId(), true).orElseThrow().blocked()).isTrue();
        assertThat(store.teams().list(new ListQuery(org, 1, 10)).items()).extracting(Team::teamId)
                .containsExactly(team.teamId());
        assertThatThrownBy(() -> store.teams().create(Team.builder(team.teamId()).build()))
                .isInstanceOf(StoreConflictException.class);
    }

    @Test
    void shouldManageMembershipsAndDropThemWithTheTeamOrTheUser() {
        String id = UUID.randomUUID().toString();
        String teamId = "team-" + id;
        store.teams().create(Team.builder(teamId).build());
        store.users().create(User.builder("ann-" + id).build());
        store.users().create(User.builder("bob-" + id).build());

        TeamMembership ann = store.teams().addMember(
                new TeamMembership(teamId, "ann-" + id, TeamMembership.ADMIN, 0, 5.0, Instant.EPOCH));
        store.teams().addMember(new TeamMembership(teamId, "bob-" + id, TeamMembership.USER, 0, null, Instant.EPOCH));

        assertThat(ann.createdAt()).isEqualTo(clock.instant());
        assertThat(store.teams().members(teamId)).extracting(TeamMembership::userId)
                .containsExactly("ann-" + id, "bob-" + id);
        assertThat(store.teams().membershipsOf("ann-" + id)).extracting(TeamMembership::teamId)
                .containsExactly(teamId);
        assertThatThrownBy(() -> store.teams().addMember(ann)).isInstanceOf(StoreConflictException.class);
        assertThatThrownBy(() -> store.teams().addMember(
                        new TeamMembership("no-team-" + id, "ann-" + id, TeamMembership.USER, 0, null, Instant.EPOCH)))
                .isInstanceOf(StoreException.class)
                .isNotInstanceOf(StoreConflictException.class);

        TeamMembership promoted = store.teams()
                .updateMember(new TeamMembership(teamId, "bob-" + id, TeamMembership.ADMIN, 0, 3.0, Instant.EPOCH))
                .orElseThrow();
        assertThat(promoted.role()).isEqualTo(TeamMembership.ADMIN);
        assertThat(promoted.maxBudget()).isEqualTo(3.0);

        store.users().delete(List.of("bob-" + id));
        assertThat(store.teams().findMember(teamId, "bob-" + id)).isEmpty();
        assertThat(store.teams().removeMember(teamId, "ann-" + id)).isTrue();
        assertThat(store.teams().removeMember(teamId, "ann-" + id)).isFalse();

        store.teams().addMember(new TeamMembership(teamId, "ann-" + id, TeamMembership.USER, 0, null, Instant.EPOCH));
        assertThat(store.teams().delete(List.of(teamId))).containsExactly(teamId);
        assertThat(store.teams().membershipsOf("ann-" + id)).isEmpty();
    }

    @Test
    void shouldResetDueBudgetsOnceAndScheduleTheNextReset() {
        String id = UUID.randomUUID().toString();
        Instant past = clock.instant().minusSeconds(60);
        Instant future = clock.instant().plusSeconds(3600);
        String due = KeyHash.of("sk-due-" + id);
        String notYet = KeyHash.of("sk-later-" + id);
        String expired = KeyHash.of("sk-expired-" + id);
        String garbled = KeyHash.of("sk-garbled-" + id);
        store.keys().create(VirtualKey.builder(due).spend(5).budgetDuration("1d").budgetResetAt(past).build());
        store.keys().create(VirtualKey.builder(notYet).spend(5).budgetDuration("1d").budgetResetAt(future).build());
        store.keys().create(VirtualKey.builder(expired).spend(5).budgetDuration("1d").budgetResetAt(past)
                .expires(past).build());
        store.keys().create(VirtualKey.builder(garbled).spend(5).budgetDuration("30").budgetResetAt(past).build());
        store.users().create(User.builder("budget-user-" + id).spend(3).budgetDuration("1h").budgetResetAt(past)
                .build());
        store.teams().create(Team.builder("budget-team-" + id).spend(4).budgetResetAt(past).build());

        BudgetResetCounts first = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);
        BudgetResetCounts second = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);

        assertThat(first.keys()).isGreaterThanOrEqualTo(2);
        assertThat(second).isEqualTo(new BudgetResetCounts(0, 0, 0, 0, 0));
        Instant midnight = Instant.parse("2026-03-05T00:00:00Z");
        VirtualKey reset = store.keys().find(due).orElseThrow();
        assertThat(reset.spend()).isZero();
        assertThat(reset.budgetResetAt()).isAfter(clock.instant());
        assertThat(store.keys().find(notYet).orElseThrow().spend()).isEqualTo(5);
        assertThat(store.keys().find(expired).orElseThrow().spend()).isEqualTo(5);
        assertThat(store.keys().find(garbled).orElseThrow().spend()).isZero();
        if (clock.instant().isBefore(midnight)) {
            assertThat(reset.budgetResetAt()).isEqualTo(midnight);
            assertThat(store.keys().find(garbled).orElseThrow().budgetResetAt()).isEqualTo(midnight);
        }
        User user = store.users().find("budget-user-" + id).orElseThrow();
        assertThat(user.spend()).isZero();
        assertThat(user.budgetResetAt()).isAfter(clock.instant());
        Team team = store.teams().find("budget-team-" + id).orElseThrow();
        assertThat(team.spend()).isZero();
        assertThat(team.budgetResetAt()).isNull();
    }

    // ---- end users

    @Test
    void shouldCreateEndUsersWithABudgetAndChangeTheBudgetInPlace() {
        String id = "cust-" + UUID.randomUUID();
        Budget tier = new Budget("tier-" + id, 10.0, null, null, null, 60L, "1d", T0.plusSeconds(60), T0, "admin",
                T0, "admin");
        EndUser created = store.endUsers().create(
                new EndUser(id, "Ann", 1.5, "eu", null, null, false, "{\"a\":1}", Instant.EPOCH, null), tier);

        assertThat(created.budgetId()).isEqualTo("tier-" + id);
        assertThat(created.maxBudget()).isEqualTo(10.0);
        assertThat(created.budget().rpmLimit()).isEqualTo(60L);
        assertThat(created.spend()).isEqualTo(1.5);
        assertThat(created.alias()).isEqualTo("Ann");
        assertThat(created.allowedModelRegion()).isEqualTo("eu");
        assertThat(created.isRestricted()).isTrue();
        assertThatThrownBy(() -> store.endUsers().create(EndUser.of(id), null))
                .isInstanceOf(StoreConflictException.class);
        assertThatThrownBy(() -> store.endUsers().create(
                new EndUser("x-" + id, null, 0, null, null, "no-such-budget", false, "{}", T0, null), null))
                .isInstanceOf(StoreException.class);

        clock.advance(Duration.ofSeconds(5));
        Budget raised = new Budget(tier.budgetId(), 20.0, null, null, null, null, null, null, T0, "admin", T0,
                "other");
        EndUser updated = store.endUsers().update(created, raised).orElseThrow();
        assertThat(updated.maxBudget()).isEqualTo(20.0);
        assertThat(updated.budget().updatedBy()).isEqualTo("other");
        assertThat(updated.budget().createdBy()).isEqualTo("admin");
        assertThat(updated.spend()).as("update never writes spend").isEqualTo(1.5);
        assertThat(updated.updatedAt()).isEqualTo(clock.instant());
        assertThat(store.endUsers().changedSince(clock.instant())).extracting(EndUser::userId).contains(id);
        assertThat(store.endUsers().update(EndUser.of("missing-" + id), null)).isEmpty();
        assertThat(store.endUsers().findBudget(tier.budgetId()).orElseThrow().maxBudget()).isEqualTo(20.0);

        assertThat(store.endUsers().delete(List.of(id, "missing-" + id))).containsExactly(id);
        assertThat(store.endUsers().find(id)).isEmpty();
        assertThat(store.endUsers().findBudget(tier.budgetId())).as("the budget stays").isPresent();
    }

    @Test
    void shouldBlockEndUsersCreatingUnknownOnesAndUnblockOnlyExistingOnes() {
        String id = "blk-" + UUID.randomUUID();
        store.endUsers().create(EndUser.of(id + "-a"), null);

        List<EndUser> blocked = store.endUsers().block(List.of(id + "-a", id + "-b"));

        assertThat(blocked).extracting(EndUser::userId).containsExactly(id + "-a", id + "-b");
        assertThat(blocked).allMatch(EndUser::blocked).allMatch(EndUser::isRestricted);
        assertThat(store.endUsers().restricted()).extracting(EndUser::userId).contains(id + "-a", id + "-b");
        List<EndUser> unblocked = store.endUsers().unblock(List.of(id + "-a", id + "-c"));
        assertThat(unblocked).extracting(EndUser::userId).containsExactly(id + "-a");
        assertThat(store.endUsers().find(id + "-a").orElseThrow().blocked()).isFalse();
        assertThat(store.endUsers().find(id + "-c")).isEmpty();
        assertThat(store.endUsers().restricted()).extracting(EndUser::userId).doesNotContain(id + "-a");
        Page<EndUser> page = store.endUsers().list(new ListQuery(null, 1, 100));
        assertThat(page.totalCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldResetADueMemberBudgetOnceAndMoveItsTeam() {
        String id = UUID.randomUUID().toString();
        String teamId = "member-reset-" + id;
        store.teams().create(Team.builder(teamId).build());
        store.users().create(User.builder("due-" + id).build());
        store.users().create(User.builder("later-" + id).build());
        Instant past = clock.instant().minusSeconds(60);
        Instant future = clock.instant().plusSeconds(3600);
        store.teams().addMember(new TeamMembership(teamId, "due-" + id, TeamMembership.USER, 4, 5.0, Instant.EPOCH,
                "1d", past));
        store.teams().addMember(new TeamMembership(teamId, "later-" + id, TeamMembership.USER, 3, 5.0,
                Instant.EPOCH, "1d", future));
        clock.advance(Duration.ofSeconds(1));

        BudgetResetCounts first = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);
        BudgetResetCounts second = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);

        assertThat(first.members()).isGreaterThanOrEqualTo(1);
        assertThat(second.members()).isZero();
        TeamMembership reset = store.teams().findMember(teamId, "due-" + id).orElseThrow();
        assertThat(reset.spend()).isZero();
        assertThat(reset.budgetDuration()).isEqualTo("1d");
        assertThat(reset.budgetResetAt()).isAfter(clock.instant());
        Instant midnight = Instant.parse("2026-03-05T00:00:00Z");
        if (clock.instant().isBefore(midnight)) {
            assertThat(reset.budgetResetAt()).isEqualTo(midnight);
        }
        assertThat(store.teams().findMember(teamId, "later-" + id).orElseThrow().spend()).isEqualTo(3);
        assertThat(store.teams().find(teamId).orElseThrow().updatedAt()).isEqualTo(clock.instant());
    }

    @Test
    void shouldRecordDeletionsOfEveryKindForOtherInstances() {
        String id = UUID.randomUUID().toString();
        clock.advance(Duration.ofSeconds(1));
        Instant since = clock.instant();
        String deleted = KeyHash.of("sk-deleted-" + id);
        String byAlias = KeyHash.of("sk-by-alias-" + id);
        String rehashed = KeyHash.of("sk-rehashed-" + id);
        store.keys().create(VirtualKey.builder(deleted).build());
        store.keys().create(VirtualKey.builder(byAlias).keyAlias("gone-" + id).build());
        store.keys().create(VirtualKey.builder(rehashed).build());
        store.users().create(User.builder("gone-" + id).build());
        store.teams().create(Team.builder("gone-" + id).build());
        store.endUsers().create(EndUser.of("gone-" + id), null);

        store.keys().delete(List.of(deleted));
        store.keys().deleteByAlias(List.of("gone-" + id));
        store.keys().rehash(rehashed, KeyHash.of("sk-new-" + id), "sk-...new");
        store.users().delete(List.of("gone-" + id));
        store.teams().delete(List.of("gone-" + id));
        store.endUsers().delete(List.of("gone-" + id));

        assertThat(store.deletedSince(since)).containsSubsequence(
                new StoreChange(StoreChange.Kind.KEY, deleted),
                new StoreChange(StoreChange.Kind.KEY, byAlias),
                new StoreChange(StoreChange.Kind.KEY, rehashed),
                new StoreChange(StoreChange.Kind.USER, "gone-" + id),
                new StoreChange(StoreChange.Kind.TEAM, "gone-" + id),
                new StoreChange(StoreChange.Kind.END_USER, "gone-" + id));
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.deletedSince(clock.instant())).isEmpty();
    }

    @Test
    void shouldResetTheSpendOfEndUsersWhenTheirBudgetIsDue() {
        String id = "rst-" + UUID.randomUUID();
        Instant past = clock.instant().minusSeconds(60);
        Budget due = new Budget("due-" + id, 1.0, null, null, null, null, "1d", past, T0, "a", T0, "a");
        Budget later = new Budget("later-" + id, 1.0, null, null, null, null, "1d", past.plusSeconds(7200), T0, "a",
                T0, "a");
        store.endUsers().create(new EndUser(id + "-1", null, 3, null, null, null, false, "{}", T0, null), due);
        store.endUsers().create(new EndUser(id + "-2", null, 4, null, null, due.budgetId(), false, "{}", T0, null),
                null);
        store.endUsers().create(new EndUser(id + "-3", null, 5, null, null, null, false, "{}", T0, null), later);

        BudgetResetCounts first = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);
        BudgetResetCounts second = store.resetDueBudgets(clock.instant(), ZoneOffset.UTC);

        assertThat(first.endUsers()).isGreaterThanOrEqualTo(2);
        assertThat(second.endUsers()).isZero();
        assertThat(store.endUsers().find(id + "-1").orElseThrow().spend()).isZero();
        assertThat(store.endUsers().find(id + "-2").orElseThrow().spend()).isZero();
        assertThat(store.endUsers().find(id + "-3").orElseThrow().spend()).isEqualTo(5);
        assertThat(store.endUsers().findBudget(due.budgetId()).orElseThrow().budgetResetAt())
                .isAfter(clock.instant());
    }

    @Test
    void shouldAnswerReachability() {
        assertThat(store.isReachable()).isTrue();
    }
}
