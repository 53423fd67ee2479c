package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.anthropic.ContentBlock.Media;
import dev.llmproxy.codec.anthropic.ContentBlock.Raw;
import dev.llmproxy.codec.anthropic.ContentBlock.Text;
import dev.llmproxy.codec.anthropic.ContentBlock.ToolResult;
import dev.llmproxy.codec.anthropic.ContentBlock.ToolUse;
import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.internal.StringLiteral;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * An OpenAI {@code messages} array turned into Anthropic's {@code system} blocks and alternating {@code messages}
 * turns (provider spec, section 1.3).
 *
 * <p>System (and {@code developer}) messages, wherever they are, become {@code system} text blocks in order.
 * Consecutive {@code user}, {@code tool} and {@code function} messages merge into one user turn and consecutive
 * {@code assistant} messages into one assistant turn, so roles alternate. Tool results become {@code tool_result}
 * blocks; an assistant's {@code thinking_blocks} come first, then its text, then its tool calls as {@code tool_use}.
 * A message-level {@code cache_control} goes to the message's last block (a tool call's own {@code cache_control} to
 * its {@code tool_use} block, as LiteLLM's {@code convert_to_anthropic_tool_invoke} does). Empty texts are left out (Anthropic
 * refuses empty text blocks), and trailing whitespace is cut from the text that ends a final assistant turn (Anthropic
 * refuses a prefill ending in whitespace).
 *
 * <p>Texts are kept as the client's escaped bytes ({@link StringLiteral}) and copied, not decoded; only the text that
 * ends a final assistant turn is decoded, to cut its trailing whitespace.
 *
 * <p>Values of the wrong JSON type are skipped rather than refused: the provider answers for what is missing.
 *
 * <p>Thread-safety: none; one instance per request.
 */
final class ChatMessages {
    private final JsonInput input;
    private final List<ContentBlock> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    private int legacyCalls;
    private @Nullable String lastLegacyCallId;

    private ChatMessages(JsonInput input) {
        this.input = input;
    }

    /** Reads the array {@code parser} is at (left on its end token); anything but an array gives no messages. */
    static ChatMessages read(JsonInput input, JsonParser parser) {
        ChatMessages messages = new ChatMessages(input);
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return messages;
        }
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() == JsonToken.START_OBJECT) {
                messages.add(messages.readMessage(parser));
            } else {
                parser.skipChildren();
            }
        }
        messages.trimFinalAssistantText();
        return messages;
    }

    boolean hasSystem() {
        return !system.isEmpty();
    }

    void writeSystem(JsonGenerator g) {
        g.writeStartArray();
        for (ContentBlock block : system) {
            block.write(g);
        }
        g.writeEndArray();
    }

    void writeMessages(JsonGenerator g) {
        g.writeStartArray();
        for (Turn turn : turns) {
            g.writeStartObject();
            g.writeStringProperty("role", turn.assistant ? "assistant" : "user");
            g.writeArrayPropertyStart("content");
            for (ContentBlock block : turn.blocks) {
                block.write(g);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private Message readMessage(JsonParser p) {
        Message m = new Message();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "role" -> m.role = value == JsonToken.VALUE_STRING ? p.getString() : "";
                case "content" -> readContent(p, m);
                case "tool_calls" -> readToolCalls(p, m);
                case "function_call" -> m.functionCall = value == JsonToken.START_OBJECT ? readCall(p, null) : skip(p);
                case "tool_call_id" -> m.toolCallId = value == JsonToken.VALUE_STRING ? p.getString() : null;
                case "thinking_blocks" -> readRawArray(p, m.thinking);
                case "cache_control" -> m.cacheControl = value == JsonToken.START_OBJECT ? input.capture(p) : skip(p);
                default -> p.skipChildren();
            }
        }
        return m;
    }

    private void add(Message m) {
        switch (m.role) {
            case "system", "developer" -> {
                int first = system.size();
                for (ContentBlock block : m.content) {
                    if (block instanceof Text) {
                        system.add(block);
                    }
                }
                applyCacheControl(system, first, m.cacheControl);
            }
            case "assistant" -> {
                List<ContentBlock> blocks = new ArrayList<>(m.thinking);
                blocks.addAll(m.content);
                blocks.addAll(m.toolCalls);
                if (m.functionCall != null) {
                    blocks.add(m.functionCall);
                }
                addTurn(true, blocks, m.cacheControl);
            }
            case "tool", "function" -> {
                String id = m.toolCallId != null ? m.toolCallId : lastLegacyCallId != null ? lastLegacyCallId : "";
                List<ContentBlock> blocks = new ArrayList<>(1);
                blocks.add(new ToolResult(id, m.text, m.text != null ? List.of() : m.content, null));
                addTurn(false, blocks, m.cacheControl);
            }
            default -> addTurn(false, m.content, m.cacheControl);
        }
    }

    private void addTurn(boolean assistant, List<ContentBlock> blocks, @Nullable RawJson cacheControl) {
        if (blocks.isEmpty()) {
            return;
        }
        applyCacheControl(blocks, 0, cacheControl);
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.assistant == assistant) {
            last.blocks.addAll(blocks);
        } else {
            turns.add(new Turn(assistant, new ArrayList<>(blocks)));
        }
    }

    /** Puts a message-level {@code cache_control} on the last of the blocks from {@code from} on, if any. */
    private static void applyCacheControl(List<ContentBlock> blocks, int from, @Nullable RawJson cacheControl) {
        if (cacheControl != null && blocks.size() > from) {
            int last = blocks.size() - 1;
            blocks.set(last, blocks.get(last).withCacheControl(cacheControl));
        }
    }

    private void trimFinalAssistantText() {
        if (turns.isEmpty() || !turns.get(turns.size() - 1).assistant) {
            return;
        }
        List<ContentBlock> blocks = turns.get(turns.size() - 1).blocks;
        if (blocks.get(blocks.size() - 1) instanceof Text text) {
            String value = text.text().value();
            String trimmed = value.stripTrailing();
            if (trimmed.isEmpty()) {
                blocks.remove(blocks.size() - 1);
            } else if (trimmed.length() < value.length()) {
                blocks.set(blocks.size() - 1, new Text(StringLiteral.of(trimmed), text.cacheControl()));
            }
            if (blocks.isEmpty()) {
                turns.remove(turns.size() - 1);
            }
        }
    }

    private void readContent(JsonParser p, Message m) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            m.text = StringLiteral.read(input, p);
            if (!m.text.isEmpty()) {
                m.content.add(new Text(m.text, null));
            }
            return;
        }
        if (token != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                ContentBlock block = readPart(p);
                if (block != null) {
                    m.content.add(block);
                }
            } else {
                p.skipChildren();
            }
        }
    }

    /** One content part: text, image_url, file, or a block already in Anthropic's shape (passed through). */
    private @Nullable ContentBlock readPart(JsonParser p) {
        int start = JsonInput.tokenStart(p);
        String type = "";
        StringLiteral text = null;
        String url = null;
        String format = null;
        RawJson cacheControl = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "type" -> type = value == JsonToken.VALUE_STRING ? p.getString() : "";
                case "text" -> text = value == JsonToken.VALUE_STRING ? StringLiteral.read(input, p) : null;
                case "cache_control" -> cacheControl = value == JsonToken.START_OBJECT ? input.capture(p) : null;
                case "image_url", "file" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        url = p.getString();
                    } else if (value == JsonToken.START_OBJECT) {
                        String[] fields = readUrlObject(p);
                        url = fields[0];
                        format = fields[1];
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return switch (type) {
            case "text" -> text == null || text.isEmpty() ? null : new Text(text, cacheControl);
            case "image_url", "file" -> url == null ? null : media(url, format, cacheControl);
            default -> new Raw(input.slice(start, JsonInput.tokenEnd(p)));
        };
    }

    /** {@code {url|file_data, format}} of an image_url or file part. */
    private static String[] readUrlObject(JsonParser p) {
        String[] fields = new String[2];
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING && (name.equals("url") || name.equals("file_data"))) {
                fields[0] = p.getString();
            } else if (value == JsonToken.VALUE_STRING && name.equals("format")) {
                fields[1] = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return fields;
    }

    /**
     * A {@code data:<mime>;base64,<data>} URL becomes a base64 source ({@code format} overrides the media type), a PDF
     * a document; any other URL is passed as a URL source for Anthropic to fetch.
     */
    private static Media media(String url, @Nullable String format, @Nullable RawJson cacheControl) {
        int marker = url.indexOf(";base64,");
        if (url.regionMatches(true, 0, "data:", 0, 5) && marker > 5) {
            String mediaType = format != null ? format : url.substring(5, marker);
            String data = url.substring(marker + 8);
            return new Media(mediaType.equals("application/pdf"), mediaType, data, cacheControl);
        }
        return new Media(false, null, url, cacheControl);
    }

    private void readToolCalls(JsonParser p, Message m) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            String id = "";
            ToolUse call = null;
            RawJson cacheControl = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("id") && value == JsonToken.VALUE_STRING) {
                    id = p.getString();
                } else if (name.equals("function") && value == JsonToken.START_OBJECT) {
                    call = readCall(p, "");
                } else if (name.equals("cache_control") && value == JsonToken.START_OBJECT) {
                    cacheControl = input.capture(p);
                } else {
                    p.skipChildren();
                }
            }
            if (call != null) {
                m.toolCalls.add(new ToolUse(id, call.name(), call.input(), cacheControl));
            }
        }
    }

    /**
     * A {@code {name, arguments}} object as a tool_use block. {@code id == null} marks a legacy {@code function_call},
     * which gets an id of its own that the following {@code function} message answers.
     */
    private ToolUse readCall(JsonParser p, @Nullable String id) {
        String name = "";
        RawJson arguments = RawJson.EMPTY_OBJECT;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getString();
            } else if (field.equals("arguments") && value == JsonToken.VALUE_STRING) {
                arguments = ToolArguments.parse(p.getString());
            } else {
                p.skipChildren();
            }
        }
        if (id == null) {
            id = "toolu_legacy_" + legacyCalls++;
            lastLegacyCallId = id;
        }
        return new ToolUse(id, name, arguments, null);
    }

    private void readRawArray(JsonParser p, List<ContentBlock> into) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                into.add(new Raw(input.capture(p)));
            } else {
                p.skipChildren();
            }
        }
    }

    private static @Nullable <T> T skip(JsonParser p) {
        p.skipChildren();
        return null;
    }

    /** One OpenAI message as read, before it is placed. */
    private static final class Message {
        String role = "";
        /** The content when the client sent a string (possibly empty), else null. */
        @Nullable StringLiteral text;
        final List<ContentBlock> content = new ArrayList<>(2);
        final List<ContentBlock> toolCalls = new ArrayList<>(0);
        final List<ContentBlock> thinking = new ArrayList<>(0);
        @Nullable ToolUse functionCall;
        @Nullable String toolCallId;
        @Nullable RawJson cacheControl;
    }

    /** One Anthropic turn; its blocks grow while consecutive messages of its role are merged into it. */
    private record Turn(boolean assistant, List<ContentBlock> blocks) {
    }
}
