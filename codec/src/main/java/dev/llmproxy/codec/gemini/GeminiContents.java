package dev.llmproxy.codec.gemini;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.internal.StringLiteral;
import dev.llmproxy.codec.openai.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * An OpenAI {@code messages} array turned into Gemini's {@code systemInstruction} and {@code contents} (provider spec,
 * section 3.3).
 *
 * <p>System (and {@code developer}) messages become the parts of {@code systemInstruction}, in order. Consecutive
 * {@code user} messages merge into one {@code user} content and consecutive {@code assistant} messages into one
 * {@code model} content (text parts, then a {@code functionCall} per tool call). Consecutive {@code tool} (and legacy
 * {@code function}) messages become one {@code user} content of {@code functionResponse} parts; a result's function
 * name is found through its {@code tool_call_id} among the earlier tool calls, and a result that answers no known
 * call is refused, as Gemini needs the name. Images, audio and files become {@code inlineData} (data URLs) or
 * {@code fileData} (other URLs, for Google to read).
 *
 * <p>Thread-safety: none; one instance per request.
 */
final class GeminiContents {
    /** Separates a tool call's id from the thought signature that rides along in it (LiteLLM's convention). */
    static final String THOUGHT_MARKER = "__thought__";

    private static final Map<String, String> MIME_BY_EXTENSION = Map.ofEntries(
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"),
            Map.entry("webp", "image/webp"), Map.entry("gif", "image/gif"), Map.entry("heic", "image/heic"),
            Map.entry("heif", "image/heif"), Map.entry("pdf", "application/pdf"), Map.entry("txt", "text/plain"),
            Map.entry("mp4", "video/mp4"), Map.entry("mov", "video/mov"), Map.entry("mpeg", "video/mpeg"),
            Map.entry("webm", "video/webm"), Map.entry("mp3", "audio/mp3"), Map.entry("wav", "audio/wav"),
            Map.entry("flac", "audio/flac"), Map.entry("ogg", "audio/ogg"), Map.entry("aac", "audio/aac"));
    private static final StringLiteral BLANK = StringLiteral.of(" ");

    private final JsonInput input;
    private final List<StringLiteral> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    /** Function names by tool call id, from the assistant messages read so far. */
    private final Map<String, String> callNames = new HashMap<>();
    private @Nullable String lastLegacyCall;

    private GeminiContents(JsonInput input) {
        this.input = input;
    }

    /** Reads the array {@code p} is at (left on its end token); anything but an array gives no contents. */
    static GeminiContents read(JsonInput input, JsonParser p) {
        GeminiContents contents = new GeminiContents(input);
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return contents;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                contents.readMessage(p);
            } else {
                p.skipChildren();
            }
        }
        return contents;
    }

    boolean hasSystem() {
        return !system.isEmpty();
    }

    void writeSystemInstruction(JsonGenerator g) {
        g.writeStartObject();
        g.writeArrayPropertyStart("parts");
        for (StringLiteral text : system) {
            new Part.Text(text).write(g);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    void writeContents(JsonGenerator g) {
        g.writeStartArray();
        for (Turn turn : turns) {
            g.writeStartObject();
            g.writeStringProperty("role", turn.kind == Kind.MODEL ? "model" : "user");
            g.writeArrayPropertyStart("parts");
            if (turn.parts.isEmpty()) {
                // Gemini refuses a content without parts; LiteLLM sends a blank text in that case.
                new Part.Text(BLANK).write(g);
            }
            for (Part part : turn.parts) {
                part.write(g);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void readMessage(JsonParser p) {
        String role = "";
        String name = null;
        String toolCallId = null;
        List<Part> content = new ArrayList<>(2);
        List<Part> calls = new ArrayList<>(0);
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            boolean string = value == JsonToken.VALUE_STRING;
            switch (field) {
                case "role" -> role = string ? p.getString() : "";
                case "name" -> name = string ? p.getString() : null;
                case "tool_call_id" -> toolCallId = string ? p.getString() : null;
                case "content" -> readContent(p, content);
                case "tool_calls" -> readToolCalls(p, calls);
                case "function_call" -> readLegacyCall(p, calls);
                default -> p.skipChildren();
            }
        }
        switch (role) {
            case "system", "developer" -> {
                for (Part part : content) {
                    if (part instanceof Part.Text text) {
                        system.add(text.text());
                    }
                }
            }
            case "assistant" -> {
                content.addAll(calls);
                addTurn(Kind.MODEL, content);
            }
            case "tool", "function" -> addTurn(Kind.TOOL, List.of(
                    new Part.FunctionResponse(functionName(role, name, toolCallId), joinedText(content))));
            default -> addTurn(Kind.USER, content);
        }
    }

    private String functionName(String role, @Nullable String name, @Nullable String toolCallId) {
        String known = toolCallId != null ? callNames.get(toolCallId) : null;
        if (known == null && role.equals("function")) {
            known = name != null ? name : lastLegacyCall;
        }
        if (known == null) {
            throw new InvalidRequestException("Missing corresponding tool call for tool response message: "
                    + "no earlier assistant tool call has id '" + toolCallId + "'", "messages");
        }
        return known;
    }

    private void addTurn(Kind kind, List<Part> parts) {
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.kind == kind) {
            last.parts.addAll(parts);
        } else {
            turns.add(new Turn(kind, new ArrayList<>(parts)));
        }
    }

    private static StringLiteral joinedText(List<Part> content) {
        if (content.size() == 1 && content.get(0) instanceof Part.Text text) {
            return text.text();
        }
        StringBuilder joined = new StringBuilder();
        for (Part part : content) {
            if (part instanceof Part.Text text) {
                joined.append(text.text().value());
            }
        }
        return StringLiteral.of(joined.toString());
    }

    private void readContent(JsonParser p, List<Part> into) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            StringLiteral text = StringLiteral.read(input, p);
            if (!text.isEmpty()) {
                into.add(new Part.Text(text));
            }
            return;
        }
        if (token != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                Part part = readPart(p);
                if (part != null) {
                    into.add(part);
                }
            } else {
                p.skipChildren();
            }
        }
    }

    /** One content part: text, image_url, input_audio or file; other types are left out. */
    private @Nullable Part readPart(JsonParser p) {
        String type = "";
        StringLiteral text = null;
        String[] media = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "type" -> type = value == JsonToken.VALUE_STRING ? p.getString() : "";
                case "text" -> text = value == JsonToken.VALUE_STRING ? StringLiteral.read(input, p) : null;
                case "image_url", "input_audio", "file" -> media = readMedia(p);
                default -> p.skipChildren();
            }
        }
        return switch (type) {
            case "text" -> text == null || text.isEmpty() ? null : new Part.Text(text);
            case "image_url", "file" -> media == null || media[0] == null ? null : media(media[0], media[1]);
            case "input_audio" -> media == null || media[2] == null || media[1] == null ? null
                    : new Part.InlineData("audio/" + media[1], media[2]);
            default -> null;
        };
    }

    /**
     * {@code [url, format, data]} of an image_url (a string or {@code {url, format}}), file
     * ({@code {file_data|file_id, format}}) or input_audio ({@code {data, format}}) value.
     */
    private static String[] readMedia(JsonParser p) {
        String[] fields = new String[3];
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            fields[0] = p.getString();
            return fields;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return fields;
        }
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                p.skipChildren();
                continue;
            }
            switch (field) {
                case "url", "file_data", "file_id" -> fields[0] = p.getString();
                case "format", "mime_type" -> fields[1] = p.getString();
                case "data" -> fields[2] = p.getString();
                default -> {
                    // detail, filename: nothing Gemini takes.
                }
            }
        }
        return fields;
    }

    /**
     * A {@code data:<mime>;base64,<data>} URL becomes {@code inlineData}; any other URL {@code fileData} with the
     * given format, else the type its extension implies, else {@code image/jpeg}.
     */
    private static Part media(String url, @Nullable String format) {
        int marker = url.indexOf(";base64,");
        if (url.regionMatches(true, 0, "data:", 0, 5) && marker > 5) {
            return new Part.InlineData(format != null ? format : url.substring(5, marker), url.substring(marker + 8));
        }
        return new Part.FileData(format != null ? format : mimeOf(url), url);
    }

    private static String mimeOf(String url) {
        int end = url.length();
        int query = url.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        int dot = url.lastIndexOf('.', end);
        if (dot < 0 || dot < url.lastIndexOf('/', end)) {
            return "image/jpeg";
        }
        String type = MIME_BY_EXTENSION.get(url.substring(dot + 1, end).toLowerCase(Locale.ROOT));
        return type != null ? type : "image/jpeg";
    }

    private void readToolCalls(JsonParser p, List<Part> into) {
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
            String[] call = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("id") && value == JsonToken.VALUE_STRING) {
                    id = p.getString();
                } else if (field.equals("function") && value == JsonToken.START_OBJECT) {
                    call = readCall(p);
                } else {
                    p.skipChildren();
                }
            }
            if (call != null) {
                callNames.put(id, call[0]);
                int marker = id.indexOf(THOUGHT_MARKER);
                String signature = marker >= 0 ? id.substring(marker + THOUGHT_MARKER.length()) : null;
                into.add(new Part.FunctionCall(call[0], arguments(call[1]), signature));
            }
        }
    }

    private void readLegacyCall(JsonParser p, List<Part> into) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        String[] call = readCall(p);
        lastLegacyCall = call[0];
        into.add(new Part.FunctionCall(call[0], arguments(call[1]), null));
    }

    /** {@code [name, arguments]} of a {@code {name, arguments}} object. */
    private static String[] readCall(JsonParser p) {
        String[] call = {"", ""};
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                call[0] = p.getString();
            } else if (field.equals("arguments") && value == JsonToken.VALUE_STRING) {
                call[1] = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return call;
    }

    /**
     * OpenAI's arguments string as Gemini's {@code args} object: the string when it holds exactly one JSON object,
     * else {@code {}} (a model that stopped mid-call must not fail the whole conversation).
     */
    static RawJson arguments(String arguments) {
        String trimmed = arguments.strip();
        if (trimmed.isEmpty() || trimmed.charAt(0) != '{') {
            return RawJson.EMPTY_OBJECT;
        }
        try (JsonParser parser = JsonInput.JSON.createParser(ObjectReadContext.empty(), trimmed)) {
            parser.nextToken();
            parser.skipChildren();
            return parser.nextToken() == null ? new RawJson(trimmed) : RawJson.EMPTY_OBJECT;
        } catch (JacksonException e) {
            return RawJson.EMPTY_OBJECT;
        }
    }

    /** Who a content speaks for: tool results are user content but never merge with the user's own messages. */
    private enum Kind { USER, MODEL, TOOL }

    /** One Gemini content; its parts grow while consecutive messages of its kind are merged into it. */
    private record Turn(Kind kind, List<Part> parts) {
    }
}
