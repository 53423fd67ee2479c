package dev.llmproxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyHashTest {

    @Test
    void shouldHashLikeLiteLlmSha256HexOfTheWholeKey() {
        // As LiteLLM stores the key sk-1234 in LiteLLM_VerificationToken.token (sha256sum of the 7 bytes).
        assertThat(KeyHash.of("sk-1234")).isEqualTo("88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b");
        assertThat(KeyHash.of("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(KeyHash.of("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldTellHashesFromKeys() {
        String hash = KeyHash.of("sk-abc");
        assertThat(KeyHash.isHash(hash)).isTrue();
        assertThat(KeyHash.isHash("sk-abc")).isFalse();
        assertThat(KeyHash.isHash(hash.toUpperCase())).isFalse();
        assertThat(KeyHash.ofKeyOrHash(hash)).isEqualTo(hash);
        assertThat(KeyHash.ofKeyOrHash("sk-abc")).isEqualTo(hash);
    }

    @Test
    void shouldAbbreviateKeysAsLiteLlmKeyName() {
        assertThat(KeyHash.displayName("sk-abcdefgh1234")).isEqualTo("sk-...1234");
        assertThat(KeyHash.displayName("sk")).isEqualTo("sk-...sk");
    }

    @Test
    void shouldRefuseAKeyWhereAHashBelongs() {
        assertThatThrownBy(() -> VirtualKey.builder("sk-plaintext").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("sk-plaintext");
    }
}
