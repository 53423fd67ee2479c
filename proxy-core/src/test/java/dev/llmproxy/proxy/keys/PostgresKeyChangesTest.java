package dev.llmproxy.proxy.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two instances sharing one PostgreSQL database: a key blocked or deleted through one is refused by the other within a
 * second, and a deleted user, team or end user leaves the other's cache within a second, carried by
 * {@code LISTEN/NOTIFY} alone (the periodic refresh and reconciliation are set to a minute, so they cannot be what
 * delivers it).
 */
class PostgresKeyChangesTest extends AbstractTwoInstancesTest {
    private static final KeyCacheSettings NO_REFRESH =
            new KeyCacheSettings(1024, 1024, 60_000, 6_000, 16, 60_000, 60_000);

    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.postgres();
    }

    @Override
    KeyCacheSettings settings() {
        return NO_REFRESH;
    }

    @Test
    void shouldRefuseOnTheOtherInstanceWithinASecondAKeyBlockedOnOne() throws Exception {
        String key = "sk-shared-between-instances";
        VirtualKey created = storeA.keys().create(VirtualKey.builder(KeyHash.of(key)).keyName("sk-...nces").build());
        instanceA.changed(created);
        HttpHeaders headers = new DefaultHttpHeaders().set("authorization", "Bearer " + key);
        assertThat(settled(instanceB.authenticator().authenticate(headers)).isAccepted()).isTrue();

        instanceA.changed(storeA.keys().setBlocked(KeyHash.of(key), true).orElseThrow());

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> instanceB.authenticator().authenticate(headers), r -> r == AuthResult.BLOCKED);
    }

    @Test
    void shouldRefuseOnTheOtherInstanceWithinASecondAKeyDeletedOnOne() throws Exception {
        String key = "sk-deleted-between-instances";
        instanceA.changed(storeA.keys().create(VirtualKey.builder(KeyHash.of(key)).keyName("sk-...nces").build()));
        HttpHeaders headers = new DefaultHttpHeaders().set("authorization", "Bearer " + key);
        assertThat(settled(instanceB.authenticator().authenticate(headers)).isAccepted()).isTrue();

        instanceA.deleted(storeA.keys().delete(List.of(KeyHash.of(key))));

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> settled(instanceB.authenticator().authenticate(headers)), r -> r == AuthResult.UNKNOWN);
    }

    @Test
    void shouldForgetOnTheOtherInstanceWithinASecondAUserAndATeamDeletedOnOne() {
        User user = storeA.users().create(User.builder("user-deleted-between-instances").spend(1).build());
        Team team = storeA.teams().create(Team.builder("team-deleted-between-instances").spend(2).build());
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
                instanceB.cachedUserSpend(user.userId()) != null && instanceB.cachedTeamSpend(team.teamId()) != null);

        storeA.users().delete(List.of(user.userId()));
        storeA.teams().delete(List.of(team.teamId()));

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() ->
                instanceB.cachedUserSpend(user.userId()) == null && instanceB.cachedTeamSpend(team.teamId()) == null);
    }

    @Test
    void shouldLetTheCallsOfAnEndUserBlockedThenDeletedOnOneThroughOnTheOtherWithinASecond() {
        String id = "end-user-deleted-between-instances";
        storeA.endUsers().block(List.of(id));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> instanceB.endUsers().check(id) != null);

        storeA.endUsers().delete(List.of(id));

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> instanceB.endUsers().check(id) == null);
    }
}
