package dev.llmproxy.proxy.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class FileIdsTest {

    @Test
    void shouldEncodeAsLiteLlmDoesAndReadItBack() {
        // LiteLLM's encode_file_id_with_model writes the same bytes, so ids move between the two proxies.
        assertThat(FileIds.encode("file-abc123", "gpt-4o-litellm", false))
                .isEqualTo("file-bGl0ZWxsbTpmaWxlLWFiYzEyMzttb2RlbCxncHQtNG8tbGl0ZWxsbQ");
        assertThat(FileIds.decode("file-bGl0ZWxsbTpmaWxlLWFiYzEyMzttb2RlbCxncHQtNG8tbGl0ZWxsbQ"))
                .isEqualTo(new FileIds.Decoded("file-abc123", "gpt-4o-litellm"));
    }

    @Test
    void shouldChooseThePrefixFromTheProvidersIdElseFromTheKind() {
        assertThat(FileIds.encode("batch_x", "m", false)).startsWith("batch_");
        assertThat(FileIds.encode("3814889423749775360", "m", true)).startsWith("batch_");
        assertThat(FileIds.encode("3814889423749775360", "m", false)).startsWith("file-");
        assertThat(FileIds.decode(FileIds.encode("3814889423749775360", "gemini-2.5-pro", true)))
                .isEqualTo(new FileIds.Decoded("3814889423749775360", "gemini-2.5-pro"));
    }

    @Test
    void shouldReadProviderIdsAsNotEncoded() {
        assertThat(FileIds.decode("file-abc123")).isNull();
        assertThat(FileIds.decode("batch_67890")).isNull();
        assertThat(FileIds.decode("file-!!!")).isNull();
        assertThat(FileIds.decode("")).isNull();
    }

    @Test
    void shouldMapPathsAndMethodsToOperations() {
        assertThat(FileOperation.parse(HttpMethod.POST, "/v1/files").operation()).isEqualTo(FileOperation.CREATE_FILE);
        assertThat(FileOperation.parse(HttpMethod.GET, "/files").operation()).isEqualTo(FileOperation.LIST_FILES);
        FileOperation.Parsed content = FileOperation.parse(HttpMethod.GET, "/v1/files/file-a%2Fb/content");
        assertThat(content.operation()).isEqualTo(FileOperation.FILE_CONTENT);
        assertThat(content.id()).isEqualTo("file-a/b");
        assertThat(FileOperation.parse(HttpMethod.DELETE, "/v1/files/f").operation())
                .isEqualTo(FileOperation.DELETE_FILE);
        assertThat(FileOperation.parse(HttpMethod.POST, "/batches/b/cancel").operation())
                .isEqualTo(FileOperation.CANCEL_BATCH);
        assertThat(FileOperation.parse(HttpMethod.GET, "/v1/batches/b").operation())
                .isEqualTo(FileOperation.RETRIEVE_BATCH);
        FileOperation.Parsed put = FileOperation.parse(HttpMethod.PUT, "/v1/files/f");
        assertThat(put.operation()).isNull();
        assertThat(put.allowed()).isEqualTo("GET, DELETE");
        assertThat(FileOperation.parse(HttpMethod.GET, "/v1/files/a/b")).isNull();
        assertThat(FileOperation.isPath("/v1/filesystem")).isFalse();
    }
}
