package dev.llmproxy.codec.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartFormTest {
    private static final String BODY = "preamble\r\n--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt\u00e9\r\n"
            + "--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".jsonl\"\r\n"
            + "Content-Type: application/jsonl\r\n\r\nline1\r\n--XyZ-not-a-boundary\r\nline2\r\n"
            + "--XyZ--\r\nepilogue";

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldReadEveryPartWhateverTheBufferKind(TestBuffers.Kind kind) throws Exception {
        ByteBuf body = TestBuffers.of(kind, BODY);
        try {
            MultipartForm form = MultipartForm.read(body, "XyZ");

            assertThat(form.parts()).extracting(MultipartForm.Part::name).containsExactly("purpose", "model", "file");
            assertThat(form.field("purpose")).isEqualTo("batch");
            assertThat(form.field("model")).isEqualTo("gpt\u00e9");
            assertThat(form.field("file")).as("a file is not a plain field").isNull();
            MultipartForm.Part file = form.part("file");
            assertThat(file.fileName()).isEqualTo("a \"b\".jsonl");
            assertThat(file.contentType()).isEqualTo("application/jsonl");
            assertThat(form.text(file)).isEqualTo("line1\r\n--XyZ-not-a-boundary\r\nline2");
        } finally {
            body.release();
        }
    }

    @Test
    void shouldDropTheNamedPartsWithoutCopyingTheOthers() throws Exception {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, BODY);
        try {
            MultipartForm form = MultipartForm.read(body, "XyZ");
            String rest = TestBuffers.drain(form.without(TestBuffers.ALLOC, "model"::equals));

            assertThat(rest).isEqualTo("--XyZ\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                    + "--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".jsonl\"\r\n"
                    + "Content-Type: application/jsonl\r\n\r\nline1\r\n--XyZ-not-a-boundary\r\nline2\r\n--XyZ--\r\n");
            ByteBuf same = form.without(TestBuffers.ALLOC, name -> false);
            assertThat(TestBuffers.drain(same)).isEqualTo(BODY);
            MultipartForm again = MultipartForm.read(body, "XyZ");
            assertThat(again.parts()).hasSize(3);
        } finally {
            body.release();
        }
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void shouldReadTheBoundaryOfAFormDataContentType() {
        assertThat(MultipartForm.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(MultipartForm.boundary("Multipart/Form-Data;charset=utf-8; boundary=\"a b\"")).isEqualTo("a b");
        assertThat(MultipartForm.boundary("application/json")).isNull();
        assertThat(MultipartForm.boundary("multipart/form-data")).isNull();
        assertThat(MultipartForm.boundary(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "no boundary here",
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue never closed",
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nno blank line",
        "--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--\r\n",
        "--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--\r\n",
        "--XyZ",
        "--XyZjunk\r\n",
    })
    void shouldRefuseMalformedBodies(String text) {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, text.getBytes(StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> MultipartForm.read(body, "XyZ"))
                    .isInstanceOf(MultipartForm.MalformedFormException.class);
        } finally {
            body.release();
        }
    }

    @Test
    void shouldReadAnEmptyForm() throws Exception {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, "--XyZ--\r\n");
        try {
            assertThat(MultipartForm.read(body, "XyZ").parts()).isEmpty();
        } finally {
            body.release();
        }
    }
}
