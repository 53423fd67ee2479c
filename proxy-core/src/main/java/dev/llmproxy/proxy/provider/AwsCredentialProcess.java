package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.SigV4;
import dev.llmproxy.proxy.provider.TokenRefresher.Expiring;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Credentials from a profile's {@code credential_process}, as boto3 gets them: the command line split as a POSIX shell
 * would split it (quotes and backslashes, no variables, globs or pipes) and run without a shell, its standard output
 * the JSON {@code {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}}. Credentials without
 * an {@code Expiration} are kept as keys read from a file are, and the command is run again after that.
 *
 * <p>Unlike boto3, a command is given {@link #timeoutMillis} to finish: one that hangs is killed (with its
 * descendants), and the requests waiting for credentials fail with an error saying so rather than waiting forever.
 *
 * <p>Thread-safety: immutable; {@link #fetch} runs the command on threads of its own, never the caller's.
 *
 * @param command the program and its arguments
 * @param timeoutMillis how long the command may run
 */
record AwsCredentialProcess(List<String> command, long timeoutMillis) {
    /** How long a command may take: long enough for a slow secrets vault, short enough not to hold requests up. */
    static final long TIMEOUT_MILLIS = Duration.ofSeconds(30).toMillis();
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;
    private static final int MAX_ERROR_CHARS = 300;
    /*
     * The command is waited for, and its two output streams drained, on threads that may block: a command runs at
     * most once an hour per profile, so the pool is small in practice, and its idle threads end after a minute.
     */
    private static final ExecutorService RUNNER = Executors.newCachedThreadPool(new DaemonThreads());

    AwsCredentialProcess {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new UpstreamAuth.CredentialsException("credential_process is empty");
        }
    }

    /** The process of a {@code credential_process} line. */
    static AwsCredentialProcess of(String commandLine) {
        return new AwsCredentialProcess(split(commandLine), TIMEOUT_MILLIS);
    }

    /**
     * Runs the command; completes with its credentials, or exceptionally with a
     * {@link UpstreamAuth.CredentialsException}.
     */
    CompletionStage<Expiring<SigV4.Credentials>> fetch(Clock clock) {
        requireNonNull(clock, "clock");
        return CompletableFuture.supplyAsync(() -> parse(run(), clock.instant(), name()), RUNNER);
    }

    private String run() {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UpstreamAuth.CredentialsException("The credential_process " + name() + " could not be started: "
                    + e.getMessage());
        }
        Future<byte[]> output = RUNNER.submit(() -> read(process.getInputStream(), MAX_OUTPUT_BYTES + 1));
        Future<byte[]> errors = RUNNER.submit(() -> read(process.getErrorStream(), MAX_ERROR_CHARS));
        try {
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new TimeoutException();
            }
            // Something the command started may still hold its output open: that gets the same time again at most.
            byte[] out = output.get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (process.exitValue() != 0) {
                String message = new String(errors.get(timeoutMillis, TimeUnit.MILLISECONDS),
                        StandardCharsets.UTF_8).strip();
                throw new UpstreamAuth.CredentialsException("The credential_process " + name() + " exited with "
                        + process.exitValue() + (message.isEmpty() ? "" : ": " + message));
            }
            if (out.length > MAX_OUTPUT_BYTES) {
                throw new UpstreamAuth.CredentialsException("The credential_process " + name() + " wrote more than "
                        + MAX_OUTPUT_BYTES + " bytes");
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (TimeoutException e) {
            throw new UpstreamAuth.CredentialsException("The credential_process " + name() + " did not finish within "
                    + timeoutMillis + " ms and was stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamAuth.CredentialsException("The credential_process " + name() + " was interrupted");
        } catch (ExecutionException e) {
            throw new UpstreamAuth.CredentialsException("The credential_process " + name() + "'s output could not be "
                    + "read: " + e.getCause());
        } finally {
            // A command that timed out, and anything it started that still holds its pipes, must not outlive the call.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            output.cancel(true);
            errors.cancel(true);
        }
    }

    /** The program, for messages: its arguments may hold secrets. */
    private String name() {
        return "'" + command.get(0) + "'";
    }

    private static byte[] read(InputStream stream, int limit) {
        try (stream) {
            return stream.readNBytes(limit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a command's output received at {@code now}.
     *
     * @param command the program, for messages
     * @throws UpstreamAuth.CredentialsException when it is not version 1 JSON with the two keys
     */
    static Expiring<SigV4.Credentials> parse(String output, Instant now, String command) {
        Map<String, String> fields = AwsJson.fields(output, null);
        if (fields == null) {
            throw new UpstreamAuth.CredentialsException("The credential_process " + command + " did not write a "
                    + "JSON object");
        }
        if (!"1".equals(fields.get("Version"))) {
            throw new UpstreamAuth.CredentialsException("The credential_process " + command + " wrote Version "
                    + fields.get("Version") + " (expected: 1)");
        }
        String keyId = fields.get("AccessKeyId");
        String secret = fields.get("SecretAccessKey");
        if (keyId == null || secret == null) {
            throw new UpstreamAuth.CredentialsException("The credential_process " + command + " wrote no "
                    + "AccessKeyId and SecretAccessKey");
        }
        String what = "The credential_process " + command;
        return new Expiring<>(new SigV4.Credentials(keyId, secret, fields.get("SessionToken")),
                AwsJson.secondsUntil(fields.get("Expiration"), now, what));
    }

    /**
     * A command line split into words as {@code shlex.split} (POSIX mode) splits it, which is what the AWS CLI and
     * boto3 do: whitespace separates words; a backslash outside quotes takes the next character as it is; single
     * quotes keep everything; inside double quotes a backslash escapes only {@code "} and {@code \}.
     *
     * @throws UpstreamAuth.CredentialsException on an unclosed quote or a trailing backslash
     */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i++);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '\\') {
                if (i == line.length()) {
                    throw new UpstreamAuth.CredentialsException("credential_process ends with a lone backslash");
                }
                word.append(line.charAt(i++));
                inWord = true;
            } else if (c == '\'' || c == '"') {
                int close = c == '\'' ? line.indexOf('\'', i) : closingDoubleQuote(line, i);
                if (close < 0) {
                    throw new UpstreamAuth.CredentialsException("credential_process has no closing quotation");
                }
                String quoted = line.substring(i, close);
                word.append(c == '\'' ? quoted : quoted.replaceAll("\\\\([\"\\\\])", "$1"));
                i = close + 1;
                inWord = true;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static int closingDoubleQuote(String line, int from) {
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "aws-credential-process-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
