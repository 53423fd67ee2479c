package dev.llmproxy.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Counts the content events of a Server-Sent Events response body as they are dispatched, i.e. when the blank line
 * ending an event that has at least one {@code data:} line arrives (WHATWG HTML, "Server-sent events", event stream
 * interpretation). A content event is one whose data holds its {@link StreamShape}'s field with a non-empty string
 * value; other events are not counted. An event whose data is {@code [DONE]} (OpenAI's end marker) is reported
 * separately. A content value that opens with a send stamp (a tilde and 16 hex digits, as a stamping mock writes its
 * pieces) gives its event that send time ({@link #stamp(int)}).
 *
 * <p>Thread-safety: not thread-safe; confine an instance to the connection's event loop. ByteBuf ownership: {@link
 * #scan} only reads; the caller keeps ownership.
 */
final class SseEventScanner implements ByteProcessor {

    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};
    /** What {@link #stamp(int)} gives an event that carried no send stamp. */
    static final long NO_STAMP = Long.MIN_VALUE;
    private static final int STAMP_DIGITS = 16;

    private final byte[] key;
    /** For each prefix length of {@link #key}, the length of its longest proper prefix that is also its suffix. */
    private final int[] fallback;

    private int lineLength;
    private boolean lastWasCr;
    private boolean dataLine;
    private int doneMatched;
    private boolean skippedSpace;
    private boolean eventHasData;
    private boolean eventIsDone;
    private boolean eventHasContent;
    /** How much of the key the current data line has matched; {@code key.length} once matched, then the value's. */
    private int keyMatched;
    private ValueState value = ValueState.NONE;
    private int events;
    private boolean done;
    private long eventStamp = NO_STAMP;
    private long stampValue;
    private int stampDigits;
    /** The send stamps of the events counted since the last drain, in order. */
    private long[] stamps = new long[8];

    SseEventScanner(StreamShape shape) {
        this.key = shape.key();
        this.fallback = new int[key.length + 1];
        for (int i = 1, k = 0; i < key.length; i++) {
            while (k > 0 && key[i] != key[k]) {
                k = fallback[k];
            }
            if (key[i] == key[k]) {
                k++;
            }
            fallback[i + 1] = k;
        }
    }

    /** Scans body bytes {@code [index, index + length)} of {@code buf}. */
    void scan(ByteBuf buf, int index, int length) {
        buf.forEachByte(index, length, this);
    }

    /** Returns the number of content events dispatched since the previous call, and resets that count. */
    int drainEvents() {
        int n = events;
        events = 0;
        return n;
    }

    /**
     * The send stamp of event {@code index} (0-based) among those the last {@link #drainEvents()} returned, or
     * {@link #NO_STAMP}.
     */
    long stamp(int index) {
        return stamps[index];
    }

    /** Whether a {@code data: [DONE]} event has been dispatched since {@link #reset()}. */
    boolean isDone() {
        return done;
    }

    /** Forgets all state, for the next response. */
    void reset() {
        lineLength = 0;
        lastWasCr = false;
        dataLine = false;
        doneMatched = 0;
        skippedSpace = false;
        eventHasData = false;
        eventIsDone = false;
        eventHasContent = false;
        keyMatched = 0;
        value = ValueState.NONE;
        events = 0;
        done = false;
        eventStamp = NO_STAMP;
    }

    @Override
    public boolean process(byte b) {
        if (b == '\n' || b == '\r') {
            if (!(b == '\n' && lastWasCr)) {
                endOfLine();
            }
            lastWasCr = b == '\r';
            return true;
        }
        lastWasCr = false;
        int position = lineLength++;
        if (position < DATA.length) {
            dataLine = (position == 0 || dataLine) && b == DATA[position];
        } else if (dataLine) {
            matchDone(b, position);
            matchContent(b);
        }
        return true;
    }

    private void matchContent(byte b) {
        switch (value) {
            case AFTER_KEY -> {
                if (b == '"') {
                    value = ValueState.OPENED;
                } else if (b != ' ') {
                    value = ValueState.NONE;
                }
                return;
            }
            case OPENED -> {
                if (b != '"') {
                    eventHasContent = true;
                }
                if (b == '~' && eventStamp == NO_STAMP) {
                    value = ValueState.STAMP;
                    stampValue = 0;
                    stampDigits = 0;
                } else {
                    value = ValueState.NONE;
                }
                return;
            }
            case STAMP -> {
                int digit = Character.digit(b, 16);
                if (digit < 0) {
                    value = ValueState.NONE;
                    return;
                }
                stampValue = stampValue << 4 | digit;
                if (++stampDigits == STAMP_DIGITS) {
                    eventStamp = stampValue;
                    value = ValueState.NONE;
                }
                return;
            }
            case NONE -> {
                // the key is matched below
            }
        }
        int k = keyMatched;
        while (k > 0 && b != key[k]) {
            k = fallback[k];
        }
        if (b == key[k]) {
            k++;
        }
        if (k == key.length) {
            value = ValueState.AFTER_KEY;
            k = 0;
        }
        keyMatched = k;
    }

    private void matchDone(byte b, int position) {
        if (position == DATA.length && b == ' ') {
            skippedSpace = true;
            return;
        }
        int offset = position - DATA.length - (skippedSpace ? 1 : 0);
        doneMatched = offset == doneMatched && offset < DONE.length && b == DONE[offset] ? offset + 1 : -1;
    }

    private void endOfLine() {
        if (lineLength == 0) {
            if (eventHasData) {
                if (eventIsDone) {
                    done = true;
                } else if (eventHasContent) {
                    if (events == stamps.length) {
                        stamps = Arrays.copyOf(stamps, events * 2);
                    }
                    stamps[events++] = eventStamp;
                }
            }
            eventHasData = false;
            eventIsDone = false;
            eventHasContent = false;
            eventStamp = NO_STAMP;
        } else if (dataLine && lineLength >= DATA.length) {
            eventHasData = true;
            eventIsDone = doneMatched == DONE.length;
        }
        lineLength = 0;
        dataLine = false;
        doneMatched = 0;
        skippedSpace = false;
        keyMatched = 0;
        value = ValueState.NONE;
    }

    /**
     * Where the bytes after a matched key stand: a string value is content when its first character is not a quote,
     * and a send stamp when that character is a tilde followed by 16 hex digits.
     */
    private enum ValueState { NONE, AFTER_KEY, OPENED, STAMP }
}
