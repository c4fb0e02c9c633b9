-- +goose Up
-- Master data through the API (issue 15): a site's weekly hours and closed
-- days, bays that can be retired, labour rates, teams (班组) with a lead,
-- versions on what administrators edit, token IDs to revoke by, the labour
-- operation catalogue (工时标准) with per-model differences, maintenance
-- packages by mileage, the person who usually brings a car in (送修人), and
-- customer merges.

ALTER TABLE sites ADD COLUMN version INT NOT NULL DEFAULT 1;

-- Hours of one weekday (0 Sunday … 6 Saturday), minutes after local midnight;
-- a weekday without a row keeps the site's opens_at/closes_at.
CREATE TABLE site_hours (
    site_id   BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    weekday   SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    closed    BOOLEAN NOT NULL DEFAULT FALSE,
    opens_at  INT NOT NULL DEFAULT 0 CHECK (opens_at BETWEEN 0 AND 1440),
    closes_at INT NOT NULL DEFAULT 0 CHECK (closes_at BETWEEN 0 AND 1440),
    CHECK (closed OR opens_at < closes_at),
    PRIMARY KEY (site_id, weekday)
);

-- Local dates the site is closed (holidays, 春节).
CREATE TABLE site_closed_days (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    day     DATE NOT NULL,
    reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site_id, day)
);

ALTER TABLE bays ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE bays ADD COLUMN version INT NOT NULL DEFAULT 1;

-- Hourly labour rates by kind of work; the site's labour_rate stays the default.
CREATE TABLE labour_rates (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    code       TEXT NOT NULL CHECK (code <> ''),
    name       TEXT NOT NULL CHECK (name <> ''),
    rate       BIGINT NOT NULL CHECK (rate >= 0),
    version    INT NOT NULL DEFAULT 1,
    UNIQUE (site_id, code)
);

CREATE TABLE teams (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    name    TEXT NOT NULL CHECK (name <> ''),
    lead_id BIGINT REFERENCES users (id),
    version INT NOT NULL DEFAULT 1,
    UNIQUE (site_id, name)
);

ALTER TABLE users ADD COLUMN team_id BIGINT REFERENCES teams (id);
ALTER TABLE users ADD COLUMN version INT NOT NULL DEFAULT 1;

-- A token is named by its ID on the API (its plain text is shown once).
ALTER TABLE tokens ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE;
ALTER TABLE tokens ADD COLUMN issued_by BIGINT REFERENCES users (id);

-- The labour operation catalogue (工时标准). price NULL: minutes at the rate.
CREATE TABLE labour_operations (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id          BIGINT NOT NULL REFERENCES sites (id),
    code             TEXT NOT NULL CHECK (code <> ''),
    name             TEXT NOT NULL CHECK (name <> ''),
    standard_minutes INT NOT NULL CHECK (standard_minutes > 0),
    price            BIGINT CHECK (price >= 0),
    rate_code        TEXT NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    version          INT NOT NULL DEFAULT 1,
    UNIQUE (site_id, code),
    UNIQUE (site_id, id)
);

-- Where a model differs from the standard.
CREATE TABLE labour_operation_models (
    operation_id     BIGINT NOT NULL REFERENCES labour_operations (id) ON DELETE CASCADE,
    model            TEXT NOT NULL CHECK (model <> ''),
    standard_minutes INT NOT NULL CHECK (standard_minutes > 0),
    price            BIGINT CHECK (price >= 0),
    PRIMARY KEY (operation_id, model)
);

-- Maintenance packages (保养套餐) by mileage: operations and parts.
CREATE TABLE service_packages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    code       TEXT NOT NULL CHECK (code <> ''),
    name       TEXT NOT NULL CHECK (name <> ''),
    mileage_km INT NOT NULL CHECK (mileage_km > 0),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    version    INT NOT NULL DEFAULT 1,
    UNIQUE (site_id, code),
    UNIQUE (site_id, id)
);

CREATE TABLE service_package_operations (
    package_id   BIGINT NOT NULL REFERENCES service_packages (id) ON DELETE CASCADE,
    position     INT NOT NULL,
    operation_id BIGINT NOT NULL REFERENCES labour_operations (id),
    PRIMARY KEY (package_id, position)
);

CREATE TABLE service_package_parts (
    package_id  BIGINT NOT NULL REFERENCES service_packages (id) ON DELETE CASCADE,
    position    INT NOT NULL,
    part_number TEXT NOT NULL CHECK (part_number <> ''),
    quantity    INT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (package_id, position)
);

-- The person who usually brings the car in (送修人), when not its owner.
ALTER TABLE vehicles ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';

-- A merged duplicate points at the survivor; its history moved there.
ALTER TABLE customers ADD COLUMN merged_into BIGINT;
ALTER TABLE customers ADD FOREIGN KEY (site_id, merged_into) REFERENCES customers (site_id, id);
ALTER TABLE customers ADD CHECK (merged_into <> id);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
