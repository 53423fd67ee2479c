package dev.llmproxy.bench.scenario;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ProcessStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Large uploads through the proxy (issue 11: "a 100 MB transcription upload ... with peak RSS growth under 32 MB"):
 * one warm-up upload, then the proxy's peak resident set is reset ({@code /proc/<pid>/clear_refs}), one upload of
 * the asked size is sent as a multipart transcription with a {@code Content-Length}, and the peak is read again. The
 * growth is the new peak over the resident set before the upload. Runs in seconds on loopback.
 *
 * <p>Thread-safety: not thread-safe; {@link #run} blocks the calling thread.
 */
public final class UploadRunner {
    /** The model of the proxy's config that takes the uploads. */
    public static final String MODEL = "bench-whisper";
    /** The goal for the peak RSS growth of a 100 MB upload. */
    public static final long GOAL_BYTES = 32L << 20;

    private static final String BOUNDARY = "benchUploadBoundary0123456789";
    private static final int WRITE_BYTES = 64 * 1024;

    private final InetSocketAddress proxy;
    private final ProcessStats stats;

    /**
     * @param proxy the proxy's address
     * @param stats the proxy process's figures
     */
    public UploadRunner(InetSocketAddress proxy, ProcessStats stats) {
        this.proxy = requireNonNull(proxy, "proxy");
        this.stats = requireNonNull(stats, "stats");
    }

    /** Starts a proxy whose config has {@code bench-model} (for the readiness check) and {@link #MODEL}. */
    public static ProxyProcess startProxy(Path jar, List<String> javaOptions, String mockBaseUrl, Path workDir,
            CpuPinning pinning) {
        return ProxyProcess.start(jar, javaOptions, "upload-proxy",
                "model_list:\n" + ProxyProcess.benchModel(mockBaseUrl) + model(mockBaseUrl), Map.of(), Map.of(),
                workDir, pinning);
    }

    /** The {@code model_list} entry of {@link #MODEL}: an OpenAI-compatible deployment on the mock. */
    public static String model(String mockBaseUrl) {
        return "  - model_name: " + MODEL + "\n"
                + "    litellm_params: {model: openai/whisper-1, api_base: \"" + mockBaseUrl + "\", api_key: sk-mock}\n"
                + "    model_info: {mode: audio_transcription}\n";
    }

    /**
     * Uploads 1 MB to warm up, then {@code megabytes} MB, measuring the proxy's memory around the second.
     *
     * @throws IllegalStateException if an upload is not answered 200
     */
    public Result run(int megabytes) {
        upload(1L << 20);
        resetPeak();
        long rssBefore = stats.rssBytes();
        long started = System.nanoTime();
        upload((long) megabytes << 20);
        long elapsedNanos = System.nanoTime() - started;
        return new Result(megabytes, rssBefore, stats.peakRssBytes(), stats.rssBytes(), elapsedNanos);
    }

    /** Sends one upload of {@code fileBytes} zero bytes and reads the answer's status. */
    private void upload(long fileBytes) {
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + MODEL
                + "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(US_ASCII);
        long length = head.length + fileBytes + tail.length;
        try (Socket socket = new Socket()) {
            socket.connect(proxy, 5_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + "multipart/form-data; boundary=" + BOUNDARY + "\r\nContent-Length: " + length
                    + "\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
            out.write(head);
            byte[] zeros = new byte[WRITE_BYTES];
            for (long left = fileBytes; left > 0; left -= WRITE_BYTES) {
                out.write(zeros, 0, (int) Math.min(WRITE_BYTES, left));
            }
            out.write(tail);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
            if (status == null || !status.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("upload answered " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("upload of " + fileBytes + " bytes failed", e);
        }
    }

    /** Resets the peak resident set ({@code VmHWM}) of the proxy, so that the next reading is the upload's. */
    private void resetPeak() {
        try {
            Files.writeString(Path.of("/proc", Long.toString(stats.pid()), "clear_refs"), "5");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the proxy's peak RSS", e);
        }
    }

    /**
     * What one upload cost.
     *
     * @param megabytes the upload's file size in MiB
     * @param rssBeforeBytes the proxy's resident set before the upload
     * @param peakRssBytes its peak during the upload
     * @param rssAfterBytes its resident set after
     * @param elapsedNanos how long the upload and its answer took
     */
    public record Result(int megabytes, long rssBeforeBytes, long peakRssBytes, long rssAfterBytes,
            long elapsedNanos) {

        /** The peak's growth over the resident set before the upload. */
        public long growthBytes() {
            return Math.max(0, peakRssBytes - rssBeforeBytes);
        }

        /** The result as a Markdown section. */
        public String markdown() {
            double seconds = elapsedNanos / 1e9;
            return String.format(Locale.ROOT, "# llmproxy upload%n%n| upload | time | MB/s | RSS before | peak RSS "
                    + "| peak growth (goal < 32 MB) | RSS after |%n|---|---|---|---|---|---|---|%n"
                    + "| %d MB | %.2f s | %.0f | %.1f MB | %.1f MB | %.1f MB (%s) | %.1f MB |%n", megabytes, seconds,
                    megabytes / seconds, mb(rssBeforeBytes), mb(peakRssBytes), mb(growthBytes()),
                    growthBytes() < GOAL_BYTES ? "met" : "missed", mb(rssAfterBytes));
        }

        private static double mb(long bytes) {
            return bytes / (double) (1 << 20);
        }
    }
}
