-- +goose Up
-- The customer in the loop (issue 17): the outbox of messages to customers,
-- the webhook endpoints a service manager registers, their deliveries and
-- every attempt, per-site message templates, and the customer's approval
-- links. Every message row is written in the transaction of the change that
-- causes it; delivery runs later, in its own worker.

-- A site's message settings: the language its messages are written in.
CREATE TABLE message_settings (
    site_id BIGINT PRIMARY KEY REFERENCES sites (id),
    locale  TEXT NOT NULL DEFAULT 'zh' CHECK (locale IN ('zh', 'en'))
);

-- A site's own wording of a kind of message in one language; the built-in
-- template applies where a site has none.
CREATE TABLE message_templates (
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    kind       TEXT NOT NULL,
    locale     TEXT NOT NULL CHECK (locale IN ('zh', 'en')),
    body       TEXT NOT NULL CHECK (body <> ''),
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, kind, locale)
);

-- The outbox: one row a message to a customer. dedupe_key makes a message
-- caused by the clock (a reminder) once only, however many instances pass.
CREATE TABLE outbox_messages (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    kind         TEXT NOT NULL,
    order_id     BIGINT,
    customer_id  BIGINT,
    recipient    TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    locale       TEXT NOT NULL CHECK (locale IN ('zh', 'en')),
    body         TEXT NOT NULL CHECK (body <> ''),
    link         TEXT NOT NULL DEFAULT '',
    dedupe_key   TEXT NOT NULL UNIQUE,
    created_by   BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    -- set once the sender pass has handed the message to the log and made
    -- a delivery for every webhook endpoint that takes messages
    dispatched_at TIMESTAMPTZ
);
CREATE INDEX outbox_messages_pending_idx ON outbox_messages (id) WHERE dispatched_at IS NULL;
CREATE INDEX outbox_messages_order_idx ON outbox_messages (order_id, id) WHERE order_id IS NOT NULL;
CREATE INDEX outbox_messages_site_idx ON outbox_messages (site_id, id);

-- Webhook endpoints. The secret signs every delivery (Standard Webhooks); it
-- is kept because signing needs it, and shown only to the manager who made it.
CREATE TABLE webhook_endpoints (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     BIGINT NOT NULL REFERENCES sites (id),
    url         TEXT NOT NULL CHECK (url <> ''),
    description TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL CHECK (secret LIKE 'whsec_%'),
    messages    BOOLEAN NOT NULL,
    event_kinds TEXT[] NOT NULL DEFAULT '{}',
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ,
    UNIQUE (site_id, id)
);

-- Where the webhook pass has read the event log up to (one row).
CREATE TABLE webhook_event_cursor (
    id  INT PRIMARY KEY CHECK (id = 1),
    pos BIGINT NOT NULL
);
-- Starts at the log's head: an endpoint gets events from its registration on.
INSERT INTO webhook_event_cursor (id, pos) SELECT 1, COALESCE(max(pos), 0) FROM events;

-- One delivery: a payload for an endpoint, posted until it answers 2xx. The
-- webhook-id is msg_<id>, the same on every retry, so receivers dedupe on it.
CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id         BIGINT NOT NULL REFERENCES sites (id),
    endpoint_id     BIGINT NOT NULL,
    message_id      BIGINT REFERENCES outbox_messages (id),
    event_id        BIGINT REFERENCES events (id),
    type            TEXT NOT NULL,
    payload         BYTEA NOT NULL,
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    -- a worker that took the delivery holds it until then (its HTTP timeout
    -- and a margin); another may take it only after, when the first died
    leased_until    TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    last_status     INT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, endpoint_id) REFERENCES webhook_endpoints (site_id, id),
    CHECK ((message_id IS NULL) <> (event_id IS NULL)),
    UNIQUE (endpoint_id, message_id),
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

-- The delivery log: every attempt with its answer.
CREATE TABLE webhook_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    at          TIMESTAMPTZ NOT NULL,
    status      INT,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INT NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

-- The customer's approval links: a random token (kept as its SHA-256 hash)
-- scoped to one order, expiring, revocable.
CREATE TABLE approval_links (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    order_id   BIGINT NOT NULL,
    hash       BYTEA NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);
CREATE INDEX approval_links_order_idx ON approval_links (order_id);

-- The digital inspection (电子检查单): a site's checklists per kind of visit,
-- and the inspections filled in on orders, item by item.
CREATE TABLE inspection_checklists (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    name       TEXT NOT NULL CHECK (name <> ''),
    work_type  TEXT NOT NULL,
    entries    JSONB NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, id)
);

CREATE TABLE inspections (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    order_id     BIGINT NOT NULL,
    checklist_id BIGINT NOT NULL,
    name         TEXT NOT NULL,
    started_by   BIGINT NOT NULL REFERENCES users (id),
    started_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, checklist_id) REFERENCES inspection_checklists (site_id, id),
    UNIQUE (order_id, checklist_id),
    UNIQUE (site_id, id)
);

CREATE TABLE inspection_items (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id            BIGINT NOT NULL REFERENCES sites (id),
    inspection_id      BIGINT NOT NULL,
    order_id           BIGINT NOT NULL,
    seq                INT NOT NULL CHECK (seq >= 1),
    name               TEXT NOT NULL CHECK (name <> ''),
    labour_minutes     INT NOT NULL CHECK (labour_minutes >= 0),
    part_number        TEXT NOT NULL DEFAULT '',
    quantity           INT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    status             TEXT CHECK (status IN ('GREEN', 'AMBER', 'RED')),
    note               TEXT NOT NULL DEFAULT '',
    recorded_by        BIGINT REFERENCES users (id),
    recorded_at        TIMESTAMPTZ,
    additional_work_id BIGINT REFERENCES additional_work (id),
    version            INT NOT NULL DEFAULT 1,
    FOREIGN KEY (site_id, inspection_id) REFERENCES inspections (site_id, id),
    UNIQUE (inspection_id, seq)
);
CREATE INDEX inspection_items_order_idx ON inspection_items (order_id);

-- Photos: the image and its thumbnail live in blob storage (gocloud.dev/blob);
-- this is their metadata. owner_id is the record's ID in the table its
-- owner_type names.
CREATE TABLE attachments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    owner_type   TEXT NOT NULL CHECK (owner_type IN ('VISIT', 'JOB', 'ADDITIONAL_WORK', 'WARRANTY_CLAIM', 'INSPECTION_ITEM')),
    owner_id     BIGINT NOT NULL,
    order_id     BIGINT,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes        INT NOT NULL CHECK (bytes > 0),
    width        INT NOT NULL CHECK (width > 0),
    height       INT NOT NULL CHECK (height > 0),
    key          TEXT NOT NULL UNIQUE,
    thumb_key    TEXT NOT NULL UNIQUE,
    sha256       BYTEA NOT NULL,
    uploaded_by  BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_owner_idx ON attachments (owner_type, owner_id, id);
CREATE INDEX attachments_order_idx ON attachments (order_id, id) WHERE order_id IS NOT NULL;

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
