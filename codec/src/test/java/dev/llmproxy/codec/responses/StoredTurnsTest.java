package dev.llmproxy.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.codec.openai.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The JSON of kept bridged turns ({@link StoredTurns}). */
class StoredTurnsTest {
    private static final String INPUT = "[{\"type\":\"message\",\"role\":\"user\",\"content\":\"Hi\"}]";
    private static final String RESPONSE = "{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[{\"type\":"
            + "\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
            + "\"text\":\"Hello\"}]}]}";

    @Test
    void shouldStoreAStringInputAsOneUserMessageAndItemsAsTheyAre() {
        assertThat(StoredTurns.inputToStore(body("{\"model\":\"m\",\"input\":\"Hi\"}"))).isEqualTo(INPUT);
        assertThat(StoredTurns.inputToStore(body("{\"input\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"store\":true}"))).isEqualTo("[{\"role\":\"user\",\"content\":\"x\"}]");
    }

    @Test
    void shouldStoreNothingWhenAskedNotToOrWhenTheInputIsUnreadable() {
        assertThat(StoredTurns.inputToStore(body("{\"input\":\"Hi\",\"store\":false}"))).isNull();
        assertThat(StoredTurns.inputToStore(body("{\"input\":42}"))).isNull();
        assertThat(StoredTurns.inputToStore(body("{\"input\":"))).isNull();
    }

    @Test
    void shouldPutTheKeptInputAndOutputInFrontOfTheOwnInputAndDropThePreviousId() {
        ByteBuf continued = StoredTurns.continuing(ByteBufAllocator.DEFAULT,
                body("{\"model\":\"m\",\"previous_response_id\":\"resp_1\",\"input\":\"And?\",\"stream\":true}"),
                INPUT, RESPONSE);
        try {
            assertThat(continued.toString(StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"m\",\"input\":["
                    + "{\"type\":\"message\",\"role\":\"user\",\"content\":\"Hi\"},{\"type\":\"message\",\"id\":"
                    + "\"msg_1\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello\"}]},"
                    + "{\"type\":\"message\",\"role\":\"user\",\"content\":\"And?\"}],\"stream\":true}");
        } finally {
            continued.release();
        }
    }

    @Test
    void shouldRefuseAContinuationWithoutUsableInput() {
        assertThatThrownBy(() -> StoredTurns.continuing(ByteBufAllocator.DEFAULT, body("{\"input\":1}"), INPUT,
                RESPONSE)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> StoredTurns.continuing(ByteBufAllocator.DEFAULT, body("{\"input\":\"x\"}"), "{}",
                RESPONSE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldListInputItemsNewestFirstByDefaultWithPagesAfterAnId() {
        String items = "[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]";

        assertThat(StoredTurns.inputItemsPage(items, 20, false, null)).isEqualTo("{\"object\":\"list\",\"data\":"
                + "[{\"id\":\"c\"},{\"id\":\"b\"},{\"id\":\"a\"}],\"first_id\":\"c\",\"last_id\":\"a\","
                + "\"has_more\":false}");
        assertThat(StoredTurns.inputItemsPage(items, 1, true, "a")).isEqualTo("{\"object\":\"list\",\"data\":"
                + "[{\"id\":\"b\"}],\"first_id\":\"b\",\"last_id\":\"b\",\"has_more\":true}");
        assertThat(StoredTurns.inputItemsPage(items, 5, true, "c")).isEqualTo("{\"object\":\"list\",\"data\":[],"
                + "\"first_id\":null,\"last_id\":null,\"has_more\":false}");
    }

    @Test
    void shouldReadTheIdOfAResponseObject() {
        assertThat(StoredTurns.responseId(RESPONSE)).isEqualTo("resp_1");
        assertThat(StoredTurns.responseId("[]")).isNull();
        assertThat(StoredTurns.responseId("{")).isNull();
    }

    private static ByteBuf body(String json) {
        return Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
    }
}
