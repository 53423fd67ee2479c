package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class SseEventScannerTest {

    private static final String STREAM = ": comment\n\n"
            + "data: {\"a\":1}\n\n"
            + "event: x\r\ndata: {\"b\":2}\r\ndata: more\r\n\r\n"
            + "id: 3\ndata:{\"c\":3}\n\n"
            + "data: [DONE]x\n\n"
            + "retry: 5\n\n"
            + "data: [DONE]\n\n";

    private final SseEventScanner scanner = new SseEventScanner();

    @Test
    void shouldCountDataEventsAndDoneWhenFedWhole() {
        int events = scan(STREAM, Integer.MAX_VALUE);

        assertThat(events).isEqualTo(4);
        assertThat(scanner.isDone()).isTrue();
    }

    @Test
    void shouldCountDataEventsAndDoneWhenSplitAtEachByte() {
        int events = scan(STREAM, 1);

        assertThat(events).isEqualTo(4);
        assertThat(scanner.isDone()).isTrue();
    }

    @Test
    void shouldNotCountAnEventBeforeItsBlankLineArrives() {
        assertThat(scan("data: {\"a\":1}\n", Integer.MAX_VALUE)).isZero();
        assertThat(scan("\n", Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(scanner.isDone()).isFalse();
    }

    @Test
    void shouldForgetPartialEventsWhenReset() {
        scan("data: {\"a\":1}\n", Integer.MAX_VALUE);

        scanner.reset();

        assertThat(scan("\n", Integer.MAX_VALUE)).isZero();
    }

    private int scan(String text, int pieceSize) {
        byte[] bytes = text.getBytes(UTF_8);
        int events = 0;
        for (int i = 0; i < bytes.length; i += pieceSize) {
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, i, Math.min(pieceSize, bytes.length - i));
            scanner.scan(piece, piece.readerIndex(), piece.readableBytes());
            events += scanner.drainEvents();
            assertThat(piece.release()).isTrue();
        }
        return events;
    }
}
