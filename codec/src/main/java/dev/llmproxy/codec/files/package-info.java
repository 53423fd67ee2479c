/**
 * OpenAI's Files and Batch APIs on the wire: the ids in file and batch objects rewritten
 * ({@link dev.llmproxy.codec.files.FileIdRewriter}), and the token usage of a batch's output file read as it streams
 * past ({@link dev.llmproxy.codec.files.BatchOutputUsage}).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.files;
