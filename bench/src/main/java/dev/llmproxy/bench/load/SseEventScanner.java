package dev.llmproxy.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Counts Server-Sent Events in a response body as they are dispatched, i.e. when the blank line ending an event
 * that has at least one {@code data:} line arrives (WHATWG HTML, "Server-sent events", event stream interpretation).
 * An event whose data is {@code [DONE]} (OpenAI's end marker) is reported separately and not counted.
 *
 * <p>Thread-safety: not thread-safe; confine an instance to the connection's event loop. ByteBuf ownership: {@link
 * #scan} only reads; the caller keeps ownership.
 */
final class SseEventScanner implements ByteProcessor {

    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

    private int lineLength;
    private boolean lastWasCr;
    private boolean dataLine;
    private int doneMatched;
    private boolean skippedSpace;
    private boolean eventHasData;
    private boolean eventIsDone;
    private int events;
    private boolean done;

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
        events = 0;
        done = false;
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
        }
        return true;
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
                } else {
                    events++;
                }
            }
            eventHasData = false;
            eventIsDone = false;
        } else if (dataLine && lineLength >= DATA.length) {
            eventHasData = true;
            eventIsDone = doneMatched == DONE.length;
        }
        lineLength = 0;
        dataLine = false;
        doneMatched = 0;
        skippedSpace = false;
    }
}
