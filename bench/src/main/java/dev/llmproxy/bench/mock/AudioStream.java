package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's answer to {@code POST /v1/audio/speech}: a 200 with the audio's content type ({@code response_format}:
 * mp3 by default) and the bytes in chunked encoding, {@value #CHUNK_BYTES} bytes per chunk, each chunk written once
 * the previous one reached the socket, so a slow reader slows the mock instead of filling its memory. The bytes are a
 * fixed pattern ({@link #expected}), {@code mock_audio_bytes} of them ({@value #DEFAULT_BYTES} by default);
 * {@code mock_cut_after_chunks} closes the connection after that many chunks; {@code mock_hold_after_chunks} and
 * {@code mock_hold_ms} pause after that many.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class AudioStream {
    static final int DEFAULT_BYTES = 48_000;
    static final int CHUNK_BYTES = 64 * 1024;
    /** One chunk of the pattern; its period (256) divides the chunk size, so every chunk starts the same way. */
    private static final ByteBuf CHUNK = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(expected(CHUNK_BYTES)));

    private final ChannelHandlerContext ctx;
    private final long total;
    private final int cutAfterChunks;
    private final int holdAfterChunks;
    private final long holdMillis;
    private final Consumer<ChannelFuture> onDone;
    private long sent;
    private int chunks;

    private AudioStream(ChannelHandlerContext ctx, long total, MockRequest request, Consumer<ChannelFuture> onDone) {
        this.ctx = ctx;
        this.total = total;
        this.cutAfterChunks = request.cutAfterChunks;
        this.holdAfterChunks = request.holdAfterChunks;
        this.holdMillis = request.holdMillis;
        this.onDone = onDone;
    }

    /** Starts the answer; {@code onDone} gets the last write once the whole body was written. */
    static void start(ChannelHandlerContext ctx, MockRequest request, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(request.responseFormat));
        HttpUtil.setTransferEncodingChunked(head, true);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head);
        long total = request.audioBytes == MockRequest.UNSET ? DEFAULT_BYTES : request.audioBytes;
        new AudioStream(ctx, total, request, onDone).next();
    }

    /** The first {@code length} bytes of the audio every answer carries. */
    static byte[] expected(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    /** OpenAI's content type for a speech {@code response_format}. */
    static String contentType(@Nullable String format) {
        if (format == null) {
            return "audio/mpeg";
        }
        return switch (format) {
            case "opus" -> "audio/opus";
            case "aac" -> "audio/aac";
            case "flac" -> "audio/flac";
            case "wav" -> "audio/wav";
            case "pcm" -> "audio/pcm";
            default -> "audio/mpeg";
        };
    }

    private void next() {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (cutAfterChunks != MockRequest.UNSET && chunks == cutAfterChunks) {
            ctx.flush();
            ctx.close();
            return;
        }
        int length = (int) Math.min(CHUNK_BYTES, total - sent);
        if (length <= 0) {
            onDone.accept(ctx.writeAndFlush(new DefaultLastHttpContent()));
            return;
        }
        sent += length;
        chunks++;
        ctx.writeAndFlush(new DefaultHttpContent(CHUNK.retainedSlice(0, length)))
                .addListener((ChannelFutureListener) written -> {
                    if (!written.isSuccess()) {
                        return;
                    }
                    if (chunks == holdAfterChunks && holdMillis > 0) {
                        ctx.executor().schedule(this::next, holdMillis, TimeUnit.MILLISECONDS);
                    } else {
                        next();
                    }
                });
    }
}
