package dev.llmproxy.codec.multipart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class MultipartPartFilterTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final String BOUNDARY = "----llmproxyBoundary7MA4YWxkTrZu0gW";
    private static final Set<String> ROUTING = Set.of("model", "custom_llm_provider", "target_model_names");
    private static final Predicate<String> DROPS = ROUTING::contains;
    private static final Predicate<String> READS = name -> ROUTING.contains(name) || name.equals("purpose");

    /** The OpenAI Python SDK's order (fields, then the file), with LiteLLM's routing fields among them. */
    private static final String ROUTED = "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            + "batch\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"model\"\r\n\r\n"
            + "gpt\r\n"
            + "--" + BOUNDARY + "  \r\n"
            + "Content-Disposition: form-data; name=\"custom_llm_provider\"\r\n\r\n"
            + "op\r\nen\r\n-ai\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"expires_after[anchor]\"\r\n\r\n"
            + "created_at\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
            + "Content-Type: application/jsonl\r\n\r\n"
            + "{\"a\":1}\r\n--not-the-boundary\r\n\r\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"target_model_names\"\r\n\r\n"
            + "late\r\n"
            + "--" + BOUNDARY + "--\r\n";

    /** {@link #ROUTED} without the routing parts before the file; the one after it stays. */
    private static final String ROUTED_FILTERED = "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            + "batch\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"expires_after[anchor]\"\r\n\r\n"
            + "created_at\r\n"
            + ROUTED.substring(ROUTED.indexOf("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\""));

    /** Routing parts first and last before the close delimiter, a preamble and an epilogue. */
    private static final String EDGES = "preamble\r\n--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=model\r\n\r\n"
            + "gpt\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            + "user_data\r\n"
            + "--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"target_model_names\"\r\n\r\n"
            + "a,b\r\n"
            + "--" + BOUNDARY + "--\r\nepilogue";

    private static final String EDGES_FILTERED = "preamble\r\n--" + BOUNDARY + "\r\n"
            + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            + "user_data\r\n"
            + "--" + BOUNDARY + "--\r\nepilogue";

    @Test
    void shouldDropTheRoutingPartsBeforeTheFileAtEveryPairOfSplits() {
        assertFilteredAtEverySplit(ROUTED, ROUTED_FILTERED);
    }

    @Test
    void shouldDropTheFirstAndLastPartsOfAFormWithoutAFileAtEveryPairOfSplits() {
        assertFilteredAtEverySplit(EDGES, EDGES_FILTERED);
    }

    @Test
    void shouldPassABodyWithoutRoutingFieldsUnchanged() {
        assertFilteredAtEverySplit(ROUTED_FILTERED, ROUTED_FILTERED);
    }

    @Test
    void shouldReadTheFieldsAndWhereTheFileStartsAtEverySplit() {
        for (int split = 0; split <= ROUTED.length(); split++) {
            MultipartPartFilter scanner = MultipartPartFilter.scanner(BOUNDARY, "file", READS);
            scanner.scan(ascii(ROUTED.substring(0, split)));
            scanner.scan(ascii(ROUTED.substring(split)));
            scanner.finish();
            assertThat(scanner.error()).as("split at %d", split).isNull();
            assertThat(scanner.fileStarted()).isTrue();
            assertThat(scanner.isEnded()).isTrue();
            assertThat(scanner.fields()).as("split at %d", split).containsExactly(
                    new MultipartPartFilter.Field("purpose", "batch", true),
                    new MultipartPartFilter.Field("model", "gpt", true),
                    new MultipartPartFilter.Field("custom_llm_provider", "op\r\nen\r\n-ai", true),
                    new MultipartPartFilter.Field("target_model_names", "late", false));
            assertThat(scanner.field("model")).isEqualTo("gpt");
        }
    }

    @Test
    void shouldKnowTheFileStartedBeforeTheFileArrives() {
        int fileContent = ROUTED.indexOf("{\"a\":1}");
        MultipartPartFilter scanner = MultipartPartFilter.scanner(BOUNDARY, "file", READS);
        scanner.scan(ascii(ROUTED.substring(0, fileContent - 1)));
        assertThat(scanner.fileStarted()).isFalse();
        scanner.scan(ascii(ROUTED.substring(fileContent - 1, fileContent)));
        assertThat(scanner.fileStarted()).isTrue();
        assertThat(scanner.field("model")).isEqualTo("gpt");
        assertThat(scanner.isEnded()).isFalse();
    }

    @Test
    void shouldNotTakeAFieldNamedFileWithoutAFileNameForTheFile() {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ntext\r\n--"
                + BOUNDARY + "--\r\n";
        MultipartPartFilter scanner = MultipartPartFilter.scanner(BOUNDARY, "file", READS);
        scanner.scan(ascii(body));
        scanner.finish();
        assertThat(scanner.fileStarted()).isFalse();
        assertThat(scanner.isEnded()).isTrue();
        assertThat(scanner.error()).isNull();
    }

    @Test
    void shouldFailABodyCutBeforeItsClosingBoundary() {
        MultipartPartFilter scanner = MultipartPartFilter.scanner(BOUNDARY, "file", READS);
        scanner.scan(ascii(EDGES.substring(0, EDGES.indexOf("a,b"))));
        scanner.finish();
        assertThat(scanner.error()).isEqualTo("The multipart body ended before its closing boundary");
    }

    @Test
    void shouldFailWhenTheBodyDoesNotUseItsBoundary() {
        MultipartPartFilter scanner = MultipartPartFilter.scanner("other-boundary", "file", READS);
        scanner.scan(ascii(ROUTED));
        scanner.finish();
        assertThat(scanner.fields()).isEmpty();
        assertThat(scanner.error()).isEqualTo("The multipart body ended before its closing boundary");
    }

    @Test
    void shouldFailWhenABoundaryIsMalformedAtEverySplit() {
        String body = "--" + BOUNDARY + "x\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
                + BOUNDARY + "--\r\n";
        String dash = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nb\r\n--"
                + BOUNDARY + "-x";
        String noLf = "--" + BOUNDARY + "\rContent-Disposition: form-data; name=\"purpose\"\r\n\r\nb\r\n--"
                + BOUNDARY + "--";
        for (String malformed : List.of(body, dash, noLf)) {
            for (int split = 0; split <= malformed.length(); split++) {
                MultipartPartFilter rewriter = MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS);
                String out = rewrite(rewriter, ascii(malformed.substring(0, split)))
                        + rewrite(rewriter, ascii(malformed.substring(split)));
                assertThat(rewriter.error()).as("split at %d", split).startsWith("Malformed multipart body");
                assertThat(malformed).startsWith(out);
            }
        }
    }

    @Test
    void shouldFailWhenAPartsHeadersAreTooLong() {
        String body = "--" + BOUNDARY + "\r\nX-Long: " + "a".repeat(MultipartPartFilter.MAX_HEADER_BYTES) + "\r\n";
        MultipartPartFilter rewriter = MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS);
        assertThat(rewrite(rewriter, ascii(body))).isEmpty();
        assertThat(rewriter.error()).isEqualTo("Malformed multipart body: a part's headers are longer than 8192 bytes");
    }

    @Test
    void shouldFailWhenAReadFieldIsTooLong() {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n"
                + "m".repeat(MultipartPartFilter.MAX_VALUE_BYTES + 1) + "\r\n--" + BOUNDARY + "--";
        MultipartPartFilter scanner = MultipartPartFilter.scanner(BOUNDARY, "file", READS);
        scanner.scan(ascii(body));
        assertThat(scanner.error()).isEqualTo("The form field model is longer than 1024 bytes");
    }

    @Test
    void shouldFailWhenTooManyFieldsAreRead() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i <= MultipartPartFilter.MAX_FIELDS; i++) {
            body.append("--").append(BOUNDARY)
                    .append("\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n");
        }
        MultipartPartFilter scanner = MultipartPartFilter.scanner(BOUNDARY, "file", READS);
        scanner.scan(ascii(body.append("--").append(BOUNDARY).append("--").toString()));
        assertThat(scanner.error()).isEqualTo("Malformed multipart body: more than 64 form fields");
        assertThat(scanner.fields()).hasSize(MultipartPartFilter.MAX_FIELDS);
    }

    @Test
    void shouldPassFileBytesAsOneSliceWithoutCopyingOrScanning() {
        MultipartPartFilter rewriter = MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS);
        rewrite(rewriter, ascii(ROUTED.substring(0, ROUTED.indexOf("{\"a\":1}"))));
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
    void shouldRefuseAnInvalidBoundaryAndTheWrongUse() {
        assertThatThrownBy(() -> MultipartPartFilter.scanner("bad\rboundary", "file", READS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MultipartPartFilter.scanner(BOUNDARY, "file", READS).rewrite(ALLOC,
                Unpooled.EMPTY_BUFFER)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS).scan(Unpooled.EMPTY_BUFFER))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void assertFilteredAtEverySplit(String body, String expected) {
        for (int first = 0; first <= body.length(); first++) {
            MultipartPartFilter rewriter = MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS);
            String out = rewrite(rewriter, ascii(body.substring(0, first)))
                    + rewrite(rewriter, ascii(body.substring(first)));
            rewriter.finish();
            assertThat(out).as("split at %d", first).isEqualTo(expected);
            assertThat(rewriter.error()).isNull();
        }
        // Three pieces, every pair of splits: a dropped part and the header bytes held before a kept one can
        // straddle any two buffers.
        for (int first = 0; first <= body.length(); first += 7) {
            for (int second = first; second <= body.length(); second++) {
                MultipartPartFilter rewriter = MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS);
                String out = rewrite(rewriter, ascii(body.substring(0, first)))
                        + rewrite(rewriter, ascii(body.substring(first, second)))
                        + rewrite(rewriter, ascii(body.substring(second)));
                assertThat(out).as("splits at %d, %d", first, second).isEqualTo(expected);
            }
        }
        MultipartPartFilter bytewise = MultipartPartFilter.rewriter(BOUNDARY, "file", DROPS);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            out.append(rewrite(bytewise, ascii(body.substring(i, i + 1))));
        }
        assertThat(out.toString()).isEqualTo(expected);
    }

    /** Rewrites {@code in}, releases both, and returns the output as text. */
    private static String rewrite(MultipartPartFilter rewriter, ByteBuf in) {
        ByteBuf out = rewriter.rewrite(ALLOC, in);
        String text = new String(ByteBufUtil.getBytes(out), StandardCharsets.UTF_8);
        out.release();
        in.release();
        assertThat(in.refCnt()).isZero();
        return text;
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
