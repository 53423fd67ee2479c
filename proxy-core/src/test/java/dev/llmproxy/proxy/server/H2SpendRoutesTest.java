package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.keys.TestDatabases;
import java.nio.file.Path;

/** {@link AbstractSpendRoutesTest} on the embedded H2 database. */
class H2SpendRoutesTest extends AbstractSpendRoutesTest {
    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }
}
