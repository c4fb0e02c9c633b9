-- +goose Up
-- Parts that move with the work: part lines reserve and are issued against
-- (出库单), a ledger of stock movements that always adds up to on hand,
-- branch stores and transfers (调拨), stocktakes (盘库), suppliers and
-- purchase orders, reorder points and moving average cost.
-- Money is BIGINT minor units; instants are TIMESTAMPTZ.

-- Reorder point (订货点): a part at or below it shows on the reorder list.
-- Average cost: moving average of what received stock cost, per unit.
ALTER TABLE parts
    ADD COLUMN reorder_point INT NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    ADD COLUMN avg_cost BIGINT NOT NULL DEFAULT 0 CHECK (avg_cost >= 0);

-- A part line's own reservation and issue slips: the bill charges what was
-- issued against the line minus what came back, never the quoted quantity.
ALTER TABLE part_lines ADD CONSTRAINT part_lines_site_id_id_key UNIQUE (site_id, id);
-- What settlement billed of the line (issued minus returned); NULL until settled.
ALTER TABLE part_lines ADD COLUMN billed_quantity INT CHECK (billed_quantity >= 0);
ALTER TABLE part_reservations
    ADD COLUMN part_line_id BIGINT,
    -- The appointment a reservation was made for before the car came in and
    -- the reservation became the repair order's.
    ADD COLUMN from_appointment_id BIGINT REFERENCES appointments (id),
    ADD CONSTRAINT part_reservations_line_fkey FOREIGN KEY (site_id, part_line_id)
        REFERENCES part_lines (site_id, id) ON DELETE SET NULL (part_line_id);
CREATE INDEX part_reservations_line_idx ON part_reservations (part_line_id) WHERE part_line_id IS NOT NULL;
CREATE INDEX part_reservations_appointment_idx ON part_reservations (appointment_id) WHERE appointment_id IS NOT NULL;

-- Removing a job from a draft keeps the history of its reservations (released).
ALTER TABLE part_reservations DROP CONSTRAINT part_reservations_site_id_job_id_fkey;
ALTER TABLE part_reservations ADD CONSTRAINT part_reservations_site_id_job_id_fkey
    FOREIGN KEY (site_id, job_id) REFERENCES jobs (site_id, id) ON DELETE SET NULL (job_id);

ALTER TABLE part_issues
    ADD COLUMN part_line_id BIGINT,
    -- The part's average cost when issued: the cost of the parts sold.
    ADD COLUMN unit_cost BIGINT NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    ADD CONSTRAINT part_issues_line_fkey FOREIGN KEY (site_id, part_line_id)
        REFERENCES part_lines (site_id, id) ON DELETE SET NULL (part_line_id);
CREATE INDEX part_issues_line_idx ON part_issues (part_line_id) WHERE part_line_id IS NOT NULL;

-- Branch stores (分库) of a site. The main store is the parts row itself
-- (on_hand, reserved); a branch holds stock only, moved there by transfers.
CREATE TABLE stock_stores (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    name    TEXT NOT NULL CHECK (name <> ''),
    UNIQUE (site_id, name),
    UNIQUE (site_id, id)
);

CREATE TABLE branch_stock (
    store_id BIGINT NOT NULL,
    part_id  BIGINT NOT NULL,
    site_id  BIGINT NOT NULL,
    on_hand  INT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    PRIMARY KEY (store_id, part_id),
    FOREIGN KEY (site_id, store_id) REFERENCES stock_stores (site_id, id),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id)
);

-- Transfers (调拨) between the main store (NULL) and a branch, or two branches.
CREATE TABLE stock_transfers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id       BIGINT NOT NULL REFERENCES sites (id),
    part_id       BIGINT NOT NULL,
    from_store_id BIGINT,
    to_store_id   BIGINT,
    quantity      INT NOT NULL CHECK (quantity > 0),
    note          TEXT NOT NULL DEFAULT '',
    moved_by      BIGINT NOT NULL REFERENCES users (id),
    moved_at      TIMESTAMPTZ NOT NULL,
    CHECK (from_store_id IS DISTINCT FROM to_store_id),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id),
    FOREIGN KEY (site_id, from_store_id) REFERENCES stock_stores (site_id, id),
    FOREIGN KEY (site_id, to_store_id) REFERENCES stock_stores (site_id, id)
);

-- Stocktakes (盘库): the book and counted quantity of each part counted;
-- a difference is booked as an ADJUSTMENT movement with its reason, posted by
-- a service manager.
CREATE TABLE stocktakes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    store_id   BIGINT,
    note       TEXT NOT NULL DEFAULT '',
    posted_by  BIGINT NOT NULL REFERENCES users (id),
    posted_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, id),
    FOREIGN KEY (site_id, store_id) REFERENCES stock_stores (site_id, id)
);

CREATE TABLE stocktake_lines (
    stocktake_id BIGINT NOT NULL REFERENCES stocktakes (id),
    part_id      BIGINT NOT NULL REFERENCES parts (id),
    book         INT NOT NULL CHECK (book >= 0),
    counted      INT NOT NULL CHECK (counted >= 0),
    reason       TEXT NOT NULL DEFAULT '',
    CHECK (book = counted OR reason <> ''),
    PRIMARY KEY (stocktake_id, part_id)
);

-- Suppliers (供应商) and purchase orders (采购单) received against.
CREATE TABLE suppliers (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    name    TEXT NOT NULL CHECK (name <> ''),
    contact TEXT NOT NULL DEFAULT '',
    phone   TEXT NOT NULL DEFAULT '',
    UNIQUE (site_id, name),
    UNIQUE (site_id, id)
);

CREATE TABLE purchase_orders (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     BIGINT NOT NULL REFERENCES sites (id),
    supplier_id BIGINT NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('OPEN', 'RECEIVED', 'CANCELLED')),
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    closed_at   TIMESTAMPTZ,
    version     INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    UNIQUE (site_id, id),
    FOREIGN KEY (site_id, supplier_id) REFERENCES suppliers (site_id, id)
);

CREATE TABLE purchase_order_lines (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id           BIGINT NOT NULL,
    purchase_order_id BIGINT NOT NULL,
    part_id           BIGINT NOT NULL,
    quantity          INT NOT NULL CHECK (quantity > 0),
    received          INT NOT NULL DEFAULT 0 CHECK (received >= 0),
    unit_cost         BIGINT NOT NULL CHECK (unit_cost >= 0),
    CHECK (received <= quantity),
    UNIQUE (purchase_order_id, part_id),
    FOREIGN KEY (site_id, purchase_order_id) REFERENCES purchase_orders (site_id, id),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id)
);
CREATE INDEX purchase_order_lines_part_idx ON purchase_order_lines (part_id);

ALTER TABLE stock_receipts
    ADD COLUMN purchase_order_line_id BIGINT REFERENCES purchase_order_lines (id),
    ADD COLUMN unit_cost BIGINT CHECK (unit_cost >= 0);

-- The stock ledger: every change of a store's on hand is one movement, so
-- for every part and store the movements add up to on hand. store_id NULL is
-- the main store (parts.on_hand), otherwise a branch (branch_stock.on_hand).
CREATE TABLE stock_movements (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    part_id      BIGINT NOT NULL,
    store_id     BIGINT,
    kind         TEXT NOT NULL CHECK (kind IN ('OPENING', 'RECEIPT', 'ISSUE', 'RETURN', 'ADJUSTMENT',
                                               'TRANSFER_OUT', 'TRANSFER_IN')),
    quantity     INT NOT NULL CHECK (quantity <> 0),
    unit_cost    BIGINT NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    receipt_id   BIGINT REFERENCES stock_receipts (id),
    issue_id     BIGINT REFERENCES part_issues (id),
    transfer_id  BIGINT REFERENCES stock_transfers (id),
    stocktake_id BIGINT REFERENCES stocktakes (id),
    reason       TEXT NOT NULL DEFAULT '',
    moved_by     BIGINT REFERENCES users (id),
    moved_at     TIMESTAMPTZ NOT NULL,
    CHECK ((kind IN ('TRANSFER_OUT', 'TRANSFER_IN')) = (transfer_id IS NOT NULL)),
    CHECK ((kind = 'ADJUSTMENT') = (stocktake_id IS NOT NULL)),
    CHECK (kind NOT IN ('ISSUE', 'RETURN') OR issue_id IS NOT NULL),
    CHECK ((kind IN ('ISSUE', 'TRANSFER_OUT')) <= (quantity < 0)),
    CHECK ((kind IN ('OPENING', 'RECEIPT', 'RETURN', 'TRANSFER_IN')) <= (quantity > 0)),
    FOREIGN KEY (site_id, part_id) REFERENCES parts (site_id, id),
    FOREIGN KEY (site_id, store_id) REFERENCES stock_stores (site_id, id)
);
CREATE INDEX stock_movements_part_idx ON stock_movements (part_id, store_id, id);

-- Stock that existed before the ledger opens it.
INSERT INTO stock_movements (site_id, part_id, kind, quantity, moved_at)
SELECT site_id, id, 'OPENING', on_hand, now() FROM parts WHERE on_hand > 0;

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
