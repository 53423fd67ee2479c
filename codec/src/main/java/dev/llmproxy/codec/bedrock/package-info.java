/**
 * AWS Bedrock's Converse API (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html) and
 * the translation between it and OpenAI's chat completions, following LiteLLM's rules as recorded in the project's
 * provider spec (section 5): the request ({@link dev.llmproxy.codec.bedrock.ConverseRequestEncoder}), whole responses
 * ({@link dev.llmproxy.codec.bedrock.ConverseResponses}), errors ({@link dev.llmproxy.codec.bedrock.BedrockErrors}),
 * ConverseStream's binary AWS event-stream framing ({@link dev.llmproxy.codec.bedrock.EventStreamDecoder}) and its
 * events ({@link dev.llmproxy.codec.bedrock.ConverseStreamTranslator}), and the AWS Signature Version 4 that signs
 * every request ({@link dev.llmproxy.codec.bedrock.SigV4}).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.bedrock;
