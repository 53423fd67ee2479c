package dev.llmproxy.proxy.keys;

import dev.llmproxy.proxy.auth.AuthResult;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Two instances (a store and a key service each) sharing one database, for tests of what one sees of the other. */
abstract class AbstractTwoInstancesTest {
    static final String MASTER = "sk-master-of-two-instances-000000";

    @TempDir
    Path dir;

    TestDatabases database;
    Store storeA;
    Store storeB;
    KeyService instanceA;
    KeyService instanceB;

    abstract TestDatabases newDatabase(Path dir);

    abstract KeyCacheSettings settings();

    @BeforeEach
    void startInstances() {
        database = newDatabase(dir);
        storeA = Stores.open(database.config());
        storeB = Stores.open(database.config());
        instanceA = KeyService.start(storeA, MASTER, settings(), 2, Clock.systemUTC());
        instanceB = KeyService.start(storeB, MASTER, settings(), 2, Clock.systemUTC());
    }

    @AfterEach
    void stopInstances() {
        instanceA.close();
        instanceB.close();
        storeA.close();
        storeB.close();
        database.close();
    }

    /** The result, once a store lookup it waits for has answered. */
    static AuthResult settled(AuthResult result) throws Exception {
        return result.isPending() ? result.pending().toCompletableFuture().get(5, TimeUnit.SECONDS) : result;
    }
}
