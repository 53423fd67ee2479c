package dev.llmproxy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.mock.MockGitHub;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CopilotCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldPrintTheCodeAndStoreBothTokensWhenTheOperatorLogsIn() throws Exception {
        try (MockGitHub github = MockGitHub.start(1, 1800, "http://127.0.0.1:1")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            int status = login(github, out);

            assertThat(status).isZero();
            assertThat(out.toString(UTF_8)).contains("open https://github.com/login/device and enter the code "
                    + MockGitHub.USER_CODE, "Logged in");
            assertThat(dir.resolve("access-token")).content(UTF_8).isEqualTo(MockGitHub.ACCESS_TOKEN);
            assertThat(dir.resolve("api-key.json")).content(UTF_8).contains("\"token\":\"tid=mock1;",
                    "\"api\":\"http://127.0.0.1:1\"");
        }
    }

    @Test
    void shouldExitNonZeroSayingWhyWhenGitHubRefusesTheCopilotToken() throws Exception {
        try (MockGitHub github = MockGitHub.start(0, 1800, "http://127.0.0.1:1")) {
            github.revoke();
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            int status = login(github, out);

            assertThat(status).isEqualTo(CopilotCommand.EXIT_LOGIN_FAILED);
            assertThat(out.toString(UTF_8)).contains("GitHub Copilot login failed", "no Copilot access");
        }
    }

    private int login(MockGitHub github, ByteArrayOutputStream out) {
        Map<String, String> env = Map.of("GITHUB_COPILOT_TOKEN_DIR", dir.toString(),
                "GITHUB_COPILOT_GITHUB_URL", github.origin(), "GITHUB_COPILOT_API_KEY_URL", github.apiKeyUrl());
        return new CommandLine(new CopilotCommand(env, new PrintStream(out, true, UTF_8))).execute("login");
    }
}
