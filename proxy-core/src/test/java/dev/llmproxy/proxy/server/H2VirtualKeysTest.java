package dev.llmproxy.proxy.server;

import dev.llmproxy.proxy.keys.TestDatabases;
import java.nio.file.Path;

/** {@link AbstractVirtualKeysTest} on the embedded H2 database (the default without {@code database_url}). */
class H2VirtualKeysTest extends AbstractVirtualKeysTest {
    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }
}
