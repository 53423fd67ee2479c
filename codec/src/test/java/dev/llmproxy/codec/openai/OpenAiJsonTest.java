package dev.llmproxy.codec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.codec.testing.TestBuffers;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class OpenAiJsonTest {
    private static final JsonFactory JACKSON = new JsonFactory();

    @Test
    void shouldWriteErrorBodyWhenParamIsNullOrSet() {
        assertThat(json(OpenAiJson.error(TestBuffers.ALLOC, 400, "bad \"x\"\n", "bad_request_error", null)))
                .isEqualTo("{\"error\":{\"message\":\"bad \\\"x\\\"\\n\",\"type\":\"bad_request_error\","
                        + "\"param\":null,\"code\":\"400\"}}");
        assertThat(json(OpenAiJson.error(TestBuffers.ALLOC, 401, "no", "key_model_access_denied", "model")))
                .isEqualTo("{\"error\":{\"message\":\"no\",\"type\":\"key_model_access_denied\","
                        + "\"param\":\"model\",\"code\":\"401\"}}");
    }

    @Test
    void shouldWriteChatCompletionWhenAnsweringDirectly() {
        assertThat(json(OpenAiJson.chatCompletion(TestBuffers.ALLOC, "chatcmpl-1", 1700000000L, "gpt-4o",
                "h\u00e9llo", Usage.of(3, 2))))
                .isEqualTo("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
                        + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"h\u00e9llo\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}");
    }

    @Test
    void shouldWriteChatStreamEventsWhenStreaming() {
        String prefix = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":\"m\",";
        assertThat(event(OpenAiJson.chatRoleChunk(TestBuffers.ALLOC, "c", 5, "m"))).isEqualTo(prefix
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}]}\n\n");
        assertThat(event(OpenAiJson.chatContentChunk(TestBuffers.ALLOC, "c", 5, "m", "a\tb"))).isEqualTo(prefix
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\tb\"},\"logprobs\":null,"
                + "\"finish_reason\":null}]}\n\n");
        assertThat(event(OpenAiJson.chatFinishChunk(TestBuffers.ALLOC, "c", 5, "m", "stop"))).isEqualTo(prefix
                + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");
        assertThat(event(OpenAiJson.chatUsageChunk(TestBuffers.ALLOC, "c", 5, "m", new Usage(1, 2, 3))))
                .isEqualTo(prefix + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,"
                        + "\"total_tokens\":3}}\n\n");
        assertThat(TestBuffers.drain(OpenAiJson.done(TestBuffers.ALLOC))).isEqualTo("data: [DONE]\n\n");
    }

    @Test
    void shouldProduceChunksThatInspectorUnderstands() {
        ByteBuf usage = OpenAiJson.chatUsageChunk(TestBuffers.ALLOC, "c", 5, "m", new Usage(1, 2, 3));
        try {
            StreamChunk chunk = StreamChunkInspector.inspect(usage, 6, usage.readableBytes() - 8);
            assertThat(chunk).isEqualTo(new StreamChunk(false, new Usage(1, 2, 3), true));
        } finally {
            usage.release();
        }
    }

    @Test
    void shouldWriteTextCompletionAndChunks() {
        assertThat(json(OpenAiJson.textCompletion(TestBuffers.ALLOC, "cmpl-1", 7, "m", "hi", Usage.of(1, 1))))
                .isEqualTo("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":7,\"model\":\"m\","
                        + "\"choices\":[{\"text\":\"hi\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");
        assertThat(event(OpenAiJson.textCompletionChunk(TestBuffers.ALLOC, "cmpl-1", 7, "m", "hi", null)))
                .isEqualTo("data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":7,\"model\":\"m\","
                        + "\"choices\":[{\"text\":\"hi\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        assertThat(event(OpenAiJson.textCompletionChunk(TestBuffers.ALLOC, "cmpl-1", 7, "m", "", "length")))
                .contains("\"finish_reason\":\"length\"");
        assertThat(event(OpenAiJson.textUsageChunk(TestBuffers.ALLOC, "cmpl-1", 7, "m", Usage.of(1, 1))))
                .contains("\"choices\":[],\"usage\":{\"prompt_tokens\":1");
    }

    @Test
    void shouldWriteDeterministicEmbeddingsWhenAskedForInputsAndDimensions() {
        String first = json(OpenAiJson.embeddings(TestBuffers.ALLOC, "text-embedding-3-small", 2, 3, 8, false));
        String second = json(OpenAiJson.embeddings(TestBuffers.ALLOC, "text-embedding-3-small", 2, 3, 8, false));
        assertThat(first).isEqualTo(second)
                .matches("\\{\"object\":\"list\",\"data\":\\[\\{\"object\":\"embedding\",\"index\":0,\"embedding\":"
                        + "\\[-?0\\.\\d{6},-?0\\.\\d{6},-?0\\.\\d{6}]},\\{\"object\":\"embedding\",\"index\":1,"
                        + "\"embedding\":\\[-?0\\.\\d{6},-?0\\.\\d{6},-?0\\.\\d{6}]}],\"model\":\"text-embedding-3-small\","
                        + "\"usage\":\\{\"prompt_tokens\":8,\"total_tokens\":8}}");
        assertThat(json(OpenAiJson.embeddings(TestBuffers.ALLOC, "e", 0, 3, 0, false)))
                .isEqualTo("{\"object\":\"list\",\"data\":[],\"model\":\"e\",\"usage\":{\"prompt_tokens\":0,"
                        + "\"total_tokens\":0}}");
    }

    @Test
    void shouldWriteSameVectorsAsBase64Float32WhenBase64IsAsked() {
        String floats = json(OpenAiJson.embeddings(TestBuffers.ALLOC, "e", 1, 3, 2, false));
        String base64 = json(OpenAiJson.embeddings(TestBuffers.ALLOC, "e", 1, 3, 2, true));

        String encoded = base64.replaceAll(".*\"embedding\":\"([^\"]+)\".*", "$1");
        java.nio.ByteBuffer decoded = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(encoded))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        String[] expected = floats.replaceAll(".*\"embedding\":\\[([^\\]]+)].*", "$1").split(",");
        assertThat(decoded.remaining()).isEqualTo(3 * Float.BYTES);
        for (String component : expected) {
            assertThat(decoded.getFloat()).isEqualTo(Float.parseFloat(component));
        }
    }

    @Test
    void shouldWriteModelListAndSingleModel() {
        ModelCard card = new ModelCard("gpt-4o", 1677610602L, "openai");
        assertThat(json(OpenAiJson.modelList(TestBuffers.ALLOC, List.of(card, new ModelCard("x", 0, "y")))))
                .isEqualTo("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1677610602,"
                        + "\"owned_by\":\"openai\"},{\"id\":\"x\",\"object\":\"model\",\"created\":0,\"owned_by\":\"y\"}]}");
        assertThat(json(OpenAiJson.model(TestBuffers.ALLOC, card)))
                .isEqualTo("{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1677610602,\"owned_by\":\"openai\"}");
        assertThat(json(OpenAiJson.modelList(TestBuffers.ALLOC, List.of()))).isEqualTo("{\"object\":\"list\",\"data\":[]}");
    }

    private static String json(ByteBuf buf) {
        String text = TestBuffers.drain(buf);
        assertValidJson(text);
        return text;
    }

    private static String event(ByteBuf buf) {
        String text = TestBuffers.drain(buf);
        assertThat(text).startsWith("data: ").endsWith("\n\n");
        assertValidJson(text.substring(6, text.length() - 2));
        return text;
    }

    private static void assertValidJson(String text) {
        try (JsonParser parser = JACKSON.createParser(ObjectReadContext.empty(), text)) {
            parser.nextToken();
            parser.skipChildren();
            assertThat(parser.nextToken()).isNull();
        }
    }
}
