package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/llmproxy.service} passes {@code systemd-analyze verify} without a message (issue 12). verify exits 0
 * on unknown keys and bad values and only prints them, so the output must be empty. It also requires the
 * {@code ExecStart} program to exist, so that one path is replaced by {@code /bin/true}. Skipped where systemd is
 * not installed: it is a lint of a file, not of llmproxy.
 */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("..", "conf", "llmproxy.service");
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @Test
    void shouldPassSystemdAnalyzeVerifyWithoutMessages(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), "systemd-analyze is not installed");
        String unit = Files.readString(UNIT, UTF_8);
        assertThat(unit).contains("ExecStart=/opt/llmproxy/bin/llmproxy ");
        Path copy = Files.writeString(dir.resolve("llmproxy.service"),
                unit.replace("ExecStart=/opt/llmproxy/bin/llmproxy ", "ExecStart=/bin/true "), UTF_8);

        Process verify = new ProcessBuilder(SYSTEMD_ANALYZE.toString(), "verify", copy.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("verify.out").toFile())
                .start();

        assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(dir.resolve("verify.out"), UTF_8);
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).isEmpty();
    }
}
