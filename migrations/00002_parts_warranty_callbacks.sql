-- +goose Up
-- Parts (reservations, issue slips, receipts, shortages), warranty (decisions,
-- claims, retained parts), callbacks, complaints, service plans and reminders.
-- Money is BIGINT minor units; instants are TIMESTAMPTZ; calendar days of a
-- site (due dates) are DATE in the site's time zone.

-- Site settings for callbacks: days after delivery of the first callback
-- (2 to 7, default 3) and whether the customer's own advisor may not do it.
ALTER TABLE sites
    ADD COLUMN first_callback_days INT NOT NULL DEFAULT 3 CHECK (first_callback_days BETWEEN 2 AND 7),
    ADD COLUMN callback_not_by_advisor BOOLEAN NOT NULL DEFAULT FALSE;

-- A job with unfilled reservations waits for parts; kept by the store in the
-- same transaction as the reservations.
ALTER TABLE jobs ADD COLUMN parts_short BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE jobs ADD CONSTRAINT jobs_site_id_id_key UNIQUE (site_id, id);

CREATE TABLE part_reservations (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id        BIGINT NOT NULL REFERENCES sites (id),
    part_id        BIGINT NOT NULL,
    order_id       BIGINT,
    job_id         BIGINT,
    appointment_id BIGINT,
    quantity       INT NOT NULL CHECK (quantity > 0),
    issued         INT NOT NULL DEFAULT 0 CHECK (issued >= 0),
    state          TEXT NOT NULL CHECK (state IN ('WAITING', 'RESERVED', 'ISSUED', 'RELEASED')),
    reserved_by    BIGINT NOT NULL REFERENCES users (id),
    note           TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    filled_at      TIMESTAMPTZ,
    closed_at      TIMESTAMPTZ,
    version        INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (issued <= quantity),
    CHECK ((order_id IS NULL) <> (appointment_id IS NULL)),
    CHECK (job_id IS NULL OR order_id IS NOT NULL),
    CHECK ((state = 'ISSUED') = (issued = quantity)),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, job_id) REFERENCES jobs (site_id, id),
    FOREIGN KEY (site_id, appointment_id) REFERENCES appointments (site_id, id),
    UNIQUE (site_id, id)
);
CREATE INDEX part_reservations_waiting_idx ON part_reservations (part_id, id) WHERE state = 'WAITING';
CREATE INDEX part_reservations_order_idx ON part_reservations (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX part_reservations_job_idx ON part_reservations (job_id) WHERE job_id IS NOT NULL;

-- Issue slips (出库单): who drew the parts, who issued them; returns of unused parts.
CREATE TABLE part_issues (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id        BIGINT NOT NULL REFERENCES sites (id),
    part_id        BIGINT NOT NULL,
    order_id       BIGINT NOT NULL,
    job_id         BIGINT,
    reservation_id BIGINT,
    quantity       INT NOT NULL CHECK (quantity > 0),
    returned       INT NOT NULL DEFAULT 0 CHECK (returned >= 0),
    drawn_by       BIGINT NOT NULL REFERENCES users (id),
    issued_by      BIGINT NOT NULL REFERENCES users (id),
    issued_at      TIMESTAMPTZ NOT NULL,
    returned_at    TIMESTAMPTZ,
    CHECK (returned <= quantity),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, job_id) REFERENCES jobs (site_id, id),
    FOREIGN KEY (site_id, reservation_id) REFERENCES part_reservations (site_id, id)
);
CREATE INDEX part_issues_order_idx ON part_issues (order_id, id);

-- Goods received, including urgent orders of warranty parts for a repair order.
CREATE TABLE stock_receipts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    part_id      BIGINT NOT NULL,
    quantity     INT NOT NULL CHECK (quantity > 0),
    urgent       BOOLEAN NOT NULL DEFAULT FALSE,
    warranty     BOOLEAN NOT NULL DEFAULT FALSE,
    for_order_id BIGINT,
    reference    TEXT NOT NULL DEFAULT '',
    received_by  BIGINT NOT NULL REFERENCES users (id),
    received_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id),
    FOREIGN KEY (site_id, for_order_id) REFERENCES repair_orders (site_id, id)
);
CREATE INDEX stock_receipts_part_idx ON stock_receipts (part_id, id);

-- The warranty decision (质保范围判定) on one job: who decided, why.
CREATE TABLE warranty_decisions (
    job_id     BIGINT PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    order_id   BIGINT NOT NULL,
    reason     TEXT NOT NULL CHECK (reason <> ''),
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, job_id) REFERENCES jobs (site_id, id),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);

CREATE TABLE warranty_claims (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id            BIGINT NOT NULL REFERENCES sites (id),
    order_id           BIGINT NOT NULL,
    number             TEXT NOT NULL CHECK (number <> ''),
    state              TEXT NOT NULL CHECK (state IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PAID')),
    complaint          TEXT NOT NULL DEFAULT '',
    cause              TEXT NOT NULL DEFAULT '',
    correction         TEXT NOT NULL DEFAULT '',
    causal_part_number TEXT NOT NULL DEFAULT '',
    labour_amount      BIGINT NOT NULL DEFAULT 0 CHECK (labour_amount >= 0),
    parts_amount       BIGINT NOT NULL DEFAULT 0 CHECK (parts_amount >= 0),
    paid_amount        BIGINT CHECK (paid_amount >= 0),
    reject_reason      TEXT NOT NULL DEFAULT '',
    maker_reference    TEXT NOT NULL DEFAULT '',
    created_by         BIGINT NOT NULL REFERENCES users (id),
    submitted_at       TIMESTAMPTZ,
    decided_at         TIMESTAMPTZ,
    paid_at            TIMESTAMPTZ,
    version            INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    CHECK ((state = 'REJECTED') = (reject_reason <> '')),
    CHECK ((state = 'PAID') = (paid_at IS NOT NULL)),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    UNIQUE (site_id, number),
    UNIQUE (site_id, id)
);
CREATE INDEX warranty_claims_order_idx ON warranty_claims (order_id);
CREATE INDEX warranty_claims_open_idx ON warranty_claims (site_id, state) WHERE state <> 'PAID';

-- The warranty jobs a claim gathers; a job is claimed once.
CREATE TABLE warranty_claim_jobs (
    claim_id BIGINT NOT NULL REFERENCES warranty_claims (id) ON DELETE CASCADE,
    job_id   BIGINT NOT NULL UNIQUE REFERENCES warranty_decisions (job_id),
    PRIMARY KEY (claim_id, job_id)
);

-- Replaced parts of warranty jobs (保修件): where they are, what becomes of them, by when.
CREATE TABLE retained_parts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id          BIGINT NOT NULL REFERENCES sites (id),
    order_id         BIGINT NOT NULL,
    claim_id         BIGINT,
    part_number      TEXT NOT NULL CHECK (part_number <> ''),
    description      TEXT NOT NULL DEFAULT '',
    quantity         INT NOT NULL CHECK (quantity > 0),
    location         TEXT NOT NULL CHECK (location <> ''),
    disposition      TEXT NOT NULL CHECK (disposition IN ('KEPT', 'SHIPPED_BACK', 'SCRAPPED')),
    deadline         DATE NOT NULL,
    shipment_ref     TEXT NOT NULL DEFAULT '',
    retained_by      BIGINT NOT NULL REFERENCES users (id),
    retained_at      TIMESTAMPTZ NOT NULL,
    disposed_by      BIGINT REFERENCES users (id),
    disposed_at      TIMESTAMPTZ,
    version          INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK ((disposition = 'KEPT') = (disposed_at IS NULL)),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, claim_id) REFERENCES warranty_claims (site_id, id)
);
CREATE INDEX retained_parts_kept_idx ON retained_parts (site_id, deadline) WHERE disposition = 'KEPT';

-- Follow-up calls after delivery (回访): the first and the second.
CREATE TABLE callbacks (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id          BIGINT NOT NULL REFERENCES sites (id),
    order_id         BIGINT NOT NULL,
    customer_id      BIGINT NOT NULL,
    advisor_id       BIGINT NOT NULL REFERENCES users (id),
    seq              INT NOT NULL CHECK (seq IN (1, 2)),
    due_on           DATE NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('DUE', 'DONE', 'UNREACHABLE', 'CANCELLED')),
    attempts         INT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    first_attempt_at TIMESTAMPTZ,
    last_attempt_at  TIMESTAMPTZ,
    reached          BOOLEAN NOT NULL DEFAULT FALSE,
    satisfaction     INT CHECK (satisfaction BETWEEN 1 AND 5),
    remarks          TEXT NOT NULL DEFAULT '',
    problem          BOOLEAN NOT NULL DEFAULT FALSE,
    fallback         TEXT CHECK (fallback IN ('MESSAGE', 'LETTER')),
    done_by          BIGINT REFERENCES users (id),
    done_at          TIMESTAMPTZ,
    due_notified_on  DATE,
    version          INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       TIMESTAMPTZ NOT NULL,
    CHECK ((state = 'UNREACHABLE') = (fallback IS NOT NULL)),
    CHECK (satisfaction IS NULL OR reached),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, customer_id) REFERENCES customers (site_id, id),
    UNIQUE (order_id, seq),
    UNIQUE (site_id, id)
);
CREATE INDEX callbacks_due_idx ON callbacks (site_id, due_on) WHERE state = 'DUE';

-- The callback phone log (回访电话记录): every try.
CREATE TABLE callback_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    callback_id BIGINT NOT NULL REFERENCES callbacks (id),
    reached     BOOLEAN NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    by_user     BIGINT NOT NULL REFERENCES users (id),
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX callback_attempts_callback_idx ON callback_attempts (callback_id, id);

-- Complaints (投诉) with first-contact responsibility (首问责任制).
CREATE TABLE complaints (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id             BIGINT NOT NULL REFERENCES sites (id),
    customer_id         BIGINT NOT NULL,
    order_id            BIGINT,
    callback_id         BIGINT,
    owner_id            BIGINT NOT NULL REFERENCES users (id),
    description         TEXT NOT NULL CHECK (description <> ''),
    state               TEXT NOT NULL CHECK (state IN ('OPEN', 'ESCALATED', 'CLOSED', 'VERIFIED')),
    promised_answer_at  TIMESTAMPTZ NOT NULL,
    opened_at           TIMESTAMPTZ NOT NULL,
    escalated_at        TIMESTAMPTZ,
    supervisor_id       BIGINT REFERENCES users (id),
    resolution          TEXT NOT NULL DEFAULT '',
    closed_at           TIMESTAMPTZ,
    closed_by           BIGINT REFERENCES users (id),
    check_due_on        DATE,
    checked_at          TIMESTAMPTZ,
    satisfied           BOOLEAN,
    version             INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK ((state IN ('CLOSED', 'VERIFIED')) = (closed_at IS NOT NULL)),
    CHECK (state <> 'VERIFIED' OR checked_at IS NOT NULL),
    FOREIGN KEY (site_id, customer_id) REFERENCES customers (site_id, id),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id),
    FOREIGN KEY (site_id, callback_id) REFERENCES callbacks (site_id, id),
    UNIQUE (site_id, id)
);
CREATE INDEX complaints_open_idx ON complaints (site_id, opened_at) WHERE state IN ('OPEN', 'ESCALATED');
CREATE INDEX complaints_customer_idx ON complaints (customer_id);

-- Service plans per vehicle by date and mileage, and their reminder tasks (招揽).
CREATE TABLE service_plans (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     BIGINT NOT NULL REFERENCES sites (id),
    vehicle_id  BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('FIRST_SERVICE', 'ROUTINE')),
    due_on      DATE NOT NULL,
    due_mileage INT CHECK (due_mileage >= 0),
    state       TEXT NOT NULL CHECK (state IN ('OPEN', 'DONE', 'CANCELLED')),
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, vehicle_id) REFERENCES vehicles (site_id, id),
    UNIQUE (vehicle_id, kind, due_on),
    UNIQUE (site_id, id)
);
CREATE INDEX service_plans_vehicle_idx ON service_plans (vehicle_id);

CREATE TABLE reminders (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id  BIGINT NOT NULL REFERENCES sites (id),
    plan_id  BIGINT NOT NULL,
    step     INT NOT NULL CHECK (step BETWEEN 1 AND 3),
    channel  TEXT NOT NULL CHECK (channel IN ('LETTER', 'MESSAGE', 'CALL')),
    due_on   DATE NOT NULL,
    done_at  TIMESTAMPTZ,
    done_by  BIGINT REFERENCES users (id),
    outcome  TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (site_id, plan_id) REFERENCES service_plans (site_id, id),
    UNIQUE (plan_id, step)
);
CREATE INDEX reminders_due_idx ON reminders (site_id, due_on) WHERE done_at IS NULL;

CREATE SEQUENCE warranty_claim_number_seq;

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
