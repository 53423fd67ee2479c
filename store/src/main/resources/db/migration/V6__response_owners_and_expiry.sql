-- llmproxy store, version 6: who a kept bridged response belongs to, and when it expires.
--
-- A kept response is read back by its id (GET/DELETE /v1/responses/{id}, /input_items, previous_response_id); the id
-- is not a secret, so the row names its owner as LiteLLM's response-id security does: the key that made it (its
-- SHA-256 hex) and the key's user and team. Another key of the same user and team may read it; the master key and
-- admins read everything. Rows kept before this version have no owner: only the master key and admins see them.
--
-- expires_at: general_settings.stored_responses_retention_period after the row was kept (OpenAI keeps stored responses
-- 30 days, the default). Expired rows are never read and are deleted by a periodic sweep; rows kept before this
-- version get 30 days from their creation.
ALTER TABLE llmproxy_responses ADD COLUMN key_hash TEXT;
ALTER TABLE llmproxy_responses ADD COLUMN user_id TEXT;
ALTER TABLE llmproxy_responses ADD COLUMN team_id TEXT;
ALTER TABLE llmproxy_responses ADD COLUMN expires_at TIMESTAMP(3);
UPDATE llmproxy_responses SET expires_at = created_at + INTERVAL '30' DAY;
ALTER TABLE llmproxy_responses ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX llmproxy_responses_expires_at_idx ON llmproxy_responses (expires_at);
