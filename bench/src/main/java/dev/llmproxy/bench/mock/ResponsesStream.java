package dev.llmproxy.bench.mock;

import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * One streamed OpenAI Responses API answer, in OpenAI's event order: {@code response.created},
 * {@code response.in_progress}, {@code response.output_item.added}, {@code response.content_part.added}, one
 * {@code response.output_text.delta} per chunk at its scheduled time, {@code response.output_text.done},
 * {@code response.content_part.done}, {@code response.output_item.done}, {@code response.completed} with usage.
 * With {@code mock_tool_call} the item is a function call whose arguments stream as
 * {@code response.function_call_arguments.delta}s. Pacing and faults as in {@link AnthropicStream};
 * {@code mock_error_after_chunks} ends the stream with an {@code error} event.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class ResponsesStream {
    private final ChannelHandlerContext ctx;
    private final MockState state;
    private final MockRequest request;
    private final String model;
    private final boolean keepAlive;
    private final Consumer<ChannelFuture> onDone;
    private final String[] pieces;
    private final String text;
    private final boolean stamped;
    /** The stamps sent so far, which are the text the closing events repeat when the pieces are stamped. */
    private final StringBuilder stampedText = new StringBuilder();

    private int sent;
    private int sequence;
    private boolean finished;
    private ChannelFuture lastWrite;
    private @Nullable ScheduledFuture<?> next;

    ResponsesStream(ChannelHandlerContext ctx, MockState state, MockRequest request, String model, boolean keepAlive,
            Consumer<ChannelFuture> onDone) {
        this.ctx = ctx;
        this.state = state;
        this.request = request;
        this.model = model;
        this.keepAlive = keepAlive;
        this.onDone = onDone;
        this.text = request.toolName != null ? request.toolArguments
                : request.content != null ? request.content : ModelAnswers.PIECE.repeat(request.chunks);
        this.pieces = SseStream.split(text, request.chunks);
        this.stamped = PacedStream.isStamped(state, request);
        this.lastWrite = ctx.newSucceededFuture();
    }

    void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (!keepAlive) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head);
        state.counters.streamsStarted.incrementAndGet();
        ByteBuf opening = ctx.alloc().buffer(1024);
        Consumer<JsonGenerator> inProgress = g -> {
            g.writeName("response");
            OpenAiResponsesBodies.writeResponse(g, model, false, "", null, "", 0, 0);
        };
        append(opening, "response.created", inProgress);
        append(opening, "response.in_progress", inProgress);
        append(opening, "response.output_item.added", g -> {
            g.writeNumberProperty("output_index", 0);
            g.writeName("item");
            OpenAiResponsesBodies.item(g, "", request.toolName, "", false);
        });
        if (request.toolName == null) {
            append(opening, "response.content_part.added", g -> {
                part(g);
                g.writeName("part");
                OpenAiResponsesBodies.outputText(g, "");
            });
        }
        lastWrite = ctx.write(new DefaultHttpContent(opening));
        if (request.firstChunkDelayMillis > 0 && pieces.length > 0) {
            ctx.flush();
            next = ctx.executor().schedule(this::emitDue, request.firstChunkDelayMillis, TimeUnit.MILLISECONDS);
        } else {
            emitDue();
        }
    }

    /** Called when the connection closed under the stream: counts a cancellation unless the stream had ended. */
    void cancel() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        if (!finished) {
            finished = true;
            state.counters.streamsCancelled.incrementAndGet();
        }
    }

    private void emitDue() {
        next = null;
        while (!finished) {
            if (sent == request.cutAfterChunks) {
                finished = true;
                ctx.flush();
                lastWrite.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (sent == request.errorAfterChunks) {
                ByteBuf error = ctx.alloc().buffer(256);
                append(error, "error", g -> {
                    g.writeStringProperty("code", "server_error");
                    g.writeStringProperty("message", "The server had an error while processing your request.");
                    g.writeNullProperty("param");
                });
                end(error);
                return;
            }
            if (sent == pieces.length) {
                writeTail();
                return;
            }
            String piece = stamped ? SendStamp.now() : pieces[sent];
            if (stamped) {
                stampedText.append(piece);
            }
            ByteBuf delta = ctx.alloc().buffer(192);
            if (request.toolName != null) {
                append(delta, "response.function_call_arguments.delta", g -> {
                    g.writeStringProperty("item_id", OpenAiResponsesBodies.CALL_ITEM_ID);
                    g.writeNumberProperty("output_index", 0);
                    g.writeStringProperty("delta", piece);
                });
            } else {
                append(delta, "response.output_text.delta", g -> {
                    part(g);
                    g.writeStringProperty("delta", piece);
                });
            }
            lastWrite = ctx.write(new DefaultHttpContent(delta));
            sent++;
            long pause = request.chunkIntervalMillis + (sent == request.holdAfterChunks ? request.holdMillis : 0);
            if (pause > 0 && sent < pieces.length) {
                ctx.flush();
                next = ctx.executor().schedule(this::emitDue, pause, TimeUnit.MILLISECONDS);
                return;
            }
        }
    }

    private void writeTail() {
        int input = request.promptTokens == MockRequest.UNSET ? ModelAnswers.DEFAULT_PROMPT_TOKENS
                : request.promptTokens;
        int output = request.completionTokens == MockRequest.UNSET ? sent : request.completionTokens;
        String text = stamped ? stampedText.toString() : this.text;
        ByteBuf tail = ctx.alloc().buffer(1024);
        if (request.toolName != null) {
            append(tail, "response.function_call_arguments.done", g -> {
                g.writeStringProperty("item_id", OpenAiResponsesBodies.CALL_ITEM_ID);
                g.writeNumberProperty("output_index", 0);
                g.writeStringProperty("arguments", text);
            });
        } else {
            append(tail, "response.output_text.done", g -> {
                part(g);
                g.writeStringProperty("text", text);
            });
            append(tail, "response.content_part.done", g -> {
                part(g);
                g.writeName("part");
                OpenAiResponsesBodies.outputText(g, text);
            });
        }
        append(tail, "response.output_item.done", g -> {
            g.writeNumberProperty("output_index", 0);
            g.writeName("item");
            OpenAiResponsesBodies.item(g, text, request.toolName, text, true);
        });
        append(tail, "response.completed", g -> {
            g.writeName("response");
            OpenAiResponsesBodies.writeResponse(g, model, true, text, request.toolName, text, input, output);
        });
        end(tail);
    }

    private static void part(JsonGenerator g) {
        g.writeStringProperty("item_id", OpenAiResponsesBodies.MESSAGE_ID);
        g.writeNumberProperty("output_index", 0);
        g.writeNumberProperty("content_index", 0);
    }

    private void end(ByteBuf last) {
        finished = true;
        ChannelFuture done = ctx.writeAndFlush(new DefaultLastHttpContent(last));
        done.addListener(future -> {
            if (future.isSuccess()) {
                state.counters.streamsCompleted.incrementAndGet();
            } else {
                state.counters.streamsCancelled.incrementAndGet();
            }
        });
        onDone.accept(done);
    }

    private void append(ByteBuf out, String type, Consumer<JsonGenerator> fields) {
        AnthropicStream.append(out, type, OpenAiResponsesBodies.event(type, sequence++, fields));
    }
}
