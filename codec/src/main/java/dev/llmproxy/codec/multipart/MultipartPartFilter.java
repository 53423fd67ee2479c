package dev.llmproxy.codec.multipart;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * The body is read as MultipartModelRewriter reads it (RFC 7578 / RFC 2046: preamble, parts each introduced by CRLF
 * "--" boundary, a close delimiter, an epilogue), with the same delimiter count carried from one buffer to the next,
 * so that any split of the input gives the same result.
 *
 * Parts are looked at up to the start of the file part (the part named fileField that has a file name); that start
 * ends the form's fields. Before it, a part whose name the caller drops is cut out of the output: the bytes after
 * the delimiter that introduces it (transport padding, CRLF, headers, content) and the delimiter that ends it. What
 * is left joins the delimiter before the part to what follows the one after it, a well-formed body. Since a part's
 * name is known only at the end of its header block, the output is suspended at every delimiter before the file and
 * the bytes after it are kept aside (pending, at most MAX_HEADER_BYTES); a kept part resumes the output from there
 * (a slice of the input when they are in the current buffer, else a copy of the few header bytes). From the file
 * part's start on, a rewriter parses nothing more (state PASS): every later buffer goes out as one slice of itself,
 * so the file costs no scanning and no copy. A routing field after the file is therefore the provider's to see.
 *
 * A scanner reads on past the file, skipping content with ByteBuf.indexOf for CR, so that a caller can wait for a
 * field the file came before. It holds the values of the text fields the caller reads (at most MAX_FIELDS of at most
 * MAX_VALUE_BYTES each), noting which came before the file.
 *
 * A malformed body (a header block over MAX_HEADER_BYTES, no CRLF after a boundary, a field too long, too many read
 * fields) fails the reader: error() says why and a rewriter writes nothing more. A body that ends before its close
 * delimiter fails in finish().
 */
/**
 * Reads the text fields of a {@code multipart/form-data} body as it streams through and, as a rewriter, writes the
 * body without the parts a caller drops, up to the start of the file part; from there on the body passes untouched.
 * Incremental: input may be split anywhere.
 *
 * <p>Thread-safety: not thread-safe; one instance per body.
 */
public final class MultipartPartFilter {
    /** The most one part's header block (with the padding after its boundary) may take. */
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** The most a read field's value may take. */
    static final int MAX_VALUE_BYTES = 1024;
    /** The most fields a scanner holds. */
    static final int MAX_FIELDS = 64;

    private static final int CONTENT = 0;
    private static final int VALUE = 1;
    private static final int BOUNDARY_END = 2;
    private static final int CLOSE_DASH = 3;
    private static final int BOUNDARY_LF = 4;
    private static final int HEADERS = 5;
    private static final int EPILOGUE = 6;
    private static final int PASS = 7;
    private static final int FAILED = 8;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /**
     * A text field read from the body.
     *
     * @param beforeFile whether it came before the file part started
     */
    public record Field(String name, String value, boolean beforeFile) {}

    /** CRLF "--" boundary. */
    private final byte[] delimiter;
    private final String fileField;
    private final Predicate<String> reads;
    private final Predicate<String> drops;
    private final boolean rewriting;
    private int state = CONTENT;
    private int matched = 2;
    private final byte[] line = new byte[MAX_HEADER_BYTES];
    private int lineLength;
    private int headerBytes;
    private @Nullable String partName;
    private boolean partHasFileName;
    private byte[] value = new byte[64];
    private int valueLength;
    private final List<Field> fields = new ArrayList<>();
    private boolean fileStarted;
    /** Whether the rewriter's output is suspended (a part being dropped, or one whose name is not known yet). */
    private boolean holding;
    /** The bytes after the last delimiter before the file, until their part is known to be kept; rewriter only. */
    private byte[] pending = new byte[256];
    private int pendingLength;
    /** Where {@link #pending} starts in the buffer being read, or -1 when it started in an earlier one. */
    private int pendingStart = -1;
    private @Nullable String error;
    private boolean finished;

    private MultipartPartFilter(String boundary, String fileField, Predicate<String> reads,
            Predicate<String> drops, boolean rewriting) {
        requireNonNull(boundary, "boundary");
        if (!MultipartModelRewriter.isValidBoundary(boundary)) {
            throw new IllegalArgumentException("boundary: " + boundary + " (expected: 1 to 70 RFC 2046 characters)");
        }
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.fileField = requireNonNull(fileField, "fileField");
        this.reads = requireNonNull(reads, "reads");
        this.drops = requireNonNull(drops, "drops");
        this.rewriting = rewriting;
    }

    /**
     * A reader that holds the text fields named by {@code reads} ({@link #scan}) and notes where the file part
     * named {@code fileField} starts; it writes nothing.
     */
    public static MultipartPartFilter scanner(String boundary, String fileField, Predicate<String> reads) {
        return new MultipartPartFilter(boundary, fileField, reads, name -> false, false);
    }

    /**
     * A reader that writes the body without the parts named by {@code drops} that come before the file part named
     * {@code fileField} ({@link #rewrite}).
     */
    public static MultipartPartFilter rewriter(String boundary, String fileField, Predicate<String> drops) {
        return new MultipartPartFilter(boundary, fileField, name -> false, drops, true);
    }

    /**
     * Reads {@code in} (not taken; its indexes do not move) and returns the bytes to send on: retained slices of
     * {@code in}, and copies of the few header bytes of a kept part that straddled two buffers; the caller releases
     * the result. After a failure, returns an empty buffer.
     *
     * @throws IllegalStateException on a scanner
     */
    public ByteBuf rewrite(ByteBufAllocator alloc, ByteBuf in) {
        if (!rewriting) {
            throw new IllegalStateException("a scanner writes nothing");
        }
        if (state == PASS || state == EPILOGUE) {
            return in.retainedSlice();
        }
        SlicedOutput out = new SlicedOutput(alloc, in, holding);
        parse(in, out);
        holding = out.isSuspended();
        return out.result();
    }

    /**
     * Reads {@code in} (not taken; its indexes do not move) for its fields; writes nothing.
     *
     * @throws IllegalStateException on a rewriter
     */
    public void scan(ByteBuf in) {
        if (rewriting) {
            throw new IllegalStateException("a rewriter writes the body: call rewrite");
        }
        parse(in, null);
    }

    /** The body ended: a body cut before its close delimiter fails here (a rewriter past the file is not checked). */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (state != FAILED && state != PASS && state != EPILOGUE) {
            fail("The multipart body ended before its closing boundary");
        }
    }

    /** The fields read so far, in the order they came. */
    public List<Field> fields() {
        return fields;
    }

    /** The value of the first field named {@code name} read so far, or null. */
    public @Nullable String field(String name) {
        for (Field field : fields) {
            if (field.name().equals(name)) {
                return field.value();
            }
        }
        return null;
    }

    /** Whether the file part started: the fields before it are all read, and a rewriter passes the rest. */
    public boolean fileStarted() {
        return fileStarted;
    }

    /** Whether the close delimiter was read. */
    public boolean isEnded() {
        return state == EPILOGUE;
    }

    /** Why the body cannot be read, or null. */
    public @Nullable String error() {
        return error;
    }

    private void parse(ByteBuf in, @Nullable SlicedOutput out) {
        pendingStart = -1;
        int index = in.readerIndex();
        int end = in.writerIndex();
        while (index < end) {
            switch (state) {
                case PASS, EPILOGUE, FAILED -> index = end;
                case CONTENT -> index = content(in, index, end, out);
                case VALUE -> index = fieldValue(in, index, end, out);
                case HEADERS -> index = headers(in, index, end, out);
                default -> index = afterBoundary(in.getByte(index), index, out);
            }
        }
        if (state == FAILED && out != null) {
            out.clear();
        }
    }

    /** Skips content (a file, a field not read, the preamble) up to the end of the next delimiter. */
    private int content(ByteBuf in, int index, int end, @Nullable SlicedOutput out) {
        while (index < end) {
            if (matched == 0) {
                int cr = in.indexOf(index, end, CR);
                if (cr < 0) {
                    return end;
                }
                index = cr;
            }
            byte b = in.getByte(index++);
            if (b == delimiter[matched]) {
                if (++matched == delimiter.length) {
                    delimiterEnded(index, out);
                    return index;
                }
            } else {
                matched = b == CR ? 1 : 0;
            }
        }
        return index;
    }

    /** Holds a read field's value, up to the delimiter that ends it. */
    private int fieldValue(ByteBuf in, int index, int end, @Nullable SlicedOutput out) {
        while (index < end) {
            byte b = in.getByte(index++);
            if (b == delimiter[matched]) {
                if (++matched < delimiter.length) {
                    continue;
                }
                String name = partName;
                if (name == null) {
                    throw new IllegalStateException("a read field without a name");
                }
                if (fields.size() == MAX_FIELDS) {
                    fail("Malformed multipart body: more than " + MAX_FIELDS + " form fields");
                    return end;
                }
                fields.add(new Field(name, new String(value, 0, valueLength, StandardCharsets.UTF_8), !fileStarted));
                delimiterEnded(index, out);
                return index;
            }
            if (matched > 0) {
                // A false start of the delimiter was part of the value.
                for (int i = 0; i < matched && state != FAILED; i++) {
                    appendValue(delimiter[i]);
                }
                matched = 0;
            }
            if (b == CR) {
                matched = 1;
            } else {
                appendValue(b);
            }
            if (state == FAILED) {
                return end;
            }
        }
        return index;
    }

    /** A delimiter ended at {@code index}: before the file, what follows is held until its part is known. */
    private void delimiterEnded(int index, @Nullable SlicedOutput out) {
        matched = 0;
        state = BOUNDARY_END;
        headerBytes = 0;
        if (out != null && !fileStarted) {
            if (!out.isSuspended()) {
                out.suspend(index);
            }
            pendingStart = index;
            pendingLength = 0;
        }
    }

    private int afterBoundary(byte b, int index, @Nullable SlicedOutput out) {
        hold(b, out);
        if (++headerBytes > MAX_HEADER_BYTES) {
            fail("Malformed multipart body: a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
            return index + 1;
        }
        switch (state) {
            case BOUNDARY_END -> {
                if (b == '-') {
                    state = CLOSE_DASH;
                } else if (b == CR) {
                    state = BOUNDARY_LF;
                } else if (b != ' ' && b != '\t') {
                    // RFC 2046 allows only linear white space between a boundary and its CRLF.
                    fail("Malformed multipart body: a boundary is not followed by a line break");
                }
            }
            case CLOSE_DASH -> {
                if (b == '-') {
                    state = EPILOGUE;
                    if (out != null) {
                        keep(out, index + 1);
                    }
                } else {
                    fail("Malformed multipart body: a boundary is followed by a single '-'");
                }
            }
            case BOUNDARY_LF -> {
                if (b == LF) {
                    state = HEADERS;
                    lineLength = 0;
                    partName = null;
                    partHasFileName = false;
                } else {
                    fail("Malformed multipart body: a boundary is not followed by a line break");
                }
            }
            default -> throw new IllegalStateException("state " + state);
        }
        return index + 1;
    }

    /** Reads a part's header lines; at the empty line that ends them, decides what becomes of the part. */
    private int headers(ByteBuf in, int index, int end, @Nullable SlicedOutput out) {
        while (index < end) {
            byte b = in.getByte(index++);
            hold(b, out);
            if (++headerBytes > MAX_HEADER_BYTES) {
                fail("Malformed multipart body: a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
                return end;
            }
            if (b != LF) {
                line[lineLength++] = b;
                continue;
            }
            int length = lineLength > 0 && line[lineLength - 1] == CR ? lineLength - 1 : lineLength;
            lineLength = 0;
            if (length > 0) {
                disposition(new String(line, 0, length, StandardCharsets.ISO_8859_1));
                continue;
            }
            partStarts(index, out);
            return index;
        }
        return index;
    }

    private void partStarts(int index, @Nullable SlicedOutput out) {
        String name = partName;
        matched = 0;
        valueLength = 0;
        if (!fileStarted && partHasFileName && fileField.equals(name)) {
            fileStarted = true;
            if (out != null) {
                keep(out, index);
                state = PASS;
                return;
            }
        } else if (out != null && !fileStarted && (name == null || !drops.test(name))) {
            keep(out, index);
        }
        state = name != null && !partHasFileName && reads.test(name) ? VALUE : CONTENT;
    }

    /** The part after the pending bytes is kept: the output resumes with them. */
    private void keep(SlicedOutput out, int index) {
        if (!out.isSuspended()) {
            return;
        }
        if (pendingStart >= 0) {
            out.resume(pendingStart);
        } else {
            out.literal(Arrays.copyOf(pending, pendingLength));
            out.resume(index);
        }
        pendingLength = 0;
    }

    private void hold(byte b, @Nullable SlicedOutput out) {
        if (out == null || fileStarted) {
            return;
        }
        if (pendingLength == pending.length) {
            pending = Arrays.copyOf(pending, Math.min(MAX_HEADER_BYTES + 1, pending.length * 2));
        }
        if (pendingLength < pending.length) {
            pending[pendingLength++] = b;
        }
    }

    /** Notes the part a {@code Content-Disposition} header line names, and whether it has a file name. */
    private void disposition(String header) {
        int colon = header.indexOf(':');
        if (colon < 0 || !header.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
            return;
        }
        int semicolon = header.indexOf(';', colon);
        if (semicolon < 0) {
            return;
        }
        partName = MultipartModelRewriter.parameter(header, semicolon, "name");
        partHasFileName = MultipartModelRewriter.parameter(header, semicolon, "filename") != null;
    }

    private void appendValue(byte b) {
        if (valueLength == MAX_VALUE_BYTES) {
            fail("The form field " + partName + " is longer than " + MAX_VALUE_BYTES + " bytes");
            return;
        }
        if (valueLength == value.length) {
            value = Arrays.copyOf(value, Math.min(MAX_VALUE_BYTES, value.length * 2));
        }
        value[valueLength++] = b;
    }

    private void fail(String message) {
        if (error == null) {
            error = message;
        }
        state = FAILED;
    }
}
