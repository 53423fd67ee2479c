package dev.llmproxy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmOptionsFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldSkipCommentsAndBlankLinesWhenReadingFile() throws IOException {
        Path file = Files.writeString(dir.resolve("jvm.options"),
                "# heap\n-Xms64m\n\n  -Xmx256m  \n   # indented comment\n-XX:+UseSerialGC\n", UTF_8);

        assertThat(JvmOptionsFile.read(file)).containsExactly("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC");
    }

    @Test
    void shouldNameFileAndWayOutWhenFileIsMissing() {
        assertThatThrownBy(() -> JvmOptionsFile.read(dir.resolve("conf/jvm.options")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("conf/jvm.options").hasMessageContaining("--proxy-java-opts");
    }

    @Test
    void shouldSplitOnWhitespaceWhenOptionsComeAsOneString() {
        assertThat(JvmOptionsFile.split("  -Xmx1g   -XX:+UseZGC ")).containsExactly("-Xmx1g", "-XX:+UseZGC");
        assertThat(JvmOptionsFile.split(" ")).isEmpty();
    }

    @Test
    void shouldLeaveAlwaysPreTouchOutWhenReadingShippedFile() {
        Path shipped = Path.of("..", "conf", "jvm.options");

        assertThat(JvmOptionsFile.read(shipped)).contains("-XX:+UseSerialGC").doesNotContain("-XX:+AlwaysPreTouch");
    }
}
