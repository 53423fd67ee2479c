package dev.llmproxy.codec.multipart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class MultipartModelRewriterTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final String BOUNDARY = "----llmproxyBoundary7MA4YWxkTrZu0gW";

    /** The OpenAI Python SDK's order: fields first, then the file. */
    private static final String MODEL_FIRST = "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"model\"\r\n\r\n"
            + "whisper\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"response_format\"\r\n\r\n"
            + "json\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
            + "Content-Type: audio/wav\r\n\r\n"
            + "RIFF\r\n--not-the-boundary\r\n\r\r\nxyz\r\n"
            + "--" + BOUNDARY + "--\r\n";

    /** The OpenAI Node SDK's order: the file first. */
    private static final String FILE_FIRST = "preamble\r\n--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"model.wav\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
            + "\r\n--" + BOUNDARY.substring(0, 10) + "name=\"model\"\r\n\r\n"
            + "\r\n--" + BOUNDARY + "\r\n"
            + "content-disposition: form-data; name=model\r\n\r\n"
            + "gpt-4o-transcribe\r\n"
            + "--" + BOUNDARY + "--";

    @Test
    void shouldFindTheBoundaryOfAMultipartContentType() {
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(MultipartModelRewriter.boundary("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b:c\""))
                .isEqualTo("a b:c");
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; boundary=" + BOUNDARY)).isEqualTo(BOUNDARY);
    }

    @Test
    void shouldRejectMissingOrMalformedBoundaries() {
        assertThat(MultipartModelRewriter.boundary(null)).isNull();
        assertThat(MultipartModelRewriter.boundary("application/json")).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/form-data")).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; charset=utf-8")).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; boundary=")).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; boundary=\"ends in space \"")).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; boundary=a\\b")).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/form-data; boundary=" + "x".repeat(71))).isNull();
        assertThat(MultipartModelRewriter.boundary("multipart/mixed; boundary=abc")).isNull();
        assertThatThrownBy(() -> MultipartModelRewriter.scanner("bad\rboundary"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRewriteTheModelAtEverySplitWhenTheModelComesFirst() {
        assertRewrittenAtEverySplit(MODEL_FIRST, "whisper", "whisper-1");
    }

    @Test
    void shouldRewriteTheModelAtEverySplitWhenTheFileComesFirst() {
        assertRewrittenAtEverySplit(FILE_FIRST, "gpt-4o-transcribe", "azure-whisper-deployment");
    }

    @Test
    void shouldPassTheBodyUnchangedWhenTheModelIsKept() {
        for (int split = 0; split <= MODEL_FIRST.length(); split++) {
            MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, null);
            assertThat(rewriteSplit(rewriter, MODEL_FIRST, split)).isEqualTo(MODEL_FIRST);
            assertThat(rewriter.lengthChange()).isZero();
        }
    }

    @Test
    void shouldKeepFalseStartsOfTheDelimiterInTheModelValue() {
        String value = "a\r\nb\r\n--" + BOUNDARY.substring(0, 5) + "\r";
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + value
                + "\r\n--" + BOUNDARY + "--\r\n";
        for (int split = 0; split <= body.length(); split++) {
            MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, "m");
            assertThat(rewriteSplit(rewriter, body, split)).isEqualTo(body.replace(value, "m"));
            assertThat(rewriter.model()).isEqualTo(value);
        }
    }

    @Test
    void shouldFindTheModelAtEverySplitWhenScanning() {
        for (String body : new String[] {MODEL_FIRST, FILE_FIRST}) {
            for (int split = 0; split <= body.length(); split++) {
                MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
                scanSplit(scanner, body, split);
                scanner.finish();
                assertThat(scanner.error()).isNull();
                assertThat(scanner.model()).isIn("whisper", "gpt-4o-transcribe");
            }
        }
    }

    @Test
    void shouldFindTheModelWhenFedOneByteAtATime() {
        MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, "x");
        StringBuilder out = new StringBuilder();
        byte[] bytes = FILE_FIRST.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            out.append(rewrite(rewriter, Unpooled.wrappedBuffer(new byte[] {b})));
        }
        assertThat(out.toString()).isEqualTo(FILE_FIRST.replace("\r\ngpt-4o-transcribe\r\n", "\r\nx\r\n"));
        assertThat(rewriter.lengthChange()).isEqualTo(1 - "gpt-4o-transcribe".length());
    }

    @Test
    void shouldReadTheStreamFieldAfterTheModelAtEverySplitWhenScanning() {
        String body = MODEL_FIRST.replace("name=\"response_format\"\r\n\r\njson", "name=\"stream\"\r\n\r\ntrue");
        for (int split = 0; split <= body.length(); split++) {
            MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
            scanSplit(scanner, body, split);
            assertThat(scanner.error()).isNull();
            assertThat(scanner.model()).isEqualTo("whisper");
            assertThat(scanner.stream()).isEqualTo("true");
            assertThat(scanner.fieldsRead()).isTrue();
        }
    }

    @Test
    void shouldReadTheStreamFieldBeforeTheModelAndAfterTheFile() {
        String streamPart = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"stream\"\r\n\r\ntrue\r\n";
        MultipartModelRewriter first = MultipartModelRewriter.scanner(BOUNDARY);
        first.scan(ascii(streamPart + MODEL_FIRST));
        assertThat(first.stream()).isEqualTo("true");
        assertThat(first.model()).isEqualTo("whisper");

        String fileFirst = FILE_FIRST.replace("--" + BOUNDARY + "--", streamPart + "--" + BOUNDARY + "--");
        for (int split = 0; split <= fileFirst.length(); split++) {
            MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
            scanSplit(scanner, fileFirst, split);
            assertThat(scanner.model()).isEqualTo("gpt-4o-transcribe");
            assertThat(scanner.stream()).isEqualTo("true");
        }
    }

    @Test
    void shouldHaveReadTheFieldsWithoutAStreamFieldOnceAFileFollowsTheModelOrTheBodyEnds() {
        MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
        int fileStart = MODEL_FIRST.indexOf("Content-Type: audio/wav");
        scanner.scan(ascii(MODEL_FIRST.substring(0, MODEL_FIRST.indexOf("name=\"file\""))));
        assertThat(scanner.hasModel()).isTrue();
        assertThat(scanner.fieldsRead()).as("a stream field may still come").isFalse();
        scanner.scan(ascii(MODEL_FIRST.substring(MODEL_FIRST.indexOf("name=\"file\""), fileStart + 30)));
        assertThat(scanner.fieldsRead()).isTrue();
        assertThat(scanner.stream()).isNull();

        MultipartModelRewriter fileFirst = MultipartModelRewriter.scanner(BOUNDARY);
        fileFirst.scan(ascii(FILE_FIRST));
        fileFirst.finish();
        assertThat(fileFirst.fieldsRead()).isTrue();
        assertThat(fileFirst.stream()).isNull();
    }

    @Test
    void shouldLeaveTheStreamFieldAsItIsWhenRewriting() {
        String body = MODEL_FIRST.replace("name=\"response_format\"\r\n\r\njson", "name=\"stream\"\r\n\r\ntrue");
        MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, "whisper-1");
        assertThat(rewrite(rewriter, ascii(body))).isEqualTo(body.replace("\r\nwhisper\r\n", "\r\nwhisper-1\r\n"));
    }

    @Test
    void shouldReportAMissingModelAtEverySplit() {
        String body = MODEL_FIRST.replace("name=\"model\"", "name=\"language\"");
        for (int split = 0; split <= body.length(); split++) {
            MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
            scanSplit(scanner, body, split);
            scanner.finish();
            assertThat(scanner.error()).isNull();
            assertThat(scanner.isModelMissing()).isTrue();
            assertThat(scanner.hasModel()).isFalse();
        }
    }

    @Test
    void shouldFailABodyCutBeforeItsClosingBoundary() {
        String body = FILE_FIRST.substring(0, FILE_FIRST.indexOf("gpt-4o"));
        for (int split = 0; split <= body.length(); split++) {
            MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
            scanSplit(scanner, body, split);
            assertThat(scanner.error()).isNull();
            scanner.finish();
            assertThat(scanner.error()).isEqualTo("The multipart body ended before its closing boundary");
            assertThat(scanner.isModelMissing()).isFalse();
        }
    }

    @Test
    void shouldFailWhenTheBodyDoesNotUseItsBoundary() {
        MultipartModelRewriter scanner = MultipartModelRewriter.scanner("other-boundary");
        scanSplit(scanner, MODEL_FIRST, 17);
        scanner.finish();
        assertThat(scanner.hasModel()).isFalse();
        assertThat(scanner.error()).isEqualTo("The multipart body ended before its closing boundary");
    }

    @Test
    void shouldFailWhenABoundaryIsNotFollowedByALineBreak() {
        String body = "--" + BOUNDARY + "junk\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n";
        for (int split = 0; split <= body.length(); split++) {
            MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, "x");
            assertThat(body).startsWith(rewriteSplit(rewriter, body, split));
            assertThat(rewriter.error()).startsWith("Malformed multipart body: a boundary is not followed");
        }
        MultipartModelRewriter dash = MultipartModelRewriter.scanner(BOUNDARY);
        dash.scan(Unpooled.copiedBuffer("--" + BOUNDARY + "-x", StandardCharsets.US_ASCII));
        assertThat(dash.error()).contains("single '-'");
    }

    @Test
    void shouldFailWhenAPartsHeadersAreTooLong() {
        String body = "--" + BOUNDARY + "\r\nX-Long: " + "h".repeat(MultipartModelRewriter.MAX_HEADER_BYTES) + "\r\n";
        MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
        scanner.scan(Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        assertThat(scanner.error()).contains("headers are longer than");
    }

    @Test
    void shouldFailWhenTheModelIsTooLong() {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n"
                + "m".repeat(MultipartModelRewriter.MAX_MODEL_BYTES + 1) + "\r\n--" + BOUNDARY + "--";
        MultipartModelRewriter scanner = MultipartModelRewriter.scanner(BOUNDARY);
        scanner.scan(Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        assertThat(scanner.error()).isEqualTo("The model field is longer than 1024 bytes");
    }

    @Test
    void shouldPassFileBytesAsSlicesWithoutCopying() {
        MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, "whisper-1");
        ByteBuf head = Unpooled.copiedBuffer(MODEL_FIRST.substring(0, MODEL_FIRST.indexOf("RIFF")),
                StandardCharsets.US_ASCII);
        rewrite(rewriter, head);
        ByteBuf file = ALLOC.directBuffer(1 << 20).writeZero(1 << 20);
        ByteBuf out = rewriter.rewrite(ALLOC, file);
        assertThat(out).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(out.readableBytes()).isEqualTo(1 << 20);
        assertThat(out.memoryAddress()).isEqualTo(file.memoryAddress());
        out.release();
        assertThat(file.refCnt()).isEqualTo(1);
        file.release();
    }

    @Test
    void shouldNotMoveOrTakeTheInput() {
        ByteBuf in = Unpooled.copiedBuffer(MODEL_FIRST, StandardCharsets.US_ASCII);
        MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, "w");
        ByteBuf out = rewriter.rewrite(ALLOC, in);
        assertThat(in.readerIndex()).isZero();
        out.release();
        assertThat(in.refCnt()).isEqualTo(1);
        in.release();
    }

    private static void assertRewrittenAtEverySplit(String body, String model, String replacement) {
        String expected = body.replace("\r\n" + model + "\r\n", "\r\n" + replacement + "\r\n");
        for (int first = 0; first <= body.length(); first++) {
            MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, replacement);
            assertThat(rewriteSplit(rewriter, body, first)).as("split at %d", first).isEqualTo(expected);
            rewriter.finish();
            assertThat(rewriter.error()).isNull();
            assertThat(rewriter.model()).isEqualTo(model);
            assertThat(rewriter.lengthChange()).isEqualTo(replacement.length() - model.length());
        }
        // Three pieces, every pair of splits: the held value and the delimiter can straddle any two buffers.
        for (int first = 0; first <= body.length(); first += 7) {
            for (int second = first; second <= body.length(); second++) {
                MultipartModelRewriter rewriter = MultipartModelRewriter.rewriter(BOUNDARY, replacement);
                String out = rewrite(rewriter, ascii(body.substring(0, first)))
                        + rewrite(rewriter, ascii(body.substring(first, second)))
                        + rewrite(rewriter, ascii(body.substring(second)));
                assertThat(out).as("splits at %d, %d", first, second).isEqualTo(expected);
            }
        }
    }

    private static String rewriteSplit(MultipartModelRewriter rewriter, String body, int split) {
        return rewrite(rewriter, ascii(body.substring(0, split))) + rewrite(rewriter, ascii(body.substring(split)));
    }

    private static void scanSplit(MultipartModelRewriter scanner, String body, int split) {
        scanner.scan(ascii(body.substring(0, split)));
        scanner.scan(ascii(body.substring(split)));
    }

    /** Rewrites {@code in}, releases both, and returns the output as text. */
    private static String rewrite(MultipartModelRewriter rewriter, ByteBuf in) {
        ByteBuf out = rewriter.rewrite(ALLOC, in);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(ByteBufUtil.getBytes(out));
        release(out);
        in.release();
        assertThat(in.refCnt()).isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void release(@Nullable ByteBuf buf) {
        if (buf != null && buf.refCnt() > 0) {
            buf.release();
        }
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
