package dev.llmproxy.codec.bedrock;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.sse.SseEventFramer;
import dev.llmproxy.codec.sse.StreamFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Decodes the AWS event-stream framing ({@code application/vnd.amazon.eventstream}, provider spec section 5.5)
 * incrementally: bytes arrive in reads of any size, each complete message is checked and handed to the
 * {@link Visitor} with its type headers and payload, and whatever the visitor emits is returned for the client.
 *
 * <pre>
 * total_length  u32 BE   the whole message, these 4 bytes and both CRCs included
 * headers_length u32 BE
 * prelude_crc   u32 BE   CRC-32 (IEEE) of the 8 bytes above
 * headers       name_len u8, name, value_type u8, value (type 7, string: u16 BE length + UTF-8)
 * payload       total_length - headers_length - 16 bytes
 * message_crc   u32 BE   CRC-32 of everything before it
 * </pre>
 *
 * <p>A message that cannot be trusted (a prelude or message CRC that does not match, a length below 16 or above
 * {@code maxMessageBytes}, headers that overrun their length) stops decoding: the visitor is told once through
 * {@link Visitor#onMalformed} and everything after it is ignored, since a framing error leaves no way to find the
 * next message. The prelude is checked before the message is waited for, so a corrupt length never makes the decoder
 * hold up to {@code maxMessageBytes} of garbage. Only an incomplete message is kept between reads (in a buffer owned
 * by the decoder, released by {@link #finish}/{@link #release}).
 *
 * <p>Thread-safety: none; one instance per response, confined to its event loop.
 */
public final class EventStreamDecoder implements StreamFramer {
    private static final int PRELUDE_BYTES = 12;
    private static final int MIN_MESSAGE_BYTES = 16;
    private static final int STRING = 7;

    private final ByteBufAllocator alloc;
    private final int maxMessageBytes;
    private final Visitor visitor;
    private final CRC32 crc = new CRC32();
    private final Output output = new Output();
    private final Headers headers = new Headers();
    /** The start of an incomplete message; owned here, released when consumed, by finish() or by release(). */
    private @Nullable ByteBuf partial;
    private boolean failed;
    private boolean cut;
    private boolean closed;

    /**
     * @param alloc allocates the buffer that holds an incomplete message
     * @param maxMessageBytes the largest message accepted (Bedrock's are small; a larger length is an error)
     * @param visitor sees each message
     */
    public EventStreamDecoder(ByteBufAllocator alloc, int maxMessageBytes, Visitor visitor) {
        this.alloc = requireNonNull(alloc, "alloc");
        if (maxMessageBytes < MIN_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: >= 16)");
        }
        this.maxMessageBytes = maxMessageBytes;
        this.visitor = requireNonNull(visitor, "visitor");
    }

    @Override
    public ByteBuf frame(ByteBuf chunk) {
        if (closed) {
            throw new IllegalStateException("decoder already finished");
        }
        if (failed || !chunk.isReadable()) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf held = partial;
        ByteBuf in;
        if (held != null) {
            held.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
            in = held;
        } else {
            in = chunk;
        }
        int i = in.readerIndex();
        int end = in.writerIndex();
        try {
            while (!failed && end - i >= PRELUDE_BYTES) {
                int length = checkPrelude(in, i);
                if (length < 0 || end - i < length) {
                    break;
                }
                message(in, i, length);
                i += length;
            }
        } catch (RuntimeException e) {
            output.discard();
            throw e;
        }
        keepRest(in, held, i, end);
        return output.take();
    }

    /** Never: an oversized message is a framing error reported to the visitor, not passed through. */
    @Override
    public boolean isOverflowed() {
        return false;
    }

    /**
     * Ends the stream. An incomplete trailing message is dropped (its bytes are binary, never meant for the client);
     * {@link #endedCleanly} says whether there was one.
     */
    @Override
    public ByteBuf finish() {
        release();
        return Unpooled.EMPTY_BUFFER;
    }

    /**
     * Whether the bytes seen so far were whole, valid messages (no cut message, no framing error); still answers
     * after {@link #finish}.
     */
    public boolean endedCleanly() {
        ByteBuf held = partial;
        return !failed && !cut && (held == null || !held.isReadable());
    }

    @Override
    public void release() {
        closed = true;
        ByteBuf held = partial;
        partial = null;
        if (held != null) {
            cut |= held.isReadable();
            held.release();
        }
    }

    /** The message length the prelude at {@code i} gives, or -1 after reporting a bad prelude. */
    private int checkPrelude(ByteBuf in, int i) {
        long total = in.getUnsignedInt(i);
        long headersLength = in.getUnsignedInt(i + 4);
        crc.reset();
        crc.update(in.nioBuffer(i, 8));
        if (crc.getValue() != in.getUnsignedInt(i + 8)) {
            return malformed("the prelude CRC does not match");
        }
        if (total < MIN_MESSAGE_BYTES || total > maxMessageBytes) {
            return malformed("a message length of " + total + " bytes (expected 16 to " + maxMessageBytes + ")");
        }
        if (headersLength > total - MIN_MESSAGE_BYTES) {
            return malformed("headers longer than their message");
        }
        return (int) total;
    }

    private void message(ByteBuf in, int i, int length) {
        crc.reset();
        crc.update(in.nioBuffer(i, length - 4));
        if (crc.getValue() != in.getUnsignedInt(i + length - 4)) {
            malformed("the message CRC does not match");
            return;
        }
        int headersEnd = i + PRELUDE_BYTES + (int) in.getUnsignedInt(i + 4);
        if (!headers.read(in, i + PRELUDE_BYTES, headersEnd)) {
            malformed("a header that overruns the headers");
            return;
        }
        visitor.onMessage(headers.messageType, headers.eventType, in, headersEnd, i + length - 4 - headersEnd,
                output);
    }

    private int malformed(String reason) {
        failed = true;
        visitor.onMalformed("Invalid AWS event stream: " + reason, output);
        return -1;
    }

    /** Keeps {@code in[i, end)} for the next read, reusing the held buffer when that is where it lies. */
    private void keepRest(ByteBuf in, @Nullable ByteBuf held, int i, int end) {
        if (failed || i == end) {
            if (held != null) {
                held.clear();
            }
            return;
        }
        if (held != null) {
            held.readerIndex(i);
            held.discardReadBytes();
            return;
        }
        ByteBuf rest = alloc.buffer(Math.max(end - i, 256));
        rest.writeBytes(in, i, end - i);
        partial = rest;
    }

    /** Sees each message of the stream. */
    public interface Visitor {

        /**
         * One complete, checked message.
         *
         * @param messageType the {@code :message-type} header ({@code event}, {@code exception}, {@code error}), or
         *     {@code ""}
         * @param eventType the {@code :event-type}, or for an exception its {@code :exception-type} (for an
         *     {@code error} message its {@code :error-code}), or {@code ""}
         * @param payload the message's payload at {@code [index, index + length)}; not taken, valid during the call
         * @param out takes what to send the client
         */
        void onMessage(String messageType, String eventType, ByteBuf payload, int index, int length,
                SseEventFramer.Emitter out);

        /** The stream is corrupt at this point ({@code reason} says how); nothing more will be shown. */
        void onMalformed(String reason, SseEventFramer.Emitter out);
    }

    /** The type headers of one message; unknown headers are skipped. */
    private static final class Headers {
        /** Header names and values that recur, matched without decoding. */
        private static final String[] KNOWN = {":message-type", ":event-type", ":exception-type", ":error-code",
            ":content-type", "event", "exception", "error", "contentBlockDelta", "contentBlockStart",
            "contentBlockStop", "messageStart", "messageStop", "metadata", "application/json"};

        String messageType = "";
        String eventType = "";

        boolean read(ByteBuf in, int i, int end) {
            messageType = "";
            eventType = "";
            while (i < end) {
                int nameLength = in.getUnsignedByte(i++);
                if (end - i < nameLength + 1) {
                    return false;
                }
                String name = text(in, i, nameLength);
                i += nameLength;
                int type = in.getUnsignedByte(i++);
                int valueLength = valueLength(in, i, end, type);
                if (valueLength < 0) {
                    return false;
                }
                if (type == STRING) {
                    String value = text(in, i + 2, valueLength - 2);
                    switch (name) {
                        case ":message-type" -> messageType = value;
                        case ":event-type", ":exception-type", ":error-code" -> eventType = value;
                        default -> {
                            // :content-type and the others say nothing the translation needs.
                        }
                    }
                }
                i += valueLength;
            }
            return true;
        }

        /** The bytes the value of {@code type} at {@code i} takes, length prefix included, or -1. */
        private static int valueLength(ByteBuf in, int i, int end, int type) {
            int length = switch (type) {
                case 0, 1 -> 0;
                case 2 -> 1;
                case 3 -> 2;
                case 4 -> 4;
                case 5, 8 -> 8;
                case 9 -> 16;
                case 6, STRING -> end - i < 2 ? -1 : 2 + in.getUnsignedShort(i);
                default -> -1;
            };
            return length < 0 || length > end - i ? -1 : length;
        }

        private static String text(ByteBuf in, int i, int length) {
            for (String known : KNOWN) {
                if (known.length() == length && matches(known, in, i)) {
                    return known;
                }
            }
            return in.toString(i, length, StandardCharsets.UTF_8);
        }

        private static boolean matches(String known, ByteBuf in, int i) {
            for (int k = 0; k < known.length(); k++) {
                if (known.charAt(k) != in.getByte(i + k)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Collects what the visitor emits during one {@link #frame} call. */
    private final class Output implements SseEventFramer.Emitter {
        private @Nullable ByteBuf first;
        private @Nullable CompositeByteBuf many;

        @Override
        public void emit(ByteBuf events) {
            ByteBuf one = first;
            if (one == null) {
                first = events;
                return;
            }
            CompositeByteBuf all = many;
            if (all == null) {
                all = alloc.compositeBuffer(Integer.MAX_VALUE);
                all.addComponent(true, one);
                many = all;
            }
            all.addComponent(true, events);
        }

        ByteBuf take() {
            ByteBuf result = many != null ? many : first;
            first = null;
            many = null;
            return result != null ? result : Unpooled.EMPTY_BUFFER;
        }

        void discard() {
            take().release();
        }
    }
}
