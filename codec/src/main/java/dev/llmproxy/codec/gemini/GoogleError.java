package dev.llmproxy.codec.gemini;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Google's error object, {@code {"code": <http status>, "message": …, "status": "INVALID_ARGUMENT"|…}}, as it comes in
 * error bodies and, inside a 200 stream, as an event of its own.
 *
 * <p>Thread-safety: immutable.
 *
 * @param code the HTTP status Google gives the error, or 0 when absent
 * @param message Google's message
 * @param status Google's canonical error code name, or {@code ""}
 */
record GoogleError(int code, String message, String status) {

    /** Reads the {@code error} object {@code p} is at (left on its end token). */
    static GoogleError read(JsonParser p) {
        int code = 0;
        String message = "";
        String status = "";
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("code") && value == JsonToken.VALUE_NUMBER_INT) {
                code = p.getValueAsInt(0);
            } else if (field.equals("message") && value == JsonToken.VALUE_STRING) {
                message = p.getString();
            } else if (field.equals("status") && value == JsonToken.VALUE_STRING) {
                status = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return new GoogleError(code, message, status);
    }
}
