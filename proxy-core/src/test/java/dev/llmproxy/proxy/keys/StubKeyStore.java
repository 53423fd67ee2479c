package dev.llmproxy.proxy.keys;

import dev.llmproxy.store.KeyStore;
import dev.llmproxy.store.KeyWithOwners;
import dev.llmproxy.store.VirtualKey;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link KeyStore} that answers {@code findWithOwners} from a map and counts the calls; every other method fails
 * the test. For the key cache's miss path without a database.
 */
final class StubKeyStore {
    final Map<String, VirtualKey> keys = new ConcurrentHashMap<>();
    final AtomicInteger lookups = new AtomicInteger();

    KeyStore store() {
        return (KeyStore) Proxy.newProxyInstance(KeyStore.class.getClassLoader(), new Class<?>[] {KeyStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("findWithOwners")) {
                        lookups.incrementAndGet();
                        VirtualKey key = keys.get((String) args[0]);
                        return Optional.ofNullable(key == null ? null : new KeyWithOwners(key, null, null, null));
                    }
                    throw new AssertionError("unexpected store call " + method.getName());
                });
    }
}
