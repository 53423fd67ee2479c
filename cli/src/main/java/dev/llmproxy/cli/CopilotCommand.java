package dev.llmproxy.cli;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.provider.CopilotTokens;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import picocli.CommandLine.Command;

/**
 * {@code llmproxy copilot login}: GitHub's device flow for {@code github_copilot/} models, done up front in a
 * terminal, storing the tokens where the proxy (and LiteLLM) reads them ({@code GITHUB_COPILOT_TOKEN_DIR}).
 */
@Command(name = "copilot", mixinStandardHelpOptions = true,
        description = "GitHub Copilot credentials for github_copilot/ models.")
final class CopilotCommand {

    static final int EXIT_LOGIN_FAILED = 5;

    private final Map<String, String> env;
    private final PrintStream out;

    CopilotCommand(Map<String, String> env, PrintStream out) {
        this.env = requireNonNull(env, "env");
        this.out = requireNonNull(out, "out");
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Log in to GitHub (device flow) and store the Copilot tokens in GITHUB_COPILOT_TOKEN_DIR "
                    + "(default ~/.config/litellm/github_copilot).")
    int login() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        CopilotTokens tokens = new CopilotTokens(CopilotTokens.Settings.of(env), client, Clock.systemUTC(),
                ForkJoinPool.commonPool());
        try {
            tokens.login(out);
            return 0;
        } catch (CopilotTokens.TokenException e) {
            out.println("llmproxy: GitHub Copilot login failed: " + e.getMessage());
            return EXIT_LOGIN_FAILED;
        }
    }
}
