package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes AWS event-stream messages ({@code application/vnd.amazon.eventstream}) as Bedrock's ConverseStream sends
 * them: {@code total_length | headers_length | prelude_crc | headers | payload | message_crc}, big-endian, CRC-32
 * (IEEE) over the prelude and over the whole message, string headers ({@code :message-type}, {@code :event-type} or
 * {@code :exception-type}, {@code :content-type}). Written here from AWS's description of the encoding, apart from the
 * proxy's decoder, so that the two check each other.
 *
 * <p>Thread-safety: stateless.
 */
public final class EventStreamFrames {
    private EventStreamFrames() {
    }

    /** Appends an {@code event} message of {@code eventType} with a JSON payload to {@code out}. */
    public static void event(ByteBuf out, String eventType, String json) {
        message(out, new String[] {":event-type", eventType, ":content-type", "application/json", ":message-type",
            "event"}, json);
    }

    /** Appends an {@code exception} message ({@code {"message": …}}) to {@code out}. */
    public static void exception(ByteBuf out, String exceptionType, String json) {
        message(out, new String[] {":exception-type", exceptionType, ":content-type", "application/json",
            ":message-type", "exception"}, json);
    }

    private static void message(ByteBuf out, String[] headers, String json) {
        int start = out.writerIndex();
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        out.writeInt(0).writeInt(0).writeInt(0);
        for (int i = 0; i < headers.length; i += 2) {
            byte[] name = headers[i].getBytes(StandardCharsets.UTF_8);
            byte[] value = headers[i + 1].getBytes(StandardCharsets.UTF_8);
            out.writeByte(name.length).writeBytes(name).writeByte(7).writeShort(value.length).writeBytes(value);
        }
        int headersLength = out.writerIndex() - start - 12;
        out.writeBytes(payload);
        int total = out.writerIndex() - start + 4;
        out.setInt(start, total).setInt(start + 4, headersLength);
        out.setInt(start + 8, (int) crc(out, start, 8));
        out.writeInt((int) crc(out, start, total - 4));
    }

    private static long crc(ByteBuf buf, int index, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer(index, length));
        return crc.getValue();
    }
}
