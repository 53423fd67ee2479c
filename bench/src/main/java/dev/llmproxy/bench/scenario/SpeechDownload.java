package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.bench.load.ProcessStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A long text-to-speech download through the proxy: {@code POST /v1/audio/speech} for {@code bytes} of audio from the
 * mock (which writes each chunk once the previous one reached its socket), read as fast as the client can and thrown
 * away. The proxy must relay the audio as it arrives, never hold it: its peak RSS ({@code VmHWM}) after the download
 * may exceed its RSS before it (after a small warm-up download) by at most {@link #MAX_RSS_GROWTH_BYTES}.
 *
 * <p>Thread-safety: one run at a time, from the bench's main thread.
 */
public final class SpeechDownload {
    /** The bound on the proxy's memory growth during the download. */
    public static final long MAX_RSS_GROWTH_BYTES = 32L << 20;
    private static final long WARM_UP_BYTES = 4L << 20;

    private final Target proxy;
    private final ProcessStats stats;
    private final PrintStream progress;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param proxy the proxy, whose model routes to the mock with OpenAI's format
     * @param stats the proxy process's figures
     */
    public SpeechDownload(Target proxy, ProcessStats stats, PrintStream progress) {
        this.proxy = requireNonNull(proxy, "proxy");
        this.stats = requireNonNull(stats, "stats");
        this.progress = requireNonNull(progress, "progress");
    }

    /**
     * What one run measured.
     *
     * @param bytes audio bytes the client received
     * @param seconds how long the download took
     * @param rssBeforeBytes the proxy's RSS before the download (after the warm-up)
     * @param peakRssBytes the proxy's peak RSS after the download
     */
    public record Result(long bytes, double seconds, long rssBeforeBytes, long peakRssBytes) {

        /** Peak RSS minus the RSS before, never negative. */
        public long growthBytes() {
            return Math.max(0, peakRssBytes - rssBeforeBytes);
        }

        public boolean passed() {
            return growthBytes() < MAX_RSS_GROWTH_BYTES;
        }

        /** The result as a short Markdown section. */
        public String markdown() {
            return String.format(Locale.ROOT, "| audio MiB | seconds | MiB/s | RSS before MiB | peak RSS MiB | "
                    + "growth MiB | bound MiB | |%n|---|---|---|---|---|---|---|---|%n"
                    + "| %.0f | %.2f | %.0f | %.1f | %.1f | %.1f | %d | %s |%n",
                    bytes / 1048576.0, seconds, bytes / 1048576.0 / Math.max(seconds, 1e-9),
                    rssBeforeBytes / 1048576.0, peakRssBytes / 1048576.0, growthBytes() / 1048576.0,
                    MAX_RSS_GROWTH_BYTES >> 20, passed() ? "pass" : "FAIL");
        }
    }

    /** Downloads {@code bytes} of audio (after a warm-up) and measures the proxy's memory around it. */
    public Result run(long bytes) throws IOException, InterruptedException {
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: 1 to 2^31 - 1)");
        }
        download(WARM_UP_BYTES);
        long before = stats.rssBytes();
        long start = System.nanoTime();
        long received = download(bytes);
        double seconds = (System.nanoTime() - start) / 1e9;
        Result result = new Result(received, seconds, before, stats.peakRssBytes());
        progress.printf(Locale.ROOT, "[speech] %d MiB in %.2f s, proxy RSS %d -> peak %d MiB%n", received >> 20,
                seconds, before >> 20, result.peakRssBytes() >> 20);
        return result;
    }

    private long download(long bytes) throws IOException, InterruptedException {
        String body = "{\"model\":\"" + proxy.model() + "\",\"input\":\"A long story.\",\"voice\":\"alloy\","
                + "\"response_format\":\"pcm\",\"mock_audio_bytes\":" + bytes + "}";
        URI uri = URI.create("http://" + proxy.address().getHostString() + ":" + proxy.address().getPort()
                + "/v1/audio/speech");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received += n;
            }
        }
        if (response.statusCode() != 200 || received != bytes) {
            throw new IOException("speech download: status " + response.statusCode() + ", " + received + " of "
                    + bytes + " bytes");
        }
        return received;
    }
}
