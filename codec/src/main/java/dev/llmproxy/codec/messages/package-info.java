/**
 * Anthropic's Messages API as a client speaks it to the gateway ({@code POST /v1/messages}): requests translated into
 * OpenAI chat requests for providers that do not speak it ({@link dev.llmproxy.codec.messages.MessagesRequest}),
 * OpenAI answers, whole ({@link dev.llmproxy.codec.messages.MessagesResponses}) or streamed
 * ({@link dev.llmproxy.codec.messages.MessagesStream}), translated back, Anthropic's error shape
 * ({@link dev.llmproxy.codec.messages.MessagesErrors}), and the usage of answers relayed as they are
 * ({@link dev.llmproxy.codec.messages.MessagesUsage}).
 */
@NullMarked
package dev.llmproxy.codec.messages;

import org.jspecify.annotations.NullMarked;
