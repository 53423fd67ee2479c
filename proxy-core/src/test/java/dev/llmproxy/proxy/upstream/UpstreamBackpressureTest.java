package dev.llmproxy.proxy.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.proxy.server.ProxyFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading slows the provider down instead of filling the proxy's memory: the proxy reads from
 * upstream only while the client connection is writable.
 */
class UpstreamBackpressureTest {
    private static final long STREAM_BYTES = 64L << 20;
    private static final byte[] EVENT = ("data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(1000)
            + "\"}}]}\n\n").getBytes(UTF_8);

    @TempDir
    Path dir;

    @Test
    void shouldStopReadingUpstreamWhenClientStopsReading() throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicBoolean upstreamClosed = new AtomicBoolean();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread provider = new Thread(() -> streamForever(upstream, written, upstreamClosed));
            provider.setDaemon(true);
            provider.start();
            try (ProxyFixture proxy = ProxyFixture.start(dir, """
                    model_list:
                      - model_name: firehose
                        litellm_params:
                          model: openai/firehose
                          api_base: http://127.0.0.1:%d/v1
                          api_key: sk-x
                    """.formatted(upstream.getLocalPort()));
                    Socket client = new Socket("127.0.0.1", proxy.port())) {
                String body = "{\"model\":\"firehose\",\"stream\":true,\"messages\":[]}";
                client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                        + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(UTF_8));

                // Nothing is read from the client socket: once the buffers on the way are full, the provider's
                // writes must stall far below the stream's size.
                await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > 0);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                        .until(new Plateau(written));
                assertThat(written.get()).isLessThan(STREAM_BYTES / 2);
            }
            await().atMost(Duration.ofSeconds(10)).untilTrue(upstreamClosed);
        }
    }

    /** True once the counter stopped moving between two polls. */
    private static final class Plateau implements java.util.concurrent.Callable<Boolean> {
        private final AtomicLong counter;
        private long last = -1;

        Plateau(AtomicLong counter) {
            this.counter = counter;
        }

        @Override
        public Boolean call() {
            long now = counter.get();
            boolean still = now == last;
            last = now;
            return still;
        }
    }

    private static void streamForever(ServerSocket upstream, AtomicLong written, AtomicBoolean closed) {
        try (Socket socket = upstream.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // The request head is all that is needed; the body is left unread.
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                    .getBytes(UTF_8));
            byte[] chunkHead = (Integer.toHexString(EVENT.length) + "\r\n").getBytes(UTF_8);
            while (written.get() < STREAM_BYTES) {
                out.write(chunkHead);
                out.write(EVENT);
                out.write('\r');
                out.write('\n');
                written.addAndGet(EVENT.length);
            }
        } catch (IOException e) {
            // The proxy closed the upstream connection when the client went away: the expected end.
        }
        closed.set(true);
    }
}
