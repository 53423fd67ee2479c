package dev.llmproxy.codec.sse;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a {@code text/event-stream} body arriving in arbitrary chunks into complete events, shows each event's data to
 * a visitor, and returns the bytes that may be forwarded now: the complete events the visitor kept, with the events it
 * rewrote in place of their originals.
 *
 * <p>Events that arrive whole inside a chunk are returned as retained slices of that chunk; only an event split
 * across chunks is copied (into a buffer from the allocator) until it completes. Event boundaries are blank lines
 * with any mix of CRLF, LF and CR line ends (HTML Living Standard, "Parsing an event stream"). Comments and fields
 * other than {@code data} pass through untouched, unless the visitor translates the stream
 * ({@link RewritingVisitor#keepsOtherEvents()}). A leading byte-order mark is not stripped.
 *
 * <p>A {@link Visitor} answers {@link Decision#FORWARD} or {@link Decision#DROP}. A {@link RewritingVisitor} may also
 * emit events of its own through the {@link Emitter} it is given and answer {@link Decision#REPLACE}: the original
 * event is left out and the emitted events take its place, in emission order. Untouched events stay zero-copy.
 *
 * <p>Ownership: {@link #frame} does not take the chunk (the caller still releases it); everything this class
 * returns is owned by the caller. The framer owns at most two buffers between calls (the split event and a scratch
 * buffer for multi-line data); {@link #finish()} or {@link #release()} frees them, and one of the two must be called.
 * Emitted events are owned by the framer until {@link #frame} returns them inside its output; if {@code frame} throws,
 * or the visitor calls {@link #release()} or {@link #finish()}, the framer releases them.
 *
 * <p>Thread-safety: none; one instance per streamed response, confined to its event loop.
 */
public final class SseEventFramer implements StreamFramer {
    /*
     * Implementation notes
     *
     * The boundary search is a three-state line machine (LINE_START, IN_LINE, AFTER_CR) whose state survives between
     * chunks while an event is split. Streams without CR (OpenAI sends LF only) take a fast path that jumps from LF
     * to LF with ByteBuf.indexOf. An event ended by a lone CR at the very end of a chunk is emitted at once, and a LF
     * that starts the next chunk is treated as the rest of that CRLF: forwarded or dropped along with the event.
     *
     * Output is assembled as ranges: consecutive kept events in the same buffer extend one range, and only a second
     * range (a dropped event in between, or a split event followed by whole ones) creates a CompositeByteBuf.
     * An emitted event ends the current range and is appended as a component of its own, so output order is stream
     * order. A replaced event counts as dropped for the LF that may follow its final CR in the next chunk: the
     * emitted events carry their own line ends.
     *
     * The visitor may end the stream from inside its call (a proxy that fails the call on a bad event releases the
     * framer there). frame() sees `closed` when the visitor returns, discards the output under assembly, emitted
     * events included, and returns an empty buffer, so nothing is left unreleased. The visitor may not call frame()
     * itself: the line state and the output under assembly belong to the outer call.
     */

    /** What to do with an event. */
    public enum Decision {
        /** Forward the event's bytes. */
        FORWARD,
        /** Leave the event's bytes out of the forwarded output. */
        DROP,
        /**
         * Leave the event's bytes out and forward, in their place, the events emitted during this visitor call: none
         * (the same as {@link #DROP}), one (a rewrite) or several (a split).
         */
        REPLACE
    }

    /**
     * Receives the data of each complete event that has at least one {@code data} field, and may rewrite the event.
     */
    @FunctionalInterface
    public interface RewritingVisitor {
        /**
         * Called once per complete event, in stream order, from {@link SseEventFramer#frame}.
         *
         * <p>Events emitted through {@code out} take the original's place only if this call answers
         * {@link Decision#REPLACE}. Emitting and then answering {@link Decision#FORWARD} or {@link Decision#DROP} is a
         * bug: {@code frame} throws {@link IllegalStateException} and releases everything it had assembled, emitted
         * events included.
         *
         * @param data holds the event's data at {@code [index, index + length)}: the value of its single
         *     {@code data} field, or all of them joined with LF. Not owned by the visitor, valid only during the
         *     call; do not change its indexes
         * @param out takes the events that replace this one; valid only during the call
         * @return whether to forward, drop or replace the event
         */
        Decision onEvent(ByteBuf data, int index, int length, Emitter out);

        /**
         * Whether events without data (comments, other fields only) and an incomplete event left at the end of the
         * stream are forwarded as they are. A visitor that translates the stream into another format answers
         * {@code false}: the provider's own lines mean nothing to the client, and they are dropped.
         */
        default boolean keepsOtherEvents() {
            return true;
        }
    }

    /** Receives the data of each complete event that has at least one {@code data} field; forwards or drops it. */
    @FunctionalInterface
    public interface Visitor extends RewritingVisitor {
        /**
         * Called once per complete event, in stream order, from {@link SseEventFramer#frame}.
         *
         * @param data holds the event's data at {@code [index, index + length)}: the value of its single
         *     {@code data} field, or all of them joined with LF. Not owned by the visitor, valid only during the
         *     call; do not change its indexes
         * @return whether to forward or drop the event ({@link Decision#REPLACE} drops it too: nothing was emitted)
         */
        Decision onEvent(ByteBuf data, int index, int length);

        /** Calls {@link #onEvent(ByteBuf, int, int)}; a plain visitor never emits. */
        @Override
        default Decision onEvent(ByteBuf data, int index, int length, Emitter out) {
            return onEvent(data, index, length);
        }
    }

    /**
     * Takes the events that replace the one a {@link RewritingVisitor} is looking at. Implemented by the framer; valid
     * only during the visitor call it was passed to.
     */
    public interface Emitter {
        /**
         * Appends {@code events} to the replacement of the current event. See {@link SseEvents#data} to build one.
         *
         * @param events one or more complete events, already framed: its readable bytes end with a blank line
         *     ({@code data: ...\n\n}). Taken, also when this throws: the framer returns it inside the output of
         *     {@link SseEventFramer#frame} or releases it
         * @throws IllegalArgumentException if the readable bytes do not end with a blank line
         * @throws IllegalStateException if called after the visitor call returned, or after the framer was released
         */
        void emit(ByteBuf events);
    }

    private static final int LINE_START = 0;
    private static final int IN_LINE = 1;
    private static final int AFTER_CR = 2;

    private static final int LF_NONE = 0;
    private static final int LF_FORWARD = 1;
    private static final int LF_DROP = 2;

    private final ByteBufAllocator alloc;
    private final int maxEventBytes;
    private final RewritingVisitor visitor;
    private final Emitter emitter = new FramerEmitter();

    // Owned: the start of an event split across chunks; released when the event completes, by finish() or release().
    private @Nullable ByteBuf partial;
    // Owned: joins multi-line data for the visitor; released by finish() or release().
    private @Nullable ByteBuf joined;
    private int lineState = LINE_START;
    private int trailingLf = LF_NONE;
    private boolean overflowed;
    private boolean closed;
    // True only while the visitor runs; counts what it emitted in that call.
    private boolean visiting;
    private int emitted;

    // Output under assembly during one frame() call.
    private @Nullable ByteBuf rangeBuf;
    private int rangeStart;
    private int rangeEnd;
    private @Nullable ByteBuf firstSlice;
    private @Nullable CompositeByteBuf composite;

    /**
     * Creates a framer for one streamed response whose visitor forwards or drops events.
     *
     * @param alloc allocates the split-event buffer and composite outputs
     * @param maxEventBytes the most bytes one incomplete event may occupy while waiting for its end
     * @param visitor sees each complete event's data
     */
    public SseEventFramer(ByteBufAllocator alloc, int maxEventBytes, Visitor visitor) {
        this(alloc, maxEventBytes, (RewritingVisitor) visitor);
    }

    /**
     * Creates a framer for one streamed response whose visitor may also rewrite, split or drop events.
     *
     * @param alloc allocates the split-event buffer and composite outputs
     * @param maxEventBytes the most bytes one incomplete event may occupy while waiting for its end
     * @param visitor sees each complete event's data
     */
    public SseEventFramer(ByteBufAllocator alloc, int maxEventBytes, RewritingVisitor visitor) {
        this.alloc = requireNonNull(alloc, "alloc");
        this.visitor = requireNonNull(visitor, "visitor");
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: > 0)");
        }
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Frames the readable bytes of {@code chunk} and returns what may be forwarded now.
     *
     * <p>If an incomplete event grows beyond {@code maxEventBytes}, the framer gives up framing: it returns the
     * buffered bytes and this chunk as they are, {@link #isOverflowed()} turns true, and from then on every chunk is
     * passed through unframed without calling the visitor.
     *
     * <p>If the visitor calls {@link #release()} or {@link #finish()}, framing stops when it returns and this returns
     * an empty buffer. If the visitor throws, everything assembled so far is released and the exception propagates.
     *
     * @param chunk not taken: its reference count and indexes are unchanged, and the caller still releases it
     * @return the bytes to forward, possibly empty; owned by the caller, who must release (or write) it
     * @throws IllegalStateException after {@link #finish()} or {@link #release()}, from inside the visitor, or when a
     *     visitor emitted events but did not answer {@link Decision#REPLACE}
     */
    @Override
    public ByteBuf frame(ByteBuf chunk) {
        if (closed) {
            throw new IllegalStateException("framer already finished");
        }
        if (visiting) {
            throw new IllegalStateException("frame() called from its own visitor");
        }
        int i = chunk.readerIndex();
        int end = chunk.writerIndex();
        if (overflowed) {
            return i < end ? chunk.retainedSlice(i, end - i) : Unpooled.EMPTY_BUFFER;
        }
        try {
            if (i < end && trailingLf != LF_NONE) {
                if (chunk.getByte(i) == '\n') {
                    if (trailingLf == LF_FORWARD) {
                        addOutput(chunk, i, i + 1);
                    }
                    i++;
                }
                trailingLf = LF_NONE;
            }
            boolean hasCr = chunk.indexOf(i, end, (byte) '\r') >= 0;
            if (partial != null && i < end) {
                i = continuePartial(partial, chunk, i, end, hasCr);
            }
            while (i < end && !overflowed && !closed) {
                lineState = LINE_START;
                int eventEnd = findEventEnd(chunk, i, end, hasCr);
                if (eventEnd < 0) {
                    startPartial(chunk, i, end);
                    break;
                }
                handleEvent(chunk, i, eventEnd, hasCr, eventEnd == end);
                i = eventEnd;
            }
            if (closed) {
                discardOutput();
                return Unpooled.EMPTY_BUFFER;
            }
            return takeOutput();
        } catch (RuntimeException e) {
            discardOutput();
            throw e;
        }
    }

    /** Returns whether an incomplete event outgrew {@code maxEventBytes}, which switched the framer to pass-through. */
    @Override
    public boolean isOverflowed() {
        return overflowed;
    }

    /**
     * Ends the stream: returns the bytes of a trailing incomplete event (to forward as they are; its data is not
     * shown to the visitor) and frees the framer's buffers.
     *
     * @return the leftover bytes, possibly empty; owned by the caller, who must release (or write) it
     */
    @Override
    public ByteBuf finish() {
        ByteBuf leftover = partial;
        partial = null;
        release();
        if (leftover != null && !visitor.keepsOtherEvents()) {
            leftover.release();
            return Unpooled.EMPTY_BUFFER;
        }
        return leftover != null ? leftover : Unpooled.EMPTY_BUFFER;
    }

    /**
     * Abandons the stream (client gone, upstream failed) and frees the framer's buffers. Idempotent. Called from inside
     * the visitor, it also makes the running {@link #frame} release what it assembled and return an empty buffer.
     */
    @Override
    public void release() {
        closed = true;
        if (partial != null) {
            partial.release();
            partial = null;
        }
        if (joined != null) {
            joined.release();
            joined = null;
        }
    }

    private int continuePartial(ByteBuf buf, ByteBuf chunk, int i, int end, boolean hasCr) {
        int eventEnd = findEventEnd(chunk, i, end, hasCr);
        int copyEnd = eventEnd < 0 ? end : eventEnd;
        if (buf.readableBytes() + (copyEnd - i) > maxEventBytes && eventEnd < 0) {
            overflow(chunk, i, end);
            return end;
        }
        buf.writeBytes(chunk, i, copyEnd - i);
        if (eventEnd < 0) {
            return end;
        }
        partial = null;
        try {
            handleEvent(buf, buf.readerIndex(), buf.writerIndex(), true, eventEnd == end);
            // The output may still point into buf, which is released next.
            flushRange();
        } finally {
            buf.release();
        }
        return eventEnd;
    }

    private void startPartial(ByteBuf chunk, int i, int end) {
        int length = end - i;
        if (length > maxEventBytes) {
            overflow(chunk, i, end);
            return;
        }
        ByteBuf buf = alloc.buffer(Math.max(length, 256));
        buf.writeBytes(chunk, i, length);
        partial = buf;
    }

    private void overflow(ByteBuf chunk, int i, int end) {
        overflowed = true;
        if (partial != null) {
            ByteBuf buf = partial;
            partial = null;
            addOutput(buf, buf.readerIndex(), buf.writerIndex());
            flushRange();
            buf.release();
        }
        addOutput(chunk, i, end);
    }

    /**
     * Returns the index one past the blank line ending the event that continues at {@code i} in line state
     * {@link #lineState}, or -1 (with the state at {@code end} saved) if the event does not end before {@code end}.
     */
    private int findEventEnd(ByteBuf buf, int i, int end, boolean hasCr) {
        if (!hasCr && lineState != AFTER_CR) {
            return findEventEndLf(buf, i, end);
        }
        int state = lineState;
        while (i < end) {
            byte b = buf.getByte(i++);
            if (b == '\n') {
                if (state == LINE_START) {
                    return i;
                }
                state = LINE_START;
            } else if (b == '\r') {
                if (state != IN_LINE) {
                    return i < end && buf.getByte(i) == '\n' ? i + 1 : i;
                }
                state = AFTER_CR;
            } else {
                state = IN_LINE;
            }
        }
        lineState = state;
        return -1;
    }

    private int findEventEndLf(ByteBuf buf, int i, int end) {
        if (i < end && lineState == LINE_START && buf.getByte(i) == '\n') {
            return i + 1;
        }
        while (i < end) {
            int lf = buf.indexOf(i, end, (byte) '\n');
            if (lf < 0) {
                lineState = IN_LINE;
                return -1;
            }
            i = lf + 1;
            if (i == end) {
                lineState = LINE_START;
                return -1;
            }
            if (buf.getByte(i) == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private void handleEvent(ByteBuf buf, int start, int end, boolean mayHaveCr, boolean atChunkEnd) {
        Decision decision = visitData(buf, start, end, mayHaveCr);
        if (closed) {
            return;
        }
        boolean forward = decision == Decision.FORWARD;
        if (forward) {
            addOutput(buf, start, end);
        }
        if (atChunkEnd && buf.getByte(end - 1) == '\r') {
            trailingLf = forward ? LF_FORWARD : LF_DROP;
        }
    }

    private Decision visitData(ByteBuf buf, int start, int end, boolean mayHaveCr) {
        int dataLines = 0;
        int dataStart = 0;
        int dataEnd = 0;
        @Nullable ByteBuf scratch = null;
        int p = start;
        while (p < end) {
            int eol = lineEnd(buf, p, end, mayHaveCr);
            if (eol == p) {
                break;
            }
            int length = eol - p;
            if (length >= 4 && buf.getByte(p) == 'd' && buf.getByte(p + 1) == 'a' && buf.getByte(p + 2) == 't'
                    && buf.getByte(p + 3) == 'a' && (length == 4 || buf.getByte(p + 4) == ':')) {
                int valueStart = Math.min(p + 5, eol);
                if (valueStart < eol && buf.getByte(valueStart) == ' ') {
                    valueStart++;
                }
                if (++dataLines == 1) {
                    dataStart = valueStart;
                    dataEnd = eol;
                } else {
                    scratch = joinedBuffer(dataLines, buf, dataStart, dataEnd);
                    scratch.writeByte('\n');
                    scratch.writeBytes(buf, valueStart, eol - valueStart);
                }
            }
            p = eol + 1;
            if (p < end && buf.getByte(eol) == '\r' && buf.getByte(p) == '\n') {
                p++;
            }
        }
        if (dataLines == 0) {
            return visitor.keepsOtherEvents() ? Decision.FORWARD : Decision.DROP;
        }
        // A second data line moved the data into the joined buffer (scratch); a single one is read in place.
        return scratch == null ? visit(buf, dataStart, dataEnd - dataStart)
                : visit(scratch, scratch.readerIndex(), scratch.readableBytes());
    }

    private Decision visit(ByteBuf data, int index, int length) {
        visiting = true;
        emitted = 0;
        Decision decision;
        try {
            decision = visitor.onEvent(data, index, length, emitter);
        } finally {
            visiting = false;
        }
        if (decision == Decision.REPLACE) {
            return decision;
        }
        if (emitted > 0 && !closed) {
            throw new IllegalStateException(
                    "visitor emitted " + emitted + " event(s) and answered " + decision + " (expected: REPLACE)");
        }
        return decision == Decision.DROP ? Decision.DROP : Decision.FORWARD;
    }

    private ByteBuf joinedBuffer(int dataLines, ByteBuf buf, int firstStart, int firstEnd) {
        if (joined == null) {
            joined = alloc.heapBuffer(256);
        }
        if (dataLines == 2) {
            joined.clear();
            joined.writeBytes(buf, firstStart, firstEnd - firstStart);
        }
        return joined;
    }

    private static int lineEnd(ByteBuf buf, int p, int end, boolean mayHaveCr) {
        int lf = buf.indexOf(p, end, (byte) '\n');
        if (!mayHaveCr) {
            return lf;
        }
        int cr = buf.indexOf(p, lf < 0 ? end : lf, (byte) '\r');
        return cr >= 0 ? cr : lf;
    }

    private void addOutput(ByteBuf buf, int start, int end) {
        if (rangeBuf == buf && rangeEnd == start) {
            rangeEnd = end;
            return;
        }
        flushRange();
        rangeBuf = buf;
        rangeStart = start;
        rangeEnd = end;
    }

    private void flushRange() {
        ByteBuf buf = rangeBuf;
        if (buf == null) {
            return;
        }
        rangeBuf = null;
        addPart(buf.retainedSlice(rangeStart, rangeEnd - rangeStart));
    }

    /** Appends {@code part} to the output, taking it. */
    private void addPart(ByteBuf part) {
        if (firstSlice == null) {
            firstSlice = part;
            return;
        }
        if (composite == null) {
            composite = alloc.compositeBuffer();
            composite.addComponent(true, firstSlice);
        }
        composite.addComponent(true, part);
    }

    private ByteBuf takeOutput() {
        flushRange();
        ByteBuf out = composite != null ? composite : firstSlice;
        composite = null;
        firstSlice = null;
        return out != null ? out : Unpooled.EMPTY_BUFFER;
    }

    private void discardOutput() {
        rangeBuf = null;
        if (composite != null) {
            composite.release();
        } else if (firstSlice != null) {
            firstSlice.release();
        }
        composite = null;
        firstSlice = null;
    }

    /** Returns whether the readable bytes of {@code buf} end with a blank line (two line ends, or one at the start). */
    private static boolean endsWithBlankLine(ByteBuf buf) {
        int start = buf.readerIndex();
        int last = buf.writerIndex() - 1;
        byte b = buf.getByte(last);
        if (b != '\n' && b != '\r') {
            return false;
        }
        int before = b == '\n' && last > start && buf.getByte(last - 1) == '\r' ? last - 2 : last - 1;
        if (before < start) {
            return true;
        }
        byte c = buf.getByte(before);
        return c == '\n' || c == '\r';
    }

    /** The framer's side of {@link Emitter}: one instance per framer, so that emitting allocates nothing. */
    private final class FramerEmitter implements Emitter {
        @Override
        public void emit(ByteBuf events) {
            requireNonNull(events, "events");
            if (!visiting || closed) {
                events.release();
                throw new IllegalStateException(closed ? "framer already finished" : "emit() outside onEvent()");
            }
            if (!events.isReadable()) {
                events.release();
                emitted++;
                return;
            }
            if (!endsWithBlankLine(events)) {
                events.release();
                throw new IllegalArgumentException("events: no blank line at the end (expected: data: ...\\n\\n)");
            }
            emitted++;
            flushRange();
            addPart(events);
        }
    }
}
