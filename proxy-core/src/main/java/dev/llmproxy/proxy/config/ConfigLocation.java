package dev.llmproxy.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * Where a value was written: the file as the user named it and the 1-based line. {@link #toString()} is
 * {@code file:line}, the prefix of every {@link ConfigException} message.
 */
public record ConfigLocation(String file, int line) {

    public ConfigLocation {
        requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line: " + line + " (expected: >= 1)");
        }
    }

    @Override
    public String toString() {
        return file + ':' + line;
    }
}
