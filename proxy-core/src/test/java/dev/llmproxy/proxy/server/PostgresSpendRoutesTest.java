package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.keys.TestDatabases;
import java.nio.file.Path;

/** {@link AbstractSpendRoutesTest} on PostgreSQL. */
class PostgresSpendRoutesTest extends AbstractSpendRoutesTest {
    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.postgres();
    }
}
