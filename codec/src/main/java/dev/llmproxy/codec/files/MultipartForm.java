package dev.llmproxy.codec.files;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a whole {@code multipart/form-data} body (RFC 7578): each part's name, file name, content type and
 * where its bytes are, found without copying them. Used on an upload the server has aggregated (bounded by its body
 * limit); the body itself is not taken and must outlive the form.
 *
 * <p>Thread-safety: immutable once read.
 */
public final class MultipartForm {
    private static final byte[] CRLF = {'\r', '\n'};
    /** More parts than any upload form has; a body with more is refused rather than scanned on. */
    private static final int MAX_PARTS = 1000;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final ByteBuf body;
    private final String boundary;
    private final List<Part> parts;

    private MultipartForm(ByteBuf body, String boundary, List<Part> parts) {
        this.body = body;
        this.boundary = boundary;
        this.parts = parts;
    }

    /**
     * One part.
     *
     * @param name the form field's name
     * @param fileName the file name, or null for a plain field
     * @param contentType the part's own content type, or null
     * @param start where the part starts in the body (its {@code --boundary} line)
     * @param contentStart where its content starts
     * @param contentEnd where its content ends (exclusive, before the CRLF of the next delimiter)
     */
    public record Part(String name, @Nullable String fileName, @Nullable String contentType, int start,
            int contentStart, int contentEnd) {

        public int contentLength() {
            return contentEnd - contentStart;
        }
    }

    /** Malformed multipart input. */
    public static final class MalformedFormException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedFormException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The boundary named by a {@code Content-Type} header value, or null when it is not {@code multipart/form-data}
     * or names none.
     */
    public static @Nullable String boundary(@Nullable String contentType) {
        if (contentType == null
                || !contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        String value = parameter(contentType, "boundary");
        return value == null || value.isEmpty() || value.length() > 70 ? null : value;
    }

    /**
     * Reads the parts of {@code body}'s readable bytes.
     *
     * @param body not taken; the form refers to it
     * @throws MalformedFormException when the body is not a complete multipart body with this boundary
     */
    public static MultipartForm read(ByteBuf body, String boundary) throws MalformedFormException {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int end = body.writerIndex();
        int at = indexOf(body, body.readerIndex(), end, delimiter);
        if (at < 0) {
            throw new MalformedFormException("The multipart body has no boundary line");
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            int afterDelimiter = at + delimiter.length;
            if (afterDelimiter + 2 > end) {
                throw new MalformedFormException("The multipart body ends without its closing boundary");
            }
            if (body.getByte(afterDelimiter) == '-' && body.getByte(afterDelimiter + 1) == '-') {
                return new MultipartForm(body, boundary, List.copyOf(parts));
            }
            int headersStart = skipLineEnd(body, afterDelimiter, end);
            int headersEnd = indexOf(body, headersStart, Math.min(end, headersStart + MAX_HEADER_BYTES),
                    new byte[] {'\r', '\n', '\r', '\n'});
            boolean noHeaders = headersStart + 2 <= end && body.getByte(headersStart) == '\r'
                    && body.getByte(headersStart + 1) == '\n';
            if (headersEnd < 0 && !noHeaders) {
                throw new MalformedFormException("A multipart part's headers do not end");
            }
            int contentStart = noHeaders ? headersStart + 2 : headersEnd + 4;
            int next = nextDelimiter(body, contentStart, end, crlfDelimiter(delimiter));
            String headers = noHeaders ? "" : body.toString(headersStart, headersEnd - headersStart,
                    StandardCharsets.UTF_8);
            parts.add(part(headers, at, contentStart, next));
            if (parts.size() > MAX_PARTS) {
                throw new MalformedFormException("The multipart body has more than " + MAX_PARTS + " parts");
            }
            at = next + 2;
        }
    }

    public List<Part> parts() {
        return parts;
    }

    /** The first part named {@code name}, or null. */
    public @Nullable Part part(String name) {
        for (Part part : parts) {
            if (part.name().equals(name)) {
                return part;
            }
        }
        return null;
    }

    /** The text of the first plain field named {@code name} (UTF-8), or null when there is none. */
    public @Nullable String field(String name) {
        Part part = part(name);
        return part == null || part.fileName() != null ? null : text(part);
    }

    /** The texts of every plain field named {@code name}, in order. */
    public List<String> fields(String name) {
        List<String> values = new ArrayList<>();
        for (Part part : parts) {
            if (part.name().equals(name) && part.fileName() == null) {
                values.add(text(part));
            }
        }
        return values;
    }

    public String text(Part part) {
        return body.toString(part.contentStart(), part.contentLength(), StandardCharsets.UTF_8);
    }

    /**
     * The body without the parts whose names {@code dropped} accepts: retained slices of the original for the parts
     * kept, so nothing is copied. Returns the body itself, retained, when nothing is dropped.
     *
     * @return a buffer owned by the caller
     */
    public ByteBuf without(ByteBufAllocator alloc, Predicate<String> dropped) {
        boolean any = parts.stream().anyMatch(p -> dropped.test(p.name()));
        if (!any) {
            return body.retainedSlice(body.readerIndex(), body.readableBytes());
        }
        CompositeByteBuf out = alloc.compositeBuffer(parts.size() * 2 + 1);
        for (Part part : parts) {
            if (!dropped.test(part.name())) {
                out.addComponent(true, body.retainedSlice(part.start(), part.contentEnd() - part.start()));
                out.addComponent(true, alloc.buffer(2).writeBytes(CRLF));
            }
        }
        byte[] closing = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        out.addComponent(true, alloc.buffer(closing.length).writeBytes(closing));
        return out;
    }

    private static Part part(String headers, int start, int contentStart, int contentEnd)
            throws MalformedFormException {
        String disposition = null;
        String contentType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (header.equals("content-disposition")) {
                disposition = value;
            } else if (header.equals("content-type")) {
                contentType = value;
            }
        }
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw new MalformedFormException("A multipart part has no Content-Disposition: form-data header");
        }
        String name = parameter(disposition, "name");
        if (name == null) {
            throw new MalformedFormException("A multipart part has no name");
        }
        return new Part(name, parameter(disposition, "filename"), contentType, start, contentStart, contentEnd);
    }

    /** A {@code ; key=value} or {@code ; key="value"} parameter of a header value, or null. */
    private static @Nullable String parameter(String header, String key) {
        int at = 0;
        while ((at = header.indexOf(';', at)) >= 0) {
            at++;
            while (at < header.length() && header.charAt(at) == ' ') {
                at++;
            }
            int eq = header.indexOf('=', at);
            if (eq < 0) {
                return null;
            }
            if (!header.substring(at, eq).trim().equalsIgnoreCase(key)) {
                continue;
            }
            int valueStart = eq + 1;
            if (valueStart < header.length() && header.charAt(valueStart) == '"') {
                StringBuilder value = new StringBuilder();
                for (int i = valueStart + 1; i < header.length(); i++) {
                    char c = header.charAt(i);
                    if (c == '\\' && i + 1 < header.length()) {
                        value.append(header.charAt(++i));
                    } else if (c == '"') {
                        return value.toString();
                    } else {
                        value.append(c);
                    }
                }
                return null;
            }
            int valueEnd = header.indexOf(';', valueStart);
            return header.substring(valueStart, valueEnd < 0 ? header.length() : valueEnd).trim();
        }
        return null;
    }

    private static int skipLineEnd(ByteBuf body, int at, int end) throws MalformedFormException {
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF (RFC 2046 section 5.1.1).
        int i = at;
        while (i < end && (body.getByte(i) == ' ' || body.getByte(i) == '\t')) {
            i++;
        }
        if (i + 2 > end || body.getByte(i) != '\r' || body.getByte(i + 1) != '\n') {
            throw new MalformedFormException("A multipart boundary line does not end with CRLF");
        }
        return i + 2;
    }

    /**
     * Where the CRLF before the next delimiter line is: a candidate counts only when the delimiter is followed by
     * {@code --} or by optional padding and CRLF, so content that merely starts a line with the boundary's text
     * stays content.
     */
    private static int nextDelimiter(ByteBuf body, int from, int end, byte[] crlfDelimiter)
            throws MalformedFormException {
        int at = from;
        while (true) {
            int next = indexOf(body, at, end, crlfDelimiter);
            if (next < 0) {
                throw new MalformedFormException("The multipart body ends without its closing boundary");
            }
            int after = next + crlfDelimiter.length;
            if (after + 1 < end && body.getByte(after) == '-' && body.getByte(after + 1) == '-') {
                return next;
            }
            int i = after;
            while (i < end && (body.getByte(i) == ' ' || body.getByte(i) == '\t')) {
                i++;
            }
            if (i + 1 < end && body.getByte(i) == '\r' && body.getByte(i + 1) == '\n') {
                return next;
            }
            at = next + 1;
        }
    }

    private static byte[] crlfDelimiter(byte[] delimiter) {
        byte[] with = new byte[delimiter.length + 2];
        with[0] = '\r';
        with[1] = '\n';
        System.arraycopy(delimiter, 0, with, 2, delimiter.length);
        return with;
    }

    private static int indexOf(ByteBuf buf, int from, int to, byte[] needle) {
        int last = to - needle.length;
        byte first = needle[0];
        for (int i = buf.indexOf(from, to, first); i >= 0 && i <= last; i = buf.indexOf(i + 1, to, first)) {
            boolean match = true;
            for (int j = 1; j < needle.length; j++) {
                if (buf.getByte(i + j) != needle[j]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }
}
