-- +goose Up
-- Time that is real (issue 15): the rota (who works which day and shift, who
-- is on leave), technicians' skills, the skill a job needs, each site's
-- appointment capacity, the day-before appointment reminder tasks, and
-- follow-up tasks that close themselves as MISSED once their window passes.
-- Shift times are minutes after local midnight of the site's time zone.

-- The rota (排班): one row per user and local day, a shift or leave.
CREATE TABLE shifts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    day        DATE NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('WORK', 'LEAVE')),
    starts_at  INT CHECK (starts_at BETWEEN 0 AND 1440),
    ends_at    INT CHECK (ends_at BETWEEN 0 AND 1440),
    note       TEXT NOT NULL DEFAULT '',
    set_by     BIGINT NOT NULL REFERENCES users (id),
    set_at     TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'WORK') = (starts_at IS NOT NULL AND ends_at IS NOT NULL)),
    CHECK (kind <> 'WORK' OR starts_at < ends_at),
    UNIQUE (site_id, user_id, day)
);
CREATE INDEX shifts_site_day_idx ON shifts (site_id, day);

-- Technicians' skills (技能), e.g. ELECTRICAL, BODY, PAINT, AC.
CREATE TABLE user_skills (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    skill   TEXT NOT NULL CHECK (skill ~ '^[A-Z][A-Z0-9_]{0,31}$'),
    PRIMARY KEY (user_id, skill)
);

-- The skill a job needs, if any: only technicians with it count for it.
ALTER TABLE jobs ADD COLUMN required_skill TEXT CHECK (required_skill ~ '^[A-Z][A-Z0-9_]{0,31}$');

-- A site's appointment capacity: how many appointments one slot takes, and
-- the labour an appointment is expected to bring. A site without a row has
-- the defaults (shop.DefaultAppointmentCapacity).
CREATE TABLE appointment_capacity (
    site_id         BIGINT PRIMARY KEY REFERENCES sites (id),
    slot_minutes    INT NOT NULL CHECK (slot_minutes IN (15, 20, 30, 60, 120, 240)),
    per_slot        INT NOT NULL CHECK (per_slot BETWEEN 1 AND 100),
    expected_minutes INT NOT NULL CHECK (expected_minutes BETWEEN 1 AND 1440)
);

-- The day-before reminder of an appointment, on its advisor's follow-up list.
CREATE TABLE appointment_reminders (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id        BIGINT NOT NULL REFERENCES sites (id),
    appointment_id BIGINT NOT NULL UNIQUE,
    advisor_id     BIGINT REFERENCES users (id),
    due_on         DATE NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('DUE', 'DONE', 'MISSED', 'CANCELLED')),
    done_at        TIMESTAMPTZ,
    done_by        BIGINT REFERENCES users (id),
    outcome        TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    CHECK ((state = 'DUE') = (done_at IS NULL)),
    FOREIGN KEY (site_id, appointment_id) REFERENCES appointments (site_id, id)
);
CREATE INDEX appointment_reminders_due_idx ON appointment_reminders (site_id, due_on) WHERE state = 'DUE';

-- Callbacks and reminders past their window close themselves as MISSED.
ALTER TABLE callbacks DROP CONSTRAINT callbacks_state_check;
ALTER TABLE callbacks ADD CONSTRAINT callbacks_state_check CHECK (state IN ('DUE', 'DONE', 'UNREACHABLE', 'CANCELLED', 'MISSED'));
ALTER TABLE reminders ADD COLUMN missed_at TIMESTAMPTZ;
ALTER TABLE reminders ADD CONSTRAINT reminders_missed_check CHECK (missed_at IS NULL OR done_at IS NULL);

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;
