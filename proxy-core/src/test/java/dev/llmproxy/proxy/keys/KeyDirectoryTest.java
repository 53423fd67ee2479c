package dev.llmproxy.proxy.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyDirectoryTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T16:00:00Z"), ZoneOffset.UTC);

    private final StubKeyStore stub = new StubKeyStore();

    @Test
    void shouldLoadAMissOnceAndAnswerLaterRequestsFromTheCache() throws Exception {
        String key = "sk-known";
        stub.keys.put(KeyHash.of(key), VirtualKey.builder(KeyHash.of(key)).keyName("sk-...nown").build());
        KeyDirectory directory = new KeyDirectory(KeyCacheSettings.DEFAULTS.withCapacity(64), stub.store(),
                Runnable::run, CLOCK);

        AuthResult first = directory.authenticate(KeyHashes.sha256(key));
        AuthResult second = directory.authenticate(KeyHashes.sha256(key));

        assertThat(first.isPending()).isTrue();
        AuthResult loaded = first.pending().toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertThat(loaded.isAccepted()).isTrue();
        assertThat(second).isSameAs(loaded);
        assertThat(stub.lookups).hasValue(1);
    }

    @Test
    void shouldNotLetARefreshThatReadBeforeAChangePutTheOldRowBack() {
        String key = "sk-changed";
        KeyDirectory directory = new KeyDirectory(KeyCacheSettings.DEFAULTS.withCapacity(64), stub.store(),
                Runnable::run, CLOCK);
        VirtualKey blocked = VirtualKey.builder(KeyHash.of(key)).keyName("sk-...nged").blocked(true).build();
        directory.install(blocked);

        long refreshRead = directory.installSequence();
        directory.install(blocked.toBuilder().blocked(false).build());
        directory.install(blocked, refreshRead);

        assertThat(directory.authenticate(KeyHashes.sha256(key)).isAccepted()).as("the unblock stays").isTrue();
        directory.install(blocked, directory.installSequence());
        assertThat(directory.authenticate(KeyHashes.sha256(key)).isAccepted()).as("a later read applies").isFalse();
    }

    @Test
    void shouldRememberAWrongKeyAndNotAskTheStoreAgain() throws Exception {
        KeyDirectory directory = new KeyDirectory(KeyCacheSettings.DEFAULTS.withCapacity(64), stub.store(),
                Runnable::run, CLOCK);

        AuthResult first = directory.authenticate(KeyHashes.sha256("sk-wrong"));
        AuthResult again = directory.authenticate(KeyHashes.sha256("sk-wrong"));

        assertThat(first.pending().toCompletableFuture().get(1, TimeUnit.SECONDS)).isSameAs(AuthResult.UNKNOWN);
        assertThat(again).isSameAs(AuthResult.UNKNOWN);
        assertThat(stub.lookups).hasValue(1);
    }

    @Test
    void shouldNotLetAFloodOfRandomKeysReachTheStoreBeyondTheMissRate() {
        KeyDirectory directory = new KeyDirectory(KeyCacheSettings.DEFAULTS.withCapacity(64).withMissesPerMinute(50),
                stub.store(), Runnable::run, CLOCK);

        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            AuthResult result = directory.authenticate(KeyHashes.sha256("sk-random-" + i));
            if (result == AuthResult.UNKNOWN) {
                refused++;
            }
        }

        assertThat(stub.lookups).hasValue(50);
        assertThat(refused).isEqualTo(10_000 - 50);
    }
}
