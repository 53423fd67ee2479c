package dev.llmproxy.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A profile's {@code credential_process}: its command line split as the AWS CLI splits it, run, and its JSON read. */
class AwsCredentialProcessTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldSplitTheCommandLineAsAPosixShellWithoutRunningOne() {
        String line = "  /opt/bin/creds --profile 'my team'  \"say \\\"hi\\\" \\n\" a\\ b $HOME";

        assertThat(AwsCredentialProcess.split(line)).containsExactly("/opt/bin/creds", "--profile", "my team",
                "say \"hi\" \\n", "a b", "$HOME");
        assertThat(AwsCredentialProcess.split("vault ''")).containsExactly("vault", "");
        assertThatThrownBy(() -> AwsCredentialProcess.split("creds 'unclosed"))
                .hasMessage("credential_process has no closing quotation");
        assertThatThrownBy(() -> AwsCredentialProcess.split("creds \\"))
                .hasMessage("credential_process ends with a lone backslash");
    }

    @Test
    void shouldReadVersionOneCredentialsWithTheirExpiration() {
        Expiring<SigV4.Credentials> credentials = AwsCredentialProcess.parse("""
                {"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "s3cret", "SessionToken": "tok",
                 "Expiration": "2025-06-01T12:30:00Z"}""", NOW, "'creds'");
        Expiring<SigV4.Credentials> longTerm = AwsCredentialProcess.parse(
                "{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s3cret\"}", NOW, "'creds'");

        assertThat(credentials.value()).isEqualTo(new SigV4.Credentials("ASIAPROC", "s3cret", "tok"));
        assertThat(credentials.expiresInSeconds()).isEqualTo(1800);
        assertThat(longTerm.value().sessionToken()).isNull();
        assertThat(longTerm.expiresInSeconds()).isEqualTo(AwsProfiles.STATIC_KEYS_SECONDS);
    }

    @Test
    void shouldRefuseAnotherVersionOutputThatIsNotJsonAndMissingKeys() {
        assertThatThrownBy(() -> AwsCredentialProcess.parse("{\"Version\": 2, \"AccessKeyId\": \"A\", "
                + "\"SecretAccessKey\": \"S\"}", NOW, "'creds'"))
                .hasMessage("The credential_process 'creds' wrote Version 2 (expected: 1)");
        assertThatThrownBy(() -> AwsCredentialProcess.parse("Enter MFA code:", NOW, "'creds'"))
                .hasMessage("The credential_process 'creds' did not write a JSON object");
        assertThatThrownBy(() -> AwsCredentialProcess.parse("{\"Version\": 1, \"AccessKeyId\": \"A\"}", NOW,
                "'creds'")).hasMessage("The credential_process 'creds' wrote no AccessKeyId and SecretAccessKey");
    }

    @Test
    void shouldRunTheCommandWithItsArgumentsAndReadItsOutput() throws IOException {
        Path script = script("creds", """
                #!/bin/sh
                printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "secret of %s", "SessionToken": "t",
                  "Expiration": "2025-06-01T13:00:00Z"}' "$1" "$2"
                """);
        AwsCredentialProcess process = AwsCredentialProcess.of(script + " ASIAFROMARG 'the team'");

        Expiring<SigV4.Credentials> credentials = process.fetch(Clock.fixed(NOW, ZoneOffset.UTC))
                .toCompletableFuture().join();

        assertThat(credentials.value()).isEqualTo(new SigV4.Credentials("ASIAFROMARG", "secret of the team", "t"));
        assertThat(credentials.expiresInSeconds()).isEqualTo(3600);
    }

    @Test
    void shouldFailWithTheExitCodeAndStandardErrorOfAFailingCommand() throws IOException {
        Path script = script("failing", """
                #!/bin/sh
                echo 'vault: permission denied' >&2
                exit 3
                """);

        assertThatThrownBy(() -> AwsCredentialProcess.of(script + " --secret-arg").fetch(Clock.systemUTC())
                .toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(UpstreamAuth.CredentialsException.class)
                .hasMessage("The credential_process '" + script + "' exited with 3: vault: permission denied");
    }

    @Test
    void shouldStopACommandThatHangsAndSaySo() throws IOException {
        Path script = script("hanging", """
                #!/bin/sh
                sleep 30
                """);
        AwsCredentialProcess process = new AwsCredentialProcess(List.of(script.toString()), 300);

        assertThatThrownBy(() -> process.fetch(Clock.systemUTC()).toCompletableFuture().join())
                .cause().isInstanceOf(UpstreamAuth.CredentialsException.class)
                .hasMessage("The credential_process '" + script + "' did not finish within 300 ms and was stopped");
    }

    @Test
    void shouldSayWhenTheProgramCannotBeStarted() {
        assertThatThrownBy(() -> AwsCredentialProcess.of(dir.resolve("missing") + " x").fetch(Clock.systemUTC())
                .toCompletableFuture().join())
                .cause().isInstanceOf(UpstreamAuth.CredentialsException.class)
                .hasMessageStartingWith("The credential_process '" + dir.resolve("missing") + "' could not be started");
    }

    private Path script(String name, String text) throws IOException {
        Path script = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}
