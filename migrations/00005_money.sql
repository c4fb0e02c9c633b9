-- +goose Up
-- Money that adds up (issue 15): the deposit credited once, discounts with
-- their approver, the service manager's sign-off, part payments, account
-- customers (签单), receivables from the insurer, the maker and accounts, and
-- the invoice (发票) number. Money is BIGINT minor units (fen), never float.

-- The settlement's new amounts. The shares now include the account share,
-- and the total is net of the discount: the two old checks give way to these.
ALTER TABLE settlements
    DROP CONSTRAINT settlements_check,
    DROP CONSTRAINT settlements_check1,
    ADD COLUMN discount             BIGINT NOT NULL DEFAULT 0 CHECK (discount >= 0),
    ADD COLUMN discount_reason      TEXT NOT NULL DEFAULT '',
    ADD COLUMN discount_approved_by BIGINT REFERENCES users (id),
    ADD COLUMN account_share        BIGINT NOT NULL DEFAULT 0 CHECK (account_share >= 0),
    ADD COLUMN deposit_from         BIGINT REFERENCES appointments (id),
    ADD COLUMN deposit_credited     BIGINT NOT NULL DEFAULT 0 CHECK (deposit_credited >= 0),
    ADD COLUMN deposit_refund       BIGINT NOT NULL DEFAULT 0 CHECK (deposit_refund >= 0),
    ADD COLUMN paid                 BIGINT NOT NULL DEFAULT 0 CHECK (paid >= 0),
    ADD COLUMN invoice_number       TEXT NOT NULL DEFAULT '',
    ADD COLUMN signed_off_by        BIGINT REFERENCES users (id),
    ADD CONSTRAINT settlements_total_net_check CHECK (total = labour + parts - discount),
    ADD CONSTRAINT settlements_shares_check
        CHECK (total = customer_share + warranty_share + insurer_share + account_share + internal_share),
    ADD CONSTRAINT settlements_customer_paid_check CHECK (deposit_credited + paid <= customer_share),
    ADD CONSTRAINT settlements_deposit_check CHECK (deposit_from IS NOT NULL OR deposit_credited + deposit_refund = 0);

-- Settlements existing before this migration were paid in full at the counter.
UPDATE settlements SET paid = customer_share;

-- A deposit is credited to one settlement only.
CREATE UNIQUE INDEX settlements_deposit_from_key ON settlements (deposit_from) WHERE deposit_from IS NOT NULL;
-- An invoice number is used once per site.
CREATE UNIQUE INDEX settlements_invoice_key ON settlements (site_id, invoice_number) WHERE invoice_number <> '';
CREATE INDEX settlements_site_time_idx ON settlements (site_id, settled_at);

-- Payments at the counter against a settlement; part payments are several rows.
CREATE TABLE payments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id       BIGINT NOT NULL REFERENCES sites (id),
    settlement_id BIGINT NOT NULL REFERENCES settlements (id),
    order_id      BIGINT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    method        TEXT NOT NULL CHECK (method <> 'NONE'),
    reference     TEXT NOT NULL DEFAULT '',
    received_by   BIGINT NOT NULL REFERENCES users (id),
    received_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);
CREATE INDEX payments_settlement_idx ON payments (settlement_id, id);

-- The settlement's payments written before this migration.
INSERT INTO payments (site_id, settlement_id, order_id, amount, method, reference, received_by, received_at)
SELECT site_id, id, order_id, customer_share, payment_method, payment_reference, settled_by, settled_at
FROM settlements WHERE customer_share > 0 AND payment_method <> 'NONE';
UPDATE settlements s SET paid = 0 WHERE customer_share > 0 AND payment_method = 'NONE';

-- Discounts approved and bills signed off before settlement; a new approval
-- of the same kind replaces the old one.
CREATE TABLE settlement_approvals (
    site_id       BIGINT NOT NULL REFERENCES sites (id),
    order_id      BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('DISCOUNT', 'SIGN_OFF')),
    amount        BIGINT NOT NULL CHECK (amount >= 0),
    reason        TEXT NOT NULL DEFAULT '',
    approved_by   BIGINT NOT NULL REFERENCES users (id),
    approver_role TEXT NOT NULL,
    approved_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, kind),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);

-- Account customers (签单): they sign the bill and pay later, up to the limit.
CREATE TABLE customer_accounts (
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    customer_id  BIGINT NOT NULL,
    credit_limit BIGINT NOT NULL CHECK (credit_limit >= 0),
    updated_by   BIGINT NOT NULL REFERENCES users (id),
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id),
    FOREIGN KEY (site_id, customer_id) REFERENCES customers (site_id, id)
);

-- What the insurer, the maker (warranty) and account customers owe.
CREATE TABLE receivables (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id       BIGINT NOT NULL REFERENCES sites (id),
    settlement_id BIGINT NOT NULL REFERENCES settlements (id),
    order_id      BIGINT NOT NULL,
    payer         TEXT NOT NULL CHECK (payer IN ('INSURER', 'WARRANTY', 'ACCOUNT')),
    customer_id   BIGINT,
    debtor        TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL CHECK (amount > 0),
    paid          BIGINT NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= amount),
    opened_at     TIMESTAMPTZ NOT NULL,
    version       INT NOT NULL DEFAULT 1,
    UNIQUE (settlement_id, payer),
    CHECK ((payer = 'ACCOUNT') = (customer_id IS NOT NULL)),
    FOREIGN KEY (site_id, order_id) REFERENCES repair_orders (site_id, id)
);
CREATE INDEX receivables_open_idx ON receivables (site_id, payer, opened_at) WHERE paid < amount;
CREATE INDEX receivables_customer_idx ON receivables (customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE receivable_payments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id       BIGINT NOT NULL REFERENCES sites (id),
    receivable_id BIGINT NOT NULL REFERENCES receivables (id),
    amount        BIGINT NOT NULL CHECK (amount > 0),
    reference     TEXT NOT NULL DEFAULT '',
    received_by   BIGINT NOT NULL REFERENCES users (id),
    received_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX receivable_payments_receivable_idx ON receivable_payments (receivable_id, id);

-- Receivables of settlements written before this migration.
INSERT INTO receivables (site_id, settlement_id, order_id, payer, amount, opened_at)
SELECT site_id, id, order_id, 'INSURER', insurer_share, settled_at FROM settlements WHERE insurer_share > 0
UNION ALL
SELECT site_id, id, order_id, 'WARRANTY', warranty_share, settled_at FROM settlements WHERE warranty_share > 0;

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
