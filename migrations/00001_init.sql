-- +goose Up
-- The service core: sites, staff, customers, vehicles, visits, repair orders,
-- jobs, parts, additional work, checks, settlements, the event log and
-- idempotency keys. Money is BIGINT minor units; times are TIMESTAMPTZ.

CREATE TABLE sites (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code <> ''),
    name        TEXT NOT NULL CHECK (name <> ''),
    time_zone   TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    currency    TEXT NOT NULL DEFAULT 'CNY' CHECK (currency ~ '^[A-Z]{3}$'),
    labour_rate BIGINT NOT NULL DEFAULT 0 CHECK (labour_rate >= 0),
    opens_at    INT NOT NULL DEFAULT 480 CHECK (opens_at BETWEEN 0 AND 1440),
    closes_at   INT NOT NULL DEFAULT 1080 CHECK (closes_at BETWEEN 0 AND 1440),
    CHECK (opens_at < closes_at)
);

CREATE TABLE users (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL CHECK (name <> ''),
    short_name TEXT NOT NULL CHECK (short_name <> ''),
    role       TEXT NOT NULL,
    team_lead  BOOLEAN NOT NULL DEFAULT FALSE,
    team       TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_sites (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site_idx ON user_sites (site_id);

-- Bearer tokens are stored as SHA-256 hashes; the plain token is shown once.
CREATE TABLE tokens (
    hash       BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX tokens_user_idx ON tokens (user_id);

CREATE TABLE bays (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    code    TEXT NOT NULL CHECK (code <> ''),
    name    TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL DEFAULT 'GENERAL',
    UNIQUE (site_id, code),
    UNIQUE (site_id, id)
);

CREATE TABLE customers (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    name       TEXT NOT NULL CHECK (name <> ''),
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    version    INT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, id)
);
CREATE INDEX customers_site_phone_idx ON customers (site_id, phone);
CREATE INDEX customers_site_name_idx ON customers (site_id, lower(name));

CREATE TABLE vehicles (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     BIGINT NOT NULL REFERENCES sites (id),
    customer_id BIGINT NOT NULL,
    plate       TEXT NOT NULL CHECK (plate <> ''),
    vin         TEXT NOT NULL DEFAULT '',
    make        TEXT NOT NULL DEFAULT '',
    model       TEXT NOT NULL DEFAULT '',
    year        INT NOT NULL DEFAULT 0,
    colour      TEXT NOT NULL DEFAULT '',
    mileage     INT NOT NULL DEFAULT 0 CHECK (mileage >= 0),
    version     INT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, customer_id) REFERENCES customers (site_id, id),
    UNIQUE (site_id, plate),
    UNIQUE (site_id, id)
);
CREATE UNIQUE INDEX vehicles_site_vin_idx ON vehicles (site_id, vin) WHERE vin <> '';
CREATE INDEX vehicles_customer_idx ON vehicles (customer_id);

CREATE TABLE appointments (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id          BIGINT NOT NULL REFERENCES sites (id),
    customer_id      BIGINT NOT NULL,
    vehicle_id       BIGINT NOT NULL,
    advisor_id       BIGINT REFERENCES users (id),
    scheduled_at     TIMESTAMPTZ NOT NULL,
    requested_work   TEXT NOT NULL,
    parts_to_prepare TEXT NOT NULL DEFAULT '',
    deposit          BIGINT NOT NULL DEFAULT 0 CHECK (deposit >= 0),
    state            TEXT NOT NULL DEFAULT 'BOOKED',
    visit_id         BIGINT,
    version          INT NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, customer_id) REFERENCES customers (site_id, id),
    FOREIGN KEY (site_id, vehicle_id) REFERENCES vehicles (site_id, id),
    UNIQUE (site_id, id)
);
CREATE INDEX appointments_site_time_idx ON appointments (site_id, scheduled_at);
CREATE INDEX appointments_customer_idx ON appointments (customer_id);

CREATE TABLE visits (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id           BIGINT NOT NULL REFERENCES sites (id),
    customer_id       BIGINT NOT NULL,
    vehicle_id        BIGINT NOT NULL,
    appointment_id    BIGINT,
    advisor_id        BIGINT NOT NULL REFERENCES users (id),
    received_at       TIMESTAMPTZ NOT NULL,
    mileage           INT NOT NULL CHECK (mileage >= 0),
    fuel_level        INT NOT NULL CHECK (fuel_level BETWEEN 0 AND 100),
    damages           JSONB NOT NULL DEFAULT '[]',
    belongings        TEXT[] NOT NULL DEFAULT '{}',
    key_tag           TEXT NOT NULL DEFAULT '',
    complaint         TEXT NOT NULL DEFAULT '',
    walkaround_signed BOOLEAN NOT NULL DEFAULT FALSE,
    delivered_at      TIMESTAMPTZ,
    exit_pass         TEXT NOT NULL DEFAULT '',
    next_service_date DATE,
    next_service_km   INT,
    version           INT NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, customer_id) REFERENCES customers (site_id, id),
    FOREIGN KEY (site_id, vehicle_id) REFERENCES vehicles (site_id, id),
    FOREIGN KEY (site_id, appointment_id) REFERENCES appointments (site_id, id),
    UNIQUE (site_id, id)
);
CREATE INDEX visits_customer_idx ON visits (customer_id, received_at DESC, id DESC);
CREATE INDEX visits_vehicle_idx ON visits (vehicle_id);
CREATE UNIQUE INDEX visits_appointment_idx ON visits (appointment_id) WHERE appointment_id IS NOT NULL;
ALTER TABLE appointments ADD FOREIGN KEY (site_id, visit_id) REFERENCES visits (site_id, id);

CREATE TABLE repair_orders (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id              BIGINT NOT NULL REFERENCES sites (id),
    visit_id             BIGINT NOT NULL,
    number               TEXT NOT NULL,
    state                TEXT NOT NULL,
    work_type            TEXT NOT NULL,
    priority             TEXT NOT NULL DEFAULT 'NORMAL',
    findings             TEXT NOT NULL DEFAULT '',
    under_warranty       BOOLEAN NOT NULL DEFAULT FALSE,
    wash_requested       BOOLEAN NOT NULL DEFAULT FALSE,
    payment_method       TEXT NOT NULL DEFAULT 'NONE',
    old_parts            TEXT NOT NULL DEFAULT 'SHOW_TO_CUSTOMER',
    insurance_claim      BOOLEAN NOT NULL DEFAULT FALSE,
    insurer_name         TEXT NOT NULL DEFAULT '',
    assessment_reference TEXT NOT NULL DEFAULT '',
    advisor_id           BIGINT NOT NULL REFERENCES users (id),
    promised_at          TIMESTAMPTZ,
    estimated_at         TIMESTAMPTZ,
    signed_at            TIMESTAMPTZ,
    signed_by            TEXT NOT NULL DEFAULT '',
    handed_over_at       TIMESTAMPTZ,
    qc_passed_at         TIMESTAMPTZ,
    ready_at             TIMESTAMPTZ,
    notify_by            TIMESTAMPTZ,
    settled_at           TIMESTAMPTZ,
    delivered_at         TIMESTAMPTZ,
    cancelled_at         TIMESTAMPTZ,
    cancel_reason        TEXT NOT NULL DEFAULT '',
    rework_count         INT NOT NULL DEFAULT 0,
    late_since           TIMESTAMPTZ,
    stage                TEXT,
    stage_since          TIMESTAMPTZ NOT NULL,
    version              INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, visit_id) REFERENCES visits (site_id, id),
    UNIQUE (site_id, number),
    UNIQUE (site_id, id)
);
CREATE INDEX repair_orders_visit_idx ON repair_orders (visit_id);
CREATE INDEX repair_orders_open_idx ON repair_orders (site_id, state) WHERE state NOT IN ('DELIVERED', 'CANCELLED');
CREATE INDEX repair_orders_advisor_idx ON repair_orders (advisor_id) WHERE state NOT IN ('DELIVERED', 'CANCELLED');

CREATE TABLE jobs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id        BIGINT NOT NULL REFERENCES sites (id),
    order_id       BIGINT NOT NULL,
    description    TEXT NOT NULL CHECK (description <> ''),
    state          TEXT NOT NULL,
    labour_minutes INT NOT NULL CHECK (labour_minutes > 0),
    labour_price   BIGINT NOT NULL CHECK (labour_price >= 0),
    payer          TEXT NOT NULL DEFAULT 'CUSTOMER',
    additional     BOOLEAN NOT NULL DEFAULT FALSE,
    safety         BOOLEAN NOT NULL DEFAULT FALSE,
    technician_id  BIGINT REFERENCES users (id),
    bay_id         BIGINT,
    progress       INT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    pause_reason   TEXT,
    pause_note     TEXT NOT NULL DEFAULT '',
    rework_count   INT NOT NULL DEFAULT 0,
    rework_reason  TEXT NOT NULL DEFAULT '',
    dispatched_at  TIMESTAMPTZ,
    started_at     TIMESTAMPTZ,
    finished_at    TIMESTAMPTZ,
    running_since  TIMESTAMPTZ,
    worked_minutes INT NOT NULL DEFAULT 0,
    version        INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, bay_id) REFERENCES bays (site_id, id)
);
CREATE INDEX jobs_order_idx ON jobs (order_id, id);
CREATE INDEX jobs_technician_idx ON jobs (technician_id) WHERE technician_id IS NOT NULL;

CREATE TABLE parts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     BIGINT NOT NULL REFERENCES sites (id),
    part_number TEXT NOT NULL CHECK (part_number <> ''),
    description TEXT NOT NULL DEFAULT '',
    unit_price  BIGINT NOT NULL CHECK (unit_price >= 0),
    on_hand     INT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved    INT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    CHECK (reserved <= on_hand),
    UNIQUE (site_id, part_number),
    UNIQUE (site_id, id)
);

CREATE TABLE part_lines (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     BIGINT NOT NULL REFERENCES sites (id),
    order_id    BIGINT NOT NULL,
    job_id      BIGINT REFERENCES jobs (id) ON DELETE CASCADE,
    part_id     BIGINT,
    part_number TEXT NOT NULL CHECK (part_number <> ''),
    description TEXT NOT NULL DEFAULT '',
    quantity    INT NOT NULL CHECK (quantity > 0),
    unit_price  BIGINT NOT NULL CHECK (unit_price >= 0),
    payer       TEXT NOT NULL DEFAULT 'CUSTOMER',
    additional  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id)
);
CREATE INDEX part_lines_order_idx ON part_lines (order_id, id);

CREATE TABLE additional_work (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id          BIGINT NOT NULL REFERENCES sites (id),
    order_id         BIGINT NOT NULL,
    found_on_job_id  BIGINT REFERENCES jobs (id),
    job_id           BIGINT NOT NULL UNIQUE REFERENCES jobs (id),
    description      TEXT NOT NULL CHECK (description <> ''),
    reason           TEXT NOT NULL DEFAULT '',
    labour_price     BIGINT NOT NULL CHECK (labour_price >= 0),
    parts_price      BIGINT NOT NULL CHECK (parts_price >= 0),
    extra_minutes    INT NOT NULL CHECK (extra_minutes >= 0),
    safety           BOOLEAN NOT NULL DEFAULT FALSE,
    state            TEXT NOT NULL DEFAULT 'REQUESTED',
    requested_by     BIGINT NOT NULL REFERENCES users (id),
    requested_at     TIMESTAMPTZ NOT NULL,
    decided_by       BIGINT REFERENCES users (id),
    decided_at       TIMESTAMPTZ,
    customer_contact TEXT NOT NULL DEFAULT '',
    contact_method   TEXT,
    decision_note    TEXT NOT NULL DEFAULT '',
    version          INT NOT NULL DEFAULT 1,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    CHECK ((state = 'REQUESTED') = (decided_at IS NULL))
);
CREATE INDEX additional_work_order_idx ON additional_work (order_id, id);

CREATE TABLE checks (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    order_id   BIGINT NOT NULL,
    job_id     BIGINT REFERENCES jobs (id),
    kind       TEXT NOT NULL CHECK (kind IN ('SELF', 'TEAM_LEAD', 'FINAL')),
    passed     BOOLEAN NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    checked_by BIGINT NOT NULL REFERENCES users (id),
    checked_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);
CREATE INDEX checks_order_idx ON checks (order_id, id);

CREATE TABLE settlements (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id           BIGINT NOT NULL REFERENCES sites (id),
    order_id          BIGINT NOT NULL UNIQUE,
    labour            BIGINT NOT NULL,
    parts             BIGINT NOT NULL,
    total             BIGINT NOT NULL CHECK (total = labour + parts),
    customer_share    BIGINT NOT NULL,
    warranty_share    BIGINT NOT NULL,
    insurer_share     BIGINT NOT NULL,
    internal_share    BIGINT NOT NULL,
    payment_method    TEXT NOT NULL,
    payment_reference TEXT NOT NULL DEFAULT '',
    settled_by        BIGINT NOT NULL REFERENCES users (id),
    settled_at        TIMESTAMPTZ NOT NULL,
    CHECK (total = customer_share + warranty_share + insurer_share + internal_share),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);

-- The event log: the transactional outbox, each order's timeline and the
-- audit trail. A row is written in the same transaction as its change. xid
-- records the writing transaction; pos, the cursor clients resume from, is
-- given after commit in commit-safe order, so no reader ever steps over a
-- transaction that commits late (see store/eventlog.go).
CREATE TABLE events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    xid        XID8 NOT NULL DEFAULT pg_current_xact_id(),
    pos        BIGINT UNIQUE,
    kind       TEXT NOT NULL,
    order_id   BIGINT,
    job_id     BIGINT,
    visit_id   BIGINT,
    advisor_id BIGINT,
    actor_id   BIGINT REFERENCES users (id),
    summary    TEXT NOT NULL DEFAULT '',
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_site_idx ON events (site_id, id);
CREATE INDEX events_order_idx ON events (order_id, id) WHERE order_id IS NOT NULL;
CREATE INDEX events_unsequenced_idx ON events (id) WHERE pos IS NULL;
CREATE INDEX events_site_pos_idx ON events (site_id, pos) WHERE pos IS NOT NULL;
CREATE SEQUENCE event_pos_seq;

-- Idempotency keys: a retried mutation with the same key returns the first result.
CREATE TABLE idempotency_keys (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    operation  TEXT NOT NULL,
    input_hash BYTEA NOT NULL,
    result     JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

CREATE SEQUENCE repair_order_number_seq;

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
