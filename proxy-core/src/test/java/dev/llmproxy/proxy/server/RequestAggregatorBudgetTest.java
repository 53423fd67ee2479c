package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link RequestAggregator} and the server's {@link RequestBudget} on an embedded pipeline: what is reserved when,
 * what a request that does not fit gets, and what an allocation failure while reading does.
 */
class RequestAggregatorBudgetTest {
    private final RequestBudget budget = new RequestBudget(1000);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RequestAggregator.class);

    @BeforeEach
    void setUp() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(logs);
    }

    @Test
    void shouldReserveDeclaredLengthAtHeadAndHandItOnWithRequest() {
        try (ClientPipeline pipeline = new ClientPipeline(ClientTimeouts.DEFAULTS, budget)) {
            pipeline.send(head(600));
            assertThat(budget.used()).isEqualTo(600);
            pipeline.send("x".repeat(600));

            assertThat(pipeline.requests).singleElement()
                    .satisfies(request -> assertThat(request.content().readableBytes()).isEqualTo(600));
            // Handed on with the request: the application (ClientHandler) gives it back when it is done.
            assertThat(budget.used()).isEqualTo(600);
        }
    }

    @Test
    void shouldAnswer503WithoutContinueWhenDeclaredBodyDoesNotFit() {
        budget.forceReserve(700);
        try (ClientPipeline pipeline = new ClientPipeline(ClientTimeouts.DEFAULTS, budget)) {
            pipeline.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 400\r\n\r\n");

            String out = pipeline.output();
            assertThat(out).startsWith("HTTP/1.1 503 ").doesNotContain("100 Continue")
                    .contains("retry-after: 1").contains("connection: close").contains("service_unavailable");
            assertThat(pipeline.requests).isEmpty();
            assertThat(budget.used()).isEqualTo(700);
            assertThat(logs.list).singleElement().satisfies(line -> {
                assertThat(line.getLevel()).isEqualTo(Level.WARN);
                assertThat(line.getFormattedMessage()).contains("reached the limit of 1000 bytes");
            });

            // A second refusal within the minute is not logged again.
            try (ClientPipeline again = new ClientPipeline(ClientTimeouts.DEFAULTS, budget)) {
                again.send(head(400));
                assertThat(again.output()).startsWith("HTTP/1.1 503 ");
            }
            assertThat(logs.list).hasSize(1);
        }
    }

    @Test
    void shouldReserveChunkedBodyAsItArrivesAndGiveItBackWhenClientLeaves() {
        try (ClientPipeline pipeline = new ClientPipeline(ClientTimeouts.DEFAULTS, budget)) {
            pipeline.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1f4\r\n" + "y".repeat(500) + "\r\n");
            assertThat(budget.used()).isEqualTo(500);

            pipeline.channel.close();
            assertThat(budget.used()).isZero();
        }
    }

    @Test
    void shouldCloseConnectionWithOneWarningNamingItWhenMemoryRunsOutWhileReading() {
        try (ClientPipeline pipeline = new ClientPipeline(ClientTimeouts.DEFAULTS, budget)) {
            pipeline.send(head(300));
            pipeline.channel.pipeline().fireExceptionCaught(
                    new OutOfMemoryError("Cannot reserve 4194304 bytes of direct buffer memory"));

            assertThat(pipeline.channel.isOpen()).isFalse();
            assertThat(budget.used()).isZero();
            assertThat(logs.list).singleElement().satisfies(line -> {
                assertThat(line.getLevel()).isEqualTo(Level.WARN);
                assertThat(line.getFormattedMessage()).contains("out of memory while reading a request")
                        .contains(pipeline.channel.id().asShortText()).doesNotContain("unexpected");
                assertThat(line.getThrowableProxy()).isNull();
            });
        }
    }

    @Test
    void shouldNotReserveWhenRequestHasNoBody() {
        try (ClientPipeline pipeline = new ClientPipeline(ClientTimeouts.DEFAULTS, budget)) {
            pipeline.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
            pipeline.advance(Duration.ZERO);
            assertThat(pipeline.requests).hasSize(1);
            assertThat(budget.used()).isZero();
        }
    }

    private static String head(int contentLength) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength + "\r\n\r\n";
    }
}
