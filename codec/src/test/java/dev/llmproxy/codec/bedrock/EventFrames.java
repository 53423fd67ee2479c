package dev.llmproxy.codec.bedrock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/** Writes AWS event-stream messages for the tests, straight from the layout in the provider spec (section 5.5). */
final class EventFrames {
    private EventFrames() {
    }

    /** An {@code event} message of {@code eventType} with a JSON payload. */
    static byte[] event(String eventType, String json) {
        return message(new String[] {":event-type", eventType, ":content-type", "application/json",
            ":message-type", "event"}, json.getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code exception} message. */
    static byte[] exception(String exceptionType, String message) {
        return message(new String[] {":exception-type", exceptionType, ":content-type", "application/json",
            ":message-type", "exception"}, ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** A message with string headers (name, value pairs). */
    static byte[] message(String[] headers, byte[] payload) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int i = 0; i < headers.length; i += 2) {
            byte[] name = headers[i].getBytes(StandardCharsets.UTF_8);
            byte[] value = headers[i + 1].getBytes(StandardCharsets.UTF_8);
            head.write(name.length);
            head.writeBytes(name);
            head.write(7);
            head.write(value.length >> 8);
            head.write(value.length & 0xff);
            head.writeBytes(value);
        }
        byte[] headerBytes = head.toByteArray();
        int total = 16 + headerBytes.length + payload.length;
        ByteBuffer out = ByteBuffer.allocate(total);
        out.putInt(total).putInt(headerBytes.length);
        out.putInt((int) crc(out.array(), 0, 8));
        out.put(headerBytes).put(payload);
        out.putInt((int) crc(out.array(), 0, total - 4));
        return out.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /**
     * Runs {@code stream}, read in two parts split at {@code at}, through a decoder into {@code translator}, then
     * finishes it; answers everything written for the client.
     */
    static String translate(ByteBufAllocator alloc, BedrockStreamVisitor translator, byte[] stream, int at) {
        EventStreamDecoder decoder = new EventStreamDecoder(alloc, 1 << 16, translator);
        StringBuilder out = new StringBuilder();
        for (byte[] read : new byte[][] {Arrays.copyOfRange(stream, 0, at), Arrays.copyOfRange(stream, at,
                stream.length)}) {
            ByteBuf chunk = alloc.heapBuffer().writeBytes(read);
            try {
                out.append(drain(decoder.frame(chunk)));
            } finally {
                chunk.release();
            }
        }
        boolean clean = decoder.endedCleanly();
        decoder.finish().release();
        ByteBuf end = translator.finish(clean);
        if (end != null) {
            out.append(drain(end));
        }
        return out.toString();
    }

    private static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
