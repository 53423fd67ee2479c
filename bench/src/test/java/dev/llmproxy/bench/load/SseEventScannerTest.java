package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventScannerTest {

    private static final String STREAM = ": comment\n\n"
            + "data: {\"delta\":{\"content\":\"a\"}}\n\n"
            + "event: x\r\ndata: {\"b\":2,\r\ndata: \"content\":\"b\"}\r\n\r\n"
            + "id: 3\ndata:{\"content\":\"\\\"c\\\"\"}\n\n"
            + "data: [DONE]x,\"content\":\"d\"\n\n"
            + "retry: 5\n\n"
            + "data: [DONE]\n\n";

    private final SseEventScanner scanner = new SseEventScanner(StreamShape.CHAT_CHUNKS);

    @Test
    void shouldCountContentEventsAndDoneWhenFedWhole() {
        int events = scan(STREAM, Integer.MAX_VALUE);

        assertThat(events).isEqualTo(4);
        assertThat(scanner.isDone()).isTrue();
    }

    @Test
    void shouldCountContentEventsAndDoneWhenSplitAtEachByte() {
        int events = scan(STREAM, 1);

        assertThat(events).isEqualTo(4);
        assertThat(scanner.isDone()).isTrue();
    }

    @Test
    void shouldCountOnlyEventsWhoseFieldHasANonEmptyStringValue() {
        String stream = "data: {\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}\n\n"
                + "data: {\"delta\":{\"content\":null}}\n\n"
                + "data: {\"candidates\":[{\"content\":{\"parts\":[]}}]}\n\n"
                + "data: {\"contents\":\"x\",\"\"content\":\"\"}\n\n"
                + "data: {\"delta\":{},\"finish_reason\":\"stop\"}\n\n"
                + "event: content\ndata: {\"usage\":{}}\n\n"
                + "data: {\"delta\":{\"\"content\": \"x\"}}\n\n"
                + "data: {\"delta\":{\"content\":\"y\",\"content\":\"\"}}\n\n";

        assertThat(scan(stream, Integer.MAX_VALUE)).isEqualTo(2);
        scanner.reset();
        assertThat(scan(stream, 1)).isEqualTo(2);
    }

    @Test
    void shouldCountEachShapesContentByItsOwnField() {
        String responses = "event: response.content_part.added\ndata: {\"part\":{\"text\":\"\"}}\n\n"
                + "event: response.output_text.delta\ndata: {\"delta\":\"Hi\",\"logprobs\":[]}\n\n"
                + "event: response.output_text.done\ndata: {\"text\":\"Hi\"}\n\n";
        SseEventScanner bridged = new SseEventScanner(StreamShape.RESPONSES_EVENTS);
        ByteBuf bytes = Unpooled.copiedBuffer(responses, UTF_8);
        bridged.scan(bytes, bytes.readerIndex(), bytes.readableBytes());
        bytes.release();

        assertThat(bridged.drainEvents()).isEqualTo(1);
    }

    @Test
    void shouldNotCountAnEventBeforeItsBlankLineArrives() {
        assertThat(scan("data: {\"content\":\"a\"}\n", Integer.MAX_VALUE)).isZero();
        assertThat(scan("\n", Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(scanner.isDone()).isFalse();
    }

    @Test
    void shouldForgetPartialEventsWhenReset() {
        scan("data: {\"content\":\"a\"}\n", Integer.MAX_VALUE);

        scanner.reset();

        assertThat(scan("\n", Integer.MAX_VALUE)).isZero();
    }

    @Test
    void shouldReadEachEventsSendStampWhenSplitAtEachByte() {
        // 123456789 and -123 as the mock writes them; a piece without a stamp, a cut stamp, a stamp after text.
        String stream = "data: {\"delta\":{\"content\":\"~00000000075bcd15 \"}}\n\n"
                + "event: response.output_text.delta\ndata: {\"content\":\"~ffffffffffffff85 \"}\n\n"
                + "data: {\"delta\":{\"content\":\"tok \"}}\n\n"
                + "data: {\"delta\":{\"content\":\"~00000000075bcd\"}}\n\n"
                + "data: {\"delta\":{\"content\":\"a~00000000075bcd15 \"}}\n\n";

        for (int pieceSize : new int[] {1, 7, Integer.MAX_VALUE}) {
            scanner.reset();
            List<Long> stamps = new ArrayList<>();
            byte[] bytes = stream.getBytes(UTF_8);
            for (int i = 0; i < bytes.length; i += pieceSize) {
                ByteBuf piece = Unpooled.wrappedBuffer(bytes, i, Math.min(pieceSize, bytes.length - i));
                scanner.scan(piece, piece.readerIndex(), piece.readableBytes());
                int events = scanner.drainEvents();
                for (int e = 0; e < events; e++) {
                    stamps.add(scanner.stamp(e));
                }
                piece.release();
            }

            assertThat(stamps).as("pieces of %d", pieceSize).containsExactly(123456789L, -123L,
                    SseEventScanner.NO_STAMP, SseEventScanner.NO_STAMP, SseEventScanner.NO_STAMP);
        }
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
