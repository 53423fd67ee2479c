package dev.llmproxy.codec.responses;

import dev.llmproxy.codec.sse.SseEventFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Chat streams as OpenAI sends them, and a runner that bridges them at a chosen split. */
final class ChatStreams {
    static final String HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"claude-x\",\"choices\":[";

    static final String TEXT = chunk("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{\"content\":\"lo caf\u00e9 \\\"x\\\"\"},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}")
            + "data: " + HEAD + "],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":2}}}\n\n"
            + "data: [DONE]\n\n";

    static final String TOOLS = chunk("{\"index\":0,\"delta\":{\"content\":\"Let me check\"},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
            + "\"{\\\"city\\\":\"}}]},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\","
            + "\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
            + "\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}")
            + chunk("{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}")
            + "data: " + HEAD + "],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}\n\n"
            + "data: [DONE]\n\n";

    private ChatStreams() {
    }

    static String chunk(String choice) {
        return "data: " + HEAD + choice + "]}\n\n";
    }

    /** The bridged stream when {@code stream}'s bytes arrive in two reads split at {@code at}. */
    static String bridge(ByteBufAllocator alloc, ResponsesStreamTranslator translator, byte[] stream, int at) {
        // As in the proxy, where the bridge is a ResponseTranslator: the provider's own lines never reach the client.
        SseEventFramer framer = new SseEventFramer(alloc, 1 << 16, new SseEventFramer.RewritingVisitor() {
            @Override
            public SseEventFramer.Decision onEvent(ByteBuf data, int index, int length, SseEventFramer.Emitter out) {
                return translator.onChunk(data, index, length, out);
            }

            @Override
            public boolean keepsOtherEvents() {
                return false;
            }
        });
        StringBuilder out = new StringBuilder();
        for (int[] range : new int[][] {{0, at}, {at, stream.length}}) {
            ByteBuf read = alloc.heapBuffer().writeBytes(stream, range[0], range[1] - range[0]);
            try {
                out.append(drain(framer.frame(read)));
            } finally {
                read.release();
            }
        }
        framer.finish().release();
        ByteBuf end = translator.finish();
        if (end != null) {
            out.append(drain(end));
        }
        return out.toString();
    }

    /** The event types of a Responses stream, in order. */
    static List<String> types(String events) {
        List<String> types = new ArrayList<>();
        for (String line : events.split("\n")) {
            if (line.startsWith("event: ")) {
                types.add(line.substring(7));
            }
        }
        return types;
    }

    static String drain(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
