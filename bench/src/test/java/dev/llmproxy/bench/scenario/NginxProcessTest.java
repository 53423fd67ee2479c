package dev.llmproxy.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NginxProcessTest {

    private static final InetSocketAddress MOCK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9001);

    @Test
    void shouldRenderPinnedKeepAliveProxyWhenCpuIsGiven() {
        String config = NginxProcess.config(8080, MOCK, 0, Path.of("/tmp/run/nginx"));

        assertThat(config).contains("worker_processes 1;\n", "worker_cpu_affinity 1;\n", "daemon off;\n",
                "pid /tmp/run/nginx/nginx.pid;\n", "error_log /tmp/run/nginx/error.log warn;\n", "access_log off;\n",
                "client_body_temp_path /tmp/run/nginx/temp/client_body;\n",
                "proxy_temp_path /tmp/run/nginx/temp/proxy;\n", "server 127.0.0.1:9001;\n", "keepalive 256;\n",
                "listen 127.0.0.1:8080;\n", "proxy_pass http://mock;\n", "proxy_http_version 1.1;\n",
                "proxy_set_header Connection \"\";\n", "proxy_buffering off;\n");
        assertThat(config.split("keepalive_requests 1000000;", -1)).hasSize(3);
        assertThat(config.chars().filter(c -> c == '{').count())
                .isEqualTo(config.chars().filter(c -> c == '}').count());
    }

    @Test
    void shouldLeaveAffinityOutWhenNotPinned() {
        String config = NginxProcess.config(8080, MOCK, null, Path.of("/tmp/run/nginx"));

        assertThat(config).doesNotContain("worker_cpu_affinity");
    }

    @Test
    void shouldSetOneBitPerCpuWhenRenderingAffinityMask() {
        assertThat(NginxProcess.affinityMask(0)).isEqualTo("1");
        assertThat(NginxProcess.affinityMask(3)).isEqualTo("1000");
        assertThatThrownBy(() -> NginxProcess.affinityMask(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReadWorkerPidWhenChildrenFileListsIt() {
        assertThat(NginxProcess.parseChildren("4242 ")).containsExactly(4242L);
        assertThat(NginxProcess.parseChildren("17 18\n")).containsExactly(17L, 18L);
        assertThat(NginxProcess.parseChildren("")).isEmpty();
    }
}
