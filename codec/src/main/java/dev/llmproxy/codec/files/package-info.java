/**
 * OpenAI's Files and Batch APIs on the wire: the fields of a {@code multipart/form-data} upload read from its whole
 * body ({@link dev.llmproxy.codec.files.MultipartForm}), the ids in file and batch objects rewritten
 * ({@link dev.llmproxy.codec.files.FileIdRewriter}), and the token usage of a batch's output file read as it streams
 * past ({@link dev.llmproxy.codec.files.BatchOutputUsage}).
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.codec.files;
