package dev.llmproxy.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The store's API (this package) shows no JDBI, Flyway, HikariCP or Netty type in a public signature, so callers
 * depend on plain records and interfaces only (STYLE.md section 1).
 */
class ApiBoundaryTest {
    private static final List<String> FORBIDDEN = List.of("org.jdbi.", "org.flywaydb.", "com.zaxxer.", "io.netty.");

    @Test
    void shouldKeepImplementationTypesOutOfPublicSignatures() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : apiClasses()) {
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers())) {
                    check(leaks, type, m.toGenericString());
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (Modifier.isPublic(c.getModifiers())) {
                    check(leaks, type, c.toGenericString());
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    private static void check(List<String> leaks, Class<?> type, String signature) {
        for (String prefix : FORBIDDEN) {
            if (signature.contains(prefix)) {
                leaks.add(type.getSimpleName() + ": " + signature);
            }
        }
    }

    private static boolean isClass(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".class") && !name.startsWith("package-info");
    }

    private static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(Store.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/llmproxy/store");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(ApiBoundaryTest::isClass).toList()) {
                String name = file.getFileName().toString();
                out.add(Class.forName("dev.llmproxy.store." + name.substring(0, name.length() - ".class".length())));
            }
        }
        assertThat(out).contains(Store.class, SpendWriter.class, VirtualKey.class);
        return out;
    }
}
