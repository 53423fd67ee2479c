package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Accept failures pause accepting briefly and are logged at most once a minute. */
class AcceptErrorHandlerTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(AcceptErrorHandler.class);
    private EmbeddedChannel server;

    @BeforeEach
    void setUp() {
        logs.start();
        logger.addAppender(logs);
        server = EmbeddedChannel.builder().ticker(ticker).handlers(new AcceptErrorHandler(ticker::nanoTime)).build();
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(logs);
        server.finishAndReleaseAll();
    }

    @Test
    void shouldLogOnceAMinuteWithCountWhenAcceptKeepsFailing() {
        for (int i = 0; i < 50; i++) {
            server.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        }
        assertThat(logs.list).hasSize(1);

        ticker.advance(1, TimeUnit.MINUTES);
        server.pipeline().fireExceptionCaught(new IOException("Too many open files"));

        assertThat(logs.list).hasSize(2);
        assertThat(logs.list.get(1).getFormattedMessage()).contains("50 failure(s) since the last report");
    }

    @Test
    void shouldPauseAcceptingForASecondThenResumeWhenAcceptFails() {
        server.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        assertThat(server.config().isAutoRead()).isFalse();

        ticker.advance(AcceptErrorHandler.PAUSE_NANOS, TimeUnit.NANOSECONDS);
        server.runScheduledPendingTasks();

        assertThat(server.config().isAutoRead()).isTrue();
        server.checkException();
    }
}
