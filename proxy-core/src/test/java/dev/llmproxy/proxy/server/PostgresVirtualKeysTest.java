package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.keys.TestDatabases;
import java.nio.file.Path;

/** {@link AbstractVirtualKeysTest} on the real PostgreSQL (a schema of its own, dropped afterwards). */
class PostgresVirtualKeysTest extends AbstractVirtualKeysTest {
    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.postgres();
    }
}
