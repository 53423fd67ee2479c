package dev.llmproxy.codec.multipart;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * The body is read as RFC 7578 / RFC 2046 lays it out: a preamble, then parts each introduced by the delimiter
 * CRLF "--" boundary, each part's header block ending with an empty line, and a close delimiter ("--" after the
 * boundary) followed by an epilogue. The first delimiter needs no CRLF before it, so the reader starts as if a CRLF
 * had just been read (matched = 2).
 *
 * The delimiter is searched with a count of its bytes matched so far, which carries over from one buffer to the
 * next, so any split of the input gives the same result. The delimiter's only CR is its first byte (a boundary has no
 * CR), so a failed partial match can only restart at the byte that broke it. Content bytes are skipped with
 * ByteBuf.indexOf for CR, which keeps a large file part cheap.
 *
 * The value of the first part named "model" is held (at most MAX_MODEL_BYTES) and its bytes, with the delimiter that
 * ends it, are kept out of the output; once the delimiter is confirmed, the replacement and the delimiter are written
 * instead. Every other byte goes out as a retained slice of the input, so the output of a buffer without the model is
 * one slice of it: no copy. After the model part the rewriter stops parsing (state PASS): what follows is the
 * provider's to validate, and is passed on untouched.
 *
 * A scanner also holds the value of the first "stream" field (OpenAI's transcriptions stream their answer when it is
 * "true"), wherever it comes, and reads on past the model, field by field, until the fields are read (fieldsRead): the
 * stream field was seen, a file part starts after the model, or the body ended. Skipping a file part costs no more
 * than skipping any content, and only what the caller holds of the body is held.
 *
 * A malformed body (a header block over MAX_HEADER_BYTES, no CRLF after a boundary) fails the reader: error() says
 * why, and the caller answers 400. A body that ends before its close delimiter without a model is reported by
 * finish().
 */
/**
 * Reads the {@code model} field of a {@code multipart/form-data} body as it streams through, and optionally writes
 * the body with that field's value replaced, byte for byte otherwise; a scanner also reads the {@code stream} field.
 * Incremental: input may be split anywhere.
 *
 * <p>Thread-safety: not thread-safe; one instance per body.
 */
public final class MultipartModelRewriter {
    /** RFC 2046's limit on a boundary's length. */
    public static final int MAX_BOUNDARY_CHARS = 70;
    /** The most one part's header block may take. */
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** The most the {@code model} value may take. */
    static final int MAX_MODEL_BYTES = 1024;

    private static final int CONTENT = 0;
    /** Holding the value of the model or the stream field ({@link #fieldPart}). */
    private static final int MODEL = 1;
    private static final int BOUNDARY_END = 2;
    private static final int CLOSE_DASH = 3;
    private static final int BOUNDARY_LF = 4;
    private static final int HEADERS = 5;
    private static final int EPILOGUE = 6;
    private static final int PASS = 7;
    private static final int FAILED = 8;

    private static final int NO_FIELD = 0;
    private static final int MODEL_FIELD = 1;
    private static final int STREAM_FIELD = 2;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** CRLF "--" boundary. */
    private final byte[] delimiter;
    /** What the model value becomes, or null to keep it; meaningless when scanning. */
    private final byte @Nullable [] replacement;
    private int state = CONTENT;
    private int matched = 2;
    private final byte[] line = new byte[MAX_HEADER_BYTES];
    private int lineLength;
    private int headerBytes;
    /** Which held field the part being read is ({@link #NO_FIELD} for any other). */
    private int fieldPart;
    /** Whether the part being read is a file (its disposition has a file name). */
    private boolean filePart;
    private byte[] value = new byte[64];
    private int valueLength;
    private @Nullable String model;
    private int modelBytes = -1;
    private @Nullable String stream;
    /** Whether a file part started after the model field. */
    private boolean fileAfterModel;
    private @Nullable String error;
    private boolean finished;

    private MultipartModelRewriter(String boundary, byte @Nullable [] replacement) {
        requireNonNull(boundary, "boundary");
        if (!isValidBoundary(boundary)) {
            throw new IllegalArgumentException("boundary: " + boundary + " (expected: 1 to 70 RFC 2046 characters)");
        }
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.replacement = replacement;
    }

    /** A reader that only finds the model ({@link #scan}); the body's boundary as {@link #boundary} returns it. */
    public static MultipartModelRewriter scanner(String boundary) {
        return new MultipartModelRewriter(boundary, null);
    }

    /**
     * A reader that writes the body with the model value replaced by {@code model} ({@link #rewrite}).
     *
     * @param model the new value, or null to keep the client's
     */
    public static MultipartModelRewriter rewriter(String boundary, @Nullable String model) {
        return new MultipartModelRewriter(boundary, model == null ? null : model.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The boundary of a {@code multipart/form-data} content type, or null when the type is another one or its
     * boundary is missing or not valid by RFC 2046 (1 to 70 characters of its set, not ending in a space).
     */
    public static @Nullable String boundary(@Nullable CharSequence contentType) {
        if (contentType == null) {
            return null;
        }
        String type = contentType.toString();
        int semicolon = type.indexOf(';');
        String mediaType = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        if (!mediaType.equalsIgnoreCase("multipart/form-data") || semicolon < 0) {
            return null;
        }
        String boundary = parameter(type, semicolon, "boundary");
        return boundary != null && isValidBoundary(boundary) ? boundary : null;
    }

    /**
     * Reads {@code in} (not taken; its indexes do not move) and returns the bytes to send on: retained slices of
     * {@code in} and the replacement; the caller releases the result. After a failure, returns an empty buffer.
     */
    public ByteBuf rewrite(ByteBufAllocator alloc, ByteBuf in) {
        SlicedOutput out = new SlicedOutput(alloc, in, state == MODEL);
        parse(in, out);
        return out.result();
    }

    /** Reads {@code in} (not taken; its indexes do not move) to find the model; writes nothing. */
    public void scan(ByteBuf in) {
        parse(in, null);
    }

    /** The body ended: a body cut before its model part or its close delimiter fails here. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (state == FAILED || state == PASS || model != null) {
            return;
        }
        if (state != EPILOGUE) {
            fail("The multipart body ended before its closing boundary");
        }
    }

    /** The model field's value once read, else null. */
    public @Nullable String model() {
        return model;
    }

    /** The {@code stream} field's value once a scanner read it, else null. */
    public @Nullable String stream() {
        return stream;
    }

    /**
     * Whether a scanner has read the fields the caller needs: the model, and the {@code stream} field unless none
     * came before the first file part after the model or the end of the body.
     */
    public boolean fieldsRead() {
        return model != null && (stream != null || fileAfterModel || state == EPILOGUE || finished);
    }

    /** Whether the model field's value was read (it may be empty). */
    public boolean hasModel() {
        return model != null;
    }

    /**
     * How many bytes the body grows by in the rewriting (negative when it shrinks), once the model was read: the
     * upstream body's length is the client's plus this.
     */
    public int lengthChange() {
        if (modelBytes < 0) {
            throw new IllegalStateException("the model has not been read");
        }
        byte[] newValue = replacement;
        return newValue == null ? 0 : newValue.length - modelBytes;
    }

    /** Why the body cannot be read, or null. */
    public @Nullable String error() {
        return error;
    }

    /** Whether the close delimiter was read without a model field before it (the request lacks one). */
    public boolean isModelMissing() {
        return error == null && model == null && state == EPILOGUE;
    }

    private void parse(ByteBuf in, @Nullable SlicedOutput out) {
        int index = in.readerIndex();
        int end = in.writerIndex();
        while (index < end) {
            switch (state) {
                case PASS, EPILOGUE, FAILED -> index = end;
                case CONTENT -> index = content(in, index, end);
                case MODEL -> index = fieldValue(in, index, end, out);
                case HEADERS -> index = headers(in, index, end, out);
                default -> index = afterBoundary(in.getByte(index), index);
            }
        }
        if (state == FAILED && out != null) {
            out.clear();
        }
    }

    /** Skips content (a file, another field, the preamble) up to the end of the next delimiter. */
    private int content(ByteBuf in, int index, int end) {
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
                    matched = 0;
                    state = BOUNDARY_END;
                    return index;
                }
            } else {
                matched = b == CR ? 1 : 0;
            }
        }
        return index;
    }

    /** Holds the model (or the stream field's) value, up to the delimiter that ends it. */
    private int fieldValue(ByteBuf in, int index, int end, @Nullable SlicedOutput out) {
        while (index < end) {
            byte b = in.getByte(index++);
            if (b == delimiter[matched]) {
                if (++matched < delimiter.length) {
                    continue;
                }
                matched = 0;
                if (fieldPart == STREAM_FIELD) {
                    stream = new String(value, 0, valueLength, StandardCharsets.UTF_8);
                    state = BOUNDARY_END;
                    return index;
                }
                model = new String(value, 0, valueLength, StandardCharsets.UTF_8);
                modelBytes = valueLength;
                // A rewriter is done with the body; a scanner reads on for the stream field.
                state = out != null ? PASS : BOUNDARY_END;
                if (out != null) {
                    byte[] newValue = replacement;
                    out.literal(newValue != null ? newValue : Arrays.copyOf(value, valueLength), delimiter);
                    out.resume(index);
                }
                return index;
            }
            if (matched > 0) {
                // A false start of the delimiter was part of the value.
                appendValue(delimiter, matched);
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

    private int afterBoundary(byte b, int index) {
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
                } else {
                    fail("Malformed multipart body: a boundary is followed by a single '-'");
                }
            }
            case BOUNDARY_LF -> {
                if (b == LF) {
                    state = HEADERS;
                    lineLength = 0;
                    headerBytes = 0;
                    fieldPart = NO_FIELD;
                    filePart = false;
                } else {
                    fail("Malformed multipart body: a boundary is not followed by a line break");
                }
            }
            default -> throw new IllegalStateException("state " + state);
        }
        return index + 1;
    }

    /** Reads a part's header lines; its content starts after the empty line. */
    private int headers(ByteBuf in, int index, int end, @Nullable SlicedOutput out) {
        while (index < end) {
            byte b = in.getByte(index++);
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
            fileAfterModel |= filePart && model != null;
            boolean held = fieldPart == MODEL_FIELD ? model == null
                    : fieldPart == STREAM_FIELD && !filePart && stream == null && out == null;
            if (held) {
                state = MODEL;
                valueLength = 0;
                if (out != null) {
                    out.suspend(index);
                }
            } else {
                state = CONTENT;
            }
            matched = 0;
            return index;
        }
        return index;
    }

    /** Notes what part a {@code Content-Disposition} header line names: the model, the stream field, a file. */
    private void disposition(String header) {
        int colon = header.indexOf(':');
        if (colon < 0 || !header.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
            return;
        }
        int semicolon = header.indexOf(';', colon);
        if (semicolon < 0) {
            return;
        }
        String name = parameter(header, semicolon, "name");
        fieldPart = "model".equals(name) ? MODEL_FIELD : "stream".equals(name) ? STREAM_FIELD : NO_FIELD;
        filePart = parameter(header, semicolon, "filename") != null;
    }

    /**
     * The value of parameter {@code name} in a header value's {@code ;}-separated parameters (from index
     * {@code from}, a semicolon), unquoted; null when absent.
     */
    static @Nullable String parameter(String header, int from, String name) {
        int i = from;
        int length = header.length();
        while (i < length) {
            i++;
            while (i < length && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                i++;
            }
            int keyStart = i;
            while (i < length && header.charAt(i) != '=' && header.charAt(i) != ';') {
                i++;
            }
            String key = header.substring(keyStart, i).trim();
            if (i >= length || header.charAt(i) == ';') {
                continue;
            }
            i++;
            StringBuilder parsed = new StringBuilder();
            if (i < length && header.charAt(i) == '"') {
                i++;
                while (i < length && header.charAt(i) != '"') {
                    char c = header.charAt(i++);
                    if (c == '\\' && i < length) {
                        c = header.charAt(i++);
                    }
                    parsed.append(c);
                }
                i++;
                while (i < length && header.charAt(i) != ';') {
                    i++;
                }
            } else {
                int valueStart = i;
                while (i < length && header.charAt(i) != ';') {
                    i++;
                }
                parsed.append(header, valueStart, i);
            }
            if (key.equalsIgnoreCase(name)) {
                return parsed.toString();
            }
        }
        return null;
    }

    static boolean isValidBoundary(String boundary) {
        int length = boundary.length();
        if (length == 0 || length > MAX_BOUNDARY_CHARS || boundary.charAt(length - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = boundary.charAt(i);
            boolean bchar = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                    || "'()+_,-./:=? ".indexOf(c) >= 0;
            if (!bchar) {
                return false;
            }
        }
        return true;
    }

    private void appendValue(byte b) {
        if (valueLength == MAX_MODEL_BYTES) {
            fail("The model field is longer than " + MAX_MODEL_BYTES + " bytes");
            return;
        }
        if (valueLength == value.length) {
            value = Arrays.copyOf(value, Math.min(MAX_MODEL_BYTES, value.length * 2));
        }
        value[valueLength++] = b;
    }

    private void appendValue(byte[] bytes, int count) {
        for (int i = 0; i < count && state != FAILED; i++) {
            appendValue(bytes[i]);
        }
    }

    private void fail(String message) {
        if (error == null) {
            error = message;
        }
        state = FAILED;
    }
}
