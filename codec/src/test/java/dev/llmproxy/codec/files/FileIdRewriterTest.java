package dev.llmproxy.codec.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class FileIdRewriterTest {
    private static final FileIdRewriter.Rewrite UPPER = new FileIdRewriter.Rewrite() {
        @Override
        public @Nullable String value(String key, String value) {
            return key.endsWith("id") ? value.toUpperCase(java.util.Locale.ROOT) : null;
        }

        @Override
        public boolean drops(String key) {
            return key.equals("model");
        }
    };

    @Test
    void shouldRewriteTheIdsOfTheObjectAndOfItsDataItemsOnly() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.DIRECT, "{\"object\":\"list\",\"data\":[{\"id\":\"file-a\","
                + "\"bytes\":3,\"meta\":{\"id\":\"keep\"}},7,{\"id\":\"file-b\",\"model\":\"x\"}],"
                + "\"first_id\":\"file-a\",\"has_more\":false,\"model\":{\"a\":[1]}}");
        try {
            assertThat(TestBuffers.drain(FileIdRewriter.rewrite(TestBuffers.ALLOC, body, UPPER)))
                    .isEqualTo("{\"object\":\"list\",\"data\":[{\"id\":\"FILE-A\",\"bytes\":3,\"meta\":{\"id\":\"keep\"}},"
                            + "7,{\"id\":\"FILE-B\"}],\"first_id\":\"FILE-A\",\"has_more\":false}");
            assertThat(body.readerIndex()).isZero();
        } finally {
            body.release();
        }
    }

    @Test
    void shouldAnswerNullForBodiesThatAreNotAnObject() {
        for (String text : new String[] {"[1]", "{\"a\":", "{} {}", "\"x\""}) {
            ByteBuf body = TestBuffers.of(TestBuffers.Kind.HEAP, text);
            try {
                assertThat(FileIdRewriter.rewrite(TestBuffers.ALLOC, body, UPPER)).as(text).isNull();
                assertThat(FileIdRewriter.topLevelStrings(body, Set.of("a"))).as(text).isNull();
            } finally {
                body.release();
            }
        }
    }

    @Test
    void shouldReadTheNamedTopLevelStrings() {
        ByteBuf body = TestBuffers.of(TestBuffers.Kind.OFFSET, "{\"input_file_id\":\"file-\\u0041\",\"model\":3,"
                + "\"nested\":{\"model\":\"no\"},\"endpoint\":\"/v1/chat/completions\"}");
        try {
            assertThat(FileIdRewriter.topLevelStrings(body, Set.of("input_file_id", "model")))
                    .isEqualTo(Map.of("input_file_id", "file-A"));
        } finally {
            body.release();
        }
    }
}
