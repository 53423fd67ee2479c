-- llmproxy store, version 3: Responses API answers that llmproxy rebuilt from chat completions.
--
-- A provider without a Responses API keeps no conversation state, so the proxy keeps it for the responses it bridged:
-- what the model saw as input (the earlier turns of a previous_response_id chain included) and the response object
-- the client got. A request continuing one of them gets those items in front of its own input, and
-- GET/DELETE /v1/responses/{id} and /input_items answer from here. One row per bridged response that asked to be
-- stored (OpenAI's default, store=true).
CREATE TABLE llmproxy_responses (
    response_id           TEXT PRIMARY KEY,             -- resp_<token>, as the client got it
    model_group           TEXT NOT NULL,                -- the model the client called
    input_items           TEXT NOT NULL,                -- JSON array of input items, earlier turns first
    response              TEXT NOT NULL,                -- JSON response object
    created_at            TIMESTAMP(3) NOT NULL
);
