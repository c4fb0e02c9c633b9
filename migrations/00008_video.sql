-- +goose Up
-- Short videos attach like photos (issue 17): MP4, QuickTime or WebM, kept
-- as uploaded but for their location metadata. A video has no thumbnail
-- (thumb_key '') and, when its header does not say, no width and height (0).
ALTER TABLE attachments DROP CONSTRAINT attachments_content_type_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_content_type_check
    CHECK (content_type IN ('image/jpeg', 'image/png', 'video/mp4', 'video/quicktime', 'video/webm'));
ALTER TABLE attachments DROP CONSTRAINT attachments_width_check;
ALTER TABLE attachments DROP CONSTRAINT attachments_height_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_size_check
    CHECK (width >= 0 AND height >= 0 AND (content_type LIKE 'video/%' OR (width > 0 AND height > 0)));
ALTER TABLE attachments DROP CONSTRAINT attachments_thumb_key_key;
CREATE UNIQUE INDEX attachments_thumb_key_idx ON attachments (thumb_key) WHERE thumb_key <> '';
ALTER TABLE attachments ADD CONSTRAINT attachments_thumb_check
    CHECK (thumb_key <> '' OR content_type LIKE 'video/%');

-- +goose Down
ALTER TABLE attachments DROP CONSTRAINT attachments_thumb_check;
DROP INDEX attachments_thumb_key_idx;
ALTER TABLE attachments ADD CONSTRAINT attachments_thumb_key_key UNIQUE (thumb_key);
ALTER TABLE attachments DROP CONSTRAINT attachments_size_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_width_check CHECK (width > 0);
ALTER TABLE attachments ADD CONSTRAINT attachments_height_check CHECK (height > 0);
ALTER TABLE attachments DROP CONSTRAINT attachments_content_type_check;
ALTER TABLE attachments ADD CONSTRAINT attachments_content_type_check CHECK (content_type IN ('image/jpeg', 'image/png'));
