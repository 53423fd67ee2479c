package dev.llmproxy.codec.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** LiteLLM's own drop parameters taken out of a body that is otherwise forwarded byte for byte. */
class DropParamsTest {

    @ParameterizedTest
    @EnumSource(TestBuffers.Kind.class)
    void shouldRemoveDropParamsAndTheNamedParamsAndKeepTheRestAsWritten(TestBuffers.Kind kind) {
        ByteBuf body = TestBuffers.of(kind, "{ \"model\" : \"gpt-4o\", \"drop_params\": true,\"seed\":1e2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"x\\\"\"}],"
                + "\"additional_drop_params\":[\"seed\", 3],\"user\":\"u\",\"temperature\":0.50,\"n\":null}");
        int readerIndex = body.readerIndex();
        try {
            assertThat(TestBuffers.drain(DropParams.strip(TestBuffers.ALLOC, body, Set.of("user"))))
                    .isEqualTo("{\"model\" : \"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":"
                            + "\"caf\\u00e9 \\\"x\\\"\"}],\"temperature\":0.50,\"n\":null}");
            assertThat(body.readerIndex()).isEqualTo(readerIndex);
            assertThat(RequestScanner.scan(body).hasDropParams()).isTrue();
        } finally {
            body.release();
        }
    }
}
