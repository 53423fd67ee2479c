package dev.llmproxy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads {@code conf/jvm.options}, the JVM options {@code bin/llmproxy} starts llmproxy with: one option per line,
 * blank lines and lines starting with {@code #} ignored. Thread-safety: stateless.
 */
final class JvmOptionsFile {

    /** The file, relative to the repository root (the working directory bin/bench sets). */
    static final Path DEFAULT = Path.of("conf", "jvm.options");

    private JvmOptionsFile() {
    }

    /**
     * The options in {@code file}.
     *
     * @throws IllegalStateException if the file does not exist (the message says how to get around it)
     * @throws UncheckedIOException if it cannot be read
     */
    static List<String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("JVM options file not found: " + file.toAbsolutePath()
                    + " (run from the repository root, as bin/bench does, or pass --proxy-java-opts)");
        }
        try {
            return parse(Files.readString(file, UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The options in a file's text, one per non-blank, non-comment line, trimmed. */
    static List<String> parse(String text) {
        return text.lines().map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    /** Options given as one string (option or environment variable), split on whitespace. */
    static List<String> split(String options) {
        return options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }
}
