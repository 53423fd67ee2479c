package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpResponseScannerTest {

    private static final String FIXED = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
            + "{\"a\":1}";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    private static final String EMPTY = "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n";
    private static final String INTERIM = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";

    private final Recorder recorder = new Recorder();
    private final HttpResponseScanner scanner = new HttpResponseScanner(recorder);

    @Test
    void shouldFrameEveryResponseWhenFedWhole() {
        feed(FIXED + CHUNKED + EMPTY + INTERIM, Integer.MAX_VALUE);

        assertThat(recorder.statuses).containsExactly(200, 200, 500, 204);
        assertThat(recorder.body.toString()).isEqualTo("{\"a\":1}hello world");
        assertThat(scanner.isIdle()).isTrue();
    }

    @Test
    void shouldFrameEveryResponseWhenSplitAtEachByte() {
        feed(FIXED + CHUNKED + EMPTY + INTERIM, 1);

        assertThat(recorder.statuses).containsExactly(200, 200, 500, 204);
        assertThat(recorder.body.toString()).isEqualTo("{\"a\":1}hello world");
        assertThat(scanner.isIdle()).isTrue();
    }

    @Test
    void shouldCompleteAtEndOfInputWhenNoLengthIsGiven() {
        feed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc", 2);
        assertThat(recorder.statuses).isEmpty();

        scanner.endOfInput();

        assertThat(recorder.statuses).containsExactly(200);
        assertThat(recorder.body.toString()).isEqualTo("abc");
    }

    @Test
    void shouldFailWhenInputIsNotHttp() {
        feed("SSH-2.0-OpenSSH\r\n", Integer.MAX_VALUE);

        assertThat(scanner.isFailed()).isTrue();
        assertThat(recorder.statuses).isEmpty();
    }

    private void feed(String text, int pieceSize) {
        byte[] bytes = text.getBytes(UTF_8);
        for (int i = 0; i < bytes.length; i += pieceSize) {
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, i, Math.min(pieceSize, bytes.length - i));
            scanner.feed(piece);
            assertThat(piece.release()).isTrue();
        }
    }

    private static final class Recorder implements HttpResponseScanner.Listener {
        final List<Integer> statuses = new ArrayList<>();
        final StringBuilder body = new StringBuilder();

        @Override
        public void onBody(ByteBuf buf, int index, int length) {
            body.append(buf.toString(index, length, UTF_8));
        }

        @Override
        public void onResponseComplete(int status) {
            statuses.add(status);
        }
    }
}
