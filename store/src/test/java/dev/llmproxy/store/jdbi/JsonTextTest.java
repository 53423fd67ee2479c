package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.store.StoreException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void shouldRoundTripListsWithAwkwardStrings() {
        List<String> values = List.of("", "plain", "quote\"d", "back\\slash", "tab\tnew\nline", "\u0001", "é☃");
        String json = JsonText.ofList(values);

        assertThat(JsonText.toList(json)).isEqualTo(values);
        assertThat(JsonText.ofList(List.of())).isEqualTo("[]");
    }

    @Test
    void shouldRoundTripIntegerMaps() {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("gpt-4o", 10L);
        values.put("x\"y", Long.MAX_VALUE);
        values.put("neg", -1L);

        assertThat(JsonText.toLongMap(JsonText.ofLongMap(values))).isEqualTo(values);
    }

    @Test
    void shouldReadWhatLiteLlmOrAPersonWrote() {
        assertThat(JsonText.toList(" [ \"a\" , \"b\\u0041\\/\" ] ")).containsExactly("a", "bA/");
        assertThat(JsonText.toLongMap("{\"m\": 5.0, \"n\": 1e2}")).containsEntry("m", 5L).containsEntry("n", 100L);
        assertThat(JsonText.toList(null)).isEmpty();
        assertThat(JsonText.toList("null")).isEmpty();
        assertThat(JsonText.toLongMap(" null ")).isEmpty();
        assertThat(JsonText.toLongMap("{}")).isEmpty();
    }

    @Test
    void shouldRejectOtherShapes() {
        assertThatThrownBy(() -> JsonText.toList("[1]")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> JsonText.toList("[\"a\"")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> JsonText.toList("[\"a\"] x")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> JsonText.toLongMap("{\"a\": \"b\"}")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> JsonText.toList("[\"\\q\"]")).isInstanceOf(StoreException.class);
    }
}
