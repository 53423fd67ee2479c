package dev.llmproxy.bench.jmh;

import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Realistic request and stream bytes shared by the benchmarks. */
final class BenchPayloads {
    /** A typical chat request of about 600 bytes: system prompt, a short exchange, sampling parameters. */
    static final String CHAT_REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a helpful assistant. Answer concisely and cite sources "
            + "when you can. Do not make up facts.\"},"
            + "{\"role\":\"user\",\"content\":\"What is the capital of France, and what is it famous for?\"},"
            + "{\"role\":\"assistant\",\"content\":\"Paris is the capital of France. It is famous for the Eiffel "
            + "Tower, the Louvre, its caf\u00e9s and its cuisine.\"},"
            + "{\"role\":\"user\",\"content\":\"Give me three lesser-known museums there, with a one-line "
            + "description of each \\\"hidden gem\\\".\"}],"
            + "\"temperature\":0.7,\"max_tokens\":512,\"top_p\":1,\"stream\":true,\"user\":\"user-1234\"}";

    private BenchPayloads() {
    }

    /**
     * Returns a 20-event OpenAI chat stream (role, 16 content deltas, finish, usage-only, [DONE]) with
     * {@code "usage":null} in the content chunks as OpenAI sends once include_usage is on.
     */
    static byte[] chatStream() {
        ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String id = "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012";
        append(out, OpenAiJson.chatRoleChunk(alloc, id, 1_700_000_000L, "gpt-4o-mini"));
        String[] words = {"Musée", " de", " la", " Vie", " romantique", ":", " a", " quiet", " house", " of",
            " 19th-century", " painters", ";", " Musée", " Nissim", " de"};
        for (String word : words) {
            ByteBuf event = OpenAiJson.chatContentChunk(alloc, id, 1_700_000_000L, "gpt-4o-mini", word);
            String text = event.toString(StandardCharsets.UTF_8);
            event.release();
            out.writeBytes(text.replace("}]}\n\n", "}],\"usage\":null}\n\n").getBytes(StandardCharsets.UTF_8));
        }
        append(out, OpenAiJson.chatFinishChunk(alloc, id, 1_700_000_000L, "gpt-4o-mini", "stop"));
        append(out, OpenAiJson.chatUsageChunk(alloc, id, 1_700_000_000L, "gpt-4o-mini", new Usage(41, 16, 57)));
        append(out, OpenAiJson.done(alloc));
        return out.toByteArray();
    }

    private static void append(ByteArrayOutputStream out, ByteBuf event) {
        out.writeBytes(ByteBufUtil.getBytes(event));
        event.release();
    }
}
