/**
 * {@code POST /v1/messages}, Anthropic's Messages API, for any deployment: {@link
 * dev.llmproxy.proxy.messages.MessagesAdapter} stands in for the deployment's adapter during one attempt. A deployment
 * that speaks the Messages API (Anthropic, Claude on Vertex AI) gets the client's body with its model rewritten and
 * answers relayed as they are ({@link dev.llmproxy.proxy.messages.NativeMessagesTranslator}, which only reads usage);
 * any other gets the request translated into a chat completion, encoded by its own adapter, and its answers
 * translated back ({@link dev.llmproxy.proxy.messages.MessagesTranslator}, over {@code codec.messages}).
 *
 * <p>Uses {@code provider} and {@code codec}; {@code call} uses it.
 */
@NullMarked
package dev.llmproxy.proxy.messages;

import org.jspecify.annotations.NullMarked;
