package dev.llmproxy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchMainTest {

    @TempDir
    Path output;

    @Test
    void shouldWriteReportsWhenMockServesAsBothTargets() throws IOException {
        int port = freePort();
        CommandLine commandLine = new CommandLine(new BenchMain());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);

        int status = commandLine.execute("--no-pin", "--no-nginx", "--repeat", "2", "--mock-port", Integer.toString(port),
                "--proxy-url", "http://127.0.0.1:" + port, "--proxy-model", "mock-model",
                "--connections", "4", "--rates", "500", "--streams", "3",
                "--initial-warmup-seconds", "0.2", "--warmup-seconds", "0.1", "--throughput-seconds", "0.3",
                "--latency-seconds", "0.3", "--streaming-seconds", "0.5", "--output-dir", output.toString());

        assertThat(status).isZero();
        List<Path> runs;
        try (Stream<Path> list = Files.list(output)) {
            runs = list.toList();
        }
        assertThat(runs).hasSize(1);
        String markdown = Files.readString(runs.get(0).resolve("report.md"), UTF_8);
        String json = Files.readString(runs.get(0).resolve("report.json"), UTF_8);
        assertThat(markdown).contains("## a) Throughput", "| 4 |", "500 req/s", "not pinned (disabled by --no-pin)",
                "| proxy errors + unanswered requests, all scenarios | 0 | 0 | n/a | PASS |",
                "| nginx target | not run |", "Every point ran 2 times per target");
        assertThat(json).contains("\"streams\":3", "\"ratePerSecond\":500", "\"connections\":4", "\"repeat\":2",
                "\"nginx\":null");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
