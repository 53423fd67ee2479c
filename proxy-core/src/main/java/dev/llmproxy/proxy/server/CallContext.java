package dev.llmproxy.proxy.server;

import dev.llmproxy.codec.json.RequestInfo;
import dev.llmproxy.proxy.route.Endpoint;
import dev.llmproxy.proxy.route.Target;

/**
 * The facts of one model request, settled before it is answered.
 *
 * @param callId the request id ({@code x-litellm-call-id})
 * @param endpoint the API called
 * @param requestedModel the model the client named
 * @param modelGroup the model group that matched
 * @param target the deployment picked and the upstream model name
 * @param upstream the deployment's precomputed connection and header data
 * @param request what the scan of the request body found
 * @param startNanos ticker time the request was received
 * @param keepAlive whether the client connection stays open after the response
 * @param http10 whether the client spoke HTTP/1.0
 */
record CallContext(
        String callId,
        Endpoint endpoint,
        String requestedModel,
        String modelGroup,
        Target target,
        UpstreamRoute upstream,
        RequestInfo request,
        long startNanos,
        boolean keepAlive,
        boolean http10) {}
