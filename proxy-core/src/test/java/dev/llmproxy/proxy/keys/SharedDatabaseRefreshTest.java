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
 * Two instances sharing one embedded database, which has no change notifications: what one deletes or blocks reaches
 * the other through the refresh alone (every 200 ms here; reconciliation set to a minute, so it cannot be what
 * delivers it), within a second. This is the bound that holds on PostgreSQL too when a notification is lost.
 */
class SharedDatabaseRefreshTest extends AbstractTwoInstancesTest {
    private static final KeyCacheSettings REFRESH_ONLY =
            new KeyCacheSettings(1024, 1024, 60_000, 6_000, 16, 200, 60_000);

    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }

    @Override
    KeyCacheSettings settings() {
        return REFRESH_ONLY;
    }

    @Test
    void shouldRefuseOnTheOtherInstanceWithinASecondAKeyBlockedOrDeletedOnOne() throws Exception {
        String blocked = "sk-blocked-through-refresh";
        String deleted = "sk-deleted-through-refresh";
        instanceA.changed(storeA.keys().create(VirtualKey.builder(KeyHash.of(blocked)).build()));
        instanceA.changed(storeA.keys().create(VirtualKey.builder(KeyHash.of(deleted)).build()));
        HttpHeaders blockedHeaders = new DefaultHttpHeaders().set("authorization", "Bearer " + blocked);
        HttpHeaders deletedHeaders = new DefaultHttpHeaders().set("authorization", "Bearer " + deleted);
        assertThat(settled(instanceB.authenticator().authenticate(blockedHeaders)).isAccepted()).isTrue();
        assertThat(settled(instanceB.authenticator().authenticate(deletedHeaders)).isAccepted()).isTrue();

        instanceA.changed(storeA.keys().setBlocked(KeyHash.of(blocked), true).orElseThrow());
        instanceA.deleted(storeA.keys().delete(List.of(KeyHash.of(deleted))));

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() ->
                instanceB.authenticator().authenticate(blockedHeaders) == AuthResult.BLOCKED
                        && settled(instanceB.authenticator().authenticate(deletedHeaders)) == AuthResult.UNKNOWN);
    }

    @Test
    void shouldForgetOnTheOtherInstanceWithinASecondAUserATeamAndAnEndUserDeletedOnOne() {
        User user = storeA.users().create(User.builder("user-deleted-through-refresh").spend(1).build());
        Team team = storeA.teams().create(Team.builder("team-deleted-through-refresh").spend(2).build());
        String endUser = "end-user-deleted-through-refresh";
        storeA.endUsers().block(List.of(endUser));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
                instanceB.cachedUserSpend(user.userId()) != null && instanceB.cachedTeamSpend(team.teamId()) != null
                        && instanceB.endUsers().check(endUser) != null);

        storeA.users().delete(List.of(user.userId()));
        storeA.teams().delete(List.of(team.teamId()));
        storeA.endUsers().delete(List.of(endUser));

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() ->
                instanceB.cachedUserSpend(user.userId()) == null && instanceB.cachedTeamSpend(team.teamId()) == null
                        && instanceB.endUsers().check(endUser) == null);
    }
}
