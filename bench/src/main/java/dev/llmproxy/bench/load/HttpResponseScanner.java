package dev.llmproxy.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/*
 * Implementation notes.
 *
 * The load generator only needs to know where each response ends (and, for streams, the body bytes), so this is a
 * minimal incremental HTTP/1.1 response parser instead of HttpClientCodec + HttpObjectAggregator: no objects are
 * allocated per response, header lines are copied into one reusable array, and body bytes are handed to the
 * listener as index ranges of the read buffer. Framing supported: Content-Length, chunked transfer coding (chunk
 * extensions and trailers skipped), read-until-close, 1xx interim responses (skipped) and 204/304 (no body).
 * Header lines longer than LINE_CAPACITY are truncated; only the names and short values we look at matter.
 */

/**
 * Incremental HTTP/1.1 response framing: finds where each response's body starts and ends.
 *
 * <p>Thread-safety: not thread-safe; confine an instance to the connection's event loop. ByteBuf ownership: {@link
 * #feed} only reads the buffer (without moving its reader index); the caller keeps ownership and releases it.
 */
final class HttpResponseScanner {

    /** Receives framing events; every call happens inside {@link #feed} or {@link #endOfInput}. */
    interface Listener {

        /** Body bytes {@code [index, index + length)} of {@code buf}, valid only during the call. */
        void onBody(ByteBuf buf, int index, int length);

        /** The current response ended; {@code status} is its status code. */
        void onResponseComplete(int status);
    }

    private static final int LINE_CAPACITY = 256;
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(US_ASCII);
    private static final byte[] TRANSFER_ENCODING =
            "transfer-encoding:".getBytes(US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(US_ASCII);

    private enum State { STATUS_LINE, HEADER_LINE, FIXED_BODY, CHUNK_SIZE_LINE, CHUNK_DATA, CHUNK_DATA_END,
        TRAILER_LINE, UNTIL_CLOSE, FAILED }

    private final Listener listener;
    private final byte[] line = new byte[LINE_CAPACITY];
    private int lineLength;
    private State state = State.STATUS_LINE;
    private int status;
    private long contentLength;
    private boolean chunked;
    private long remaining;

    HttpResponseScanner(Listener listener) {
        this.listener = listener;
    }

    /** Whether the input was not a parseable HTTP/1.1 response; the connection should then be closed. */
    boolean isFailed() {
        return state == State.FAILED;
    }

    /** Whether the scanner is between responses, i.e. no response has started since the last one completed. */
    boolean isIdle() {
        return state == State.STATUS_LINE && lineLength == 0;
    }

    /** Scans the readable bytes of {@code buf}, which stays owned by the caller. */
    void feed(ByteBuf buf) {
        int index = buf.readerIndex();
        int end = buf.writerIndex();
        while (index < end && state != State.FAILED) {
            switch (state) {
                case FIXED_BODY, CHUNK_DATA -> index = body(buf, index, end);
                case UNTIL_CLOSE -> {
                    listener.onBody(buf, index, end - index);
                    index = end;
                }
                default -> index = lineByte(buf, index, end);
            }
        }
    }

    /** The connection closed: completes a read-until-close response. */
    void endOfInput() {
        if (state == State.UNTIL_CLOSE) {
            complete();
        }
    }

    private int body(ByteBuf buf, int index, int end) {
        int n = (int) Math.min(remaining, end - index);
        listener.onBody(buf, index, n);
        remaining -= n;
        if (remaining == 0) {
            if (state == State.FIXED_BODY) {
                complete();
            } else {
                state = State.CHUNK_DATA_END;
            }
        }
        return index + n;
    }

    private int lineByte(ByteBuf buf, int index, int end) {
        int lf = buf.forEachByte(index, end - index, ByteProcessor.FIND_LF);
        int stop = lf < 0 ? end : lf;
        int copy = Math.min(stop - index, LINE_CAPACITY - lineLength);
        if (copy > 0) {
            buf.getBytes(index, line, lineLength, copy);
            lineLength += copy;
        }
        if (lf < 0) {
            return end;
        }
        int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        lineLength = 0;
        onLine(length);
        return lf + 1;
    }

    private void onLine(int length) {
        switch (state) {
            case STATUS_LINE -> statusLine(length);
            case HEADER_LINE -> headerLine(length);
            case CHUNK_SIZE_LINE -> chunkSizeLine(length);
            case CHUNK_DATA_END -> state = length == 0 ? State.CHUNK_SIZE_LINE : State.FAILED;
            case TRAILER_LINE -> {
                if (length == 0) {
                    complete();
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void statusLine(int length) {
        if (length == 0) {
            return;
        }
        if (length < 12 || line[0] != 'H' || line[8] != ' ') {
            state = State.FAILED;
            return;
        }
        status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        contentLength = -1;
        chunked = false;
        state = State.HEADER_LINE;
    }

    private void headerLine(int length) {
        if (length > 0) {
            if (startsWithIgnoreCase(CONTENT_LENGTH, length)) {
                contentLength = parseDecimal(CONTENT_LENGTH.length, length);
            } else if (startsWithIgnoreCase(TRANSFER_ENCODING, length)) {
                chunked = containsIgnoreCase(CHUNKED, TRANSFER_ENCODING.length, length);
            }
            return;
        }
        if (status >= 100 && status < 200) {
            state = State.STATUS_LINE;
        } else if (status == 204 || status == 304) {
            complete();
        } else if (chunked) {
            state = State.CHUNK_SIZE_LINE;
        } else if (contentLength == 0) {
            complete();
        } else if (contentLength > 0) {
            remaining = contentLength;
            state = State.FIXED_BODY;
        } else {
            state = State.UNTIL_CLOSE;
        }
    }

    private void chunkSizeLine(int length) {
        long size = 0;
        int digits = 0;
        for (int i = 0; i < length; i++) {
            int d = Character.digit(line[i], 16);
            if (d < 0) {
                break;
            }
            size = size * 16 + d;
            digits++;
        }
        if (digits == 0 || digits > 15) {
            state = State.FAILED;
        } else if (size == 0) {
            state = State.TRAILER_LINE;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    private void complete() {
        state = State.STATUS_LINE;
        listener.onResponseComplete(status);
    }

    private boolean startsWithIgnoreCase(byte[] prefix, int length) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (lower(line[i]) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean containsIgnoreCase(byte[] word, int from, int length) {
        outer:
        for (int start = from; start + word.length <= length; start++) {
            for (int i = 0; i < word.length; i++) {
                if (lower(line[start + i]) != word[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private long parseDecimal(int from, int length) {
        long value = 0;
        boolean any = false;
        for (int i = from; i < length; i++) {
            byte b = line[i];
            if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
                any = true;
            } else if (any || (b != ' ' && b != '\t')) {
                break;
            }
        }
        return any ? value : -1;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
