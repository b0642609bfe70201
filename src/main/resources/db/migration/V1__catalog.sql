-- The persistent catalog: uploaded images, VM definitions and snapshots.
-- Portable SQL: the same script runs on H2 and PostgreSQL (BYTEA, VARCHAR, BIGINT,
-- TIMESTAMP WITH TIME ZONE and plain foreign keys only). Large contents are split into rows
-- of at most 1 MiB so neither database has to hold one huge value.

CREATE TABLE image (
    id         VARCHAR(36)  NOT NULL PRIMARY KEY,
    name       VARCHAR(255) NOT NULL,
    sha256     VARCHAR(64)  NOT NULL UNIQUE,
    size       BIGINT       NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE image_chunk (
    image_id VARCHAR(36) NOT NULL REFERENCES image (id),
    seq      INTEGER     NOT NULL,
    data     BYTEA       NOT NULL,
    PRIMARY KEY (image_id, seq)
);

-- A VM definition as JSON, written on create and update and read back at startup.
CREATE TABLE vm_definition (
    id         VARCHAR(36)     NOT NULL PRIMARY KEY,
    name       VARCHAR(100),
    definition VARCHAR(1000000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Which images a definition names (boot kernel, initrd, flat image): an image in use cannot go.
CREATE TABLE vm_definition_image (
    vm_id    VARCHAR(36) NOT NULL REFERENCES vm_definition (id),
    image_id VARCHAR(36) NOT NULL REFERENCES image (id),
    PRIMARY KEY (vm_id, image_id)
);

-- One snapshot: the state section (vcpus, clock, device records, memory layout) in the row,
-- guest memory in snapshot_chunk rows. checksum is the SHA-256 of the state section followed
-- by every chunk in seq order; chunk_count lets a reader tell a truncated snapshot.
CREATE TABLE snapshot (
    id             VARCHAR(36)      NOT NULL PRIMARY KEY,
    vm_id          VARCHAR(36)      NOT NULL REFERENCES vm_definition (id),
    name           VARCHAR(100)     NOT NULL,
    parent_id      VARCHAR(36)      REFERENCES snapshot (id),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    format_version INTEGER          NOT NULL,
    definition     VARCHAR(1000000) NOT NULL,
    state          BYTEA            NOT NULL,
    chunk_count    INTEGER          NOT NULL,
    size           BIGINT           NOT NULL,
    checksum       VARCHAR(64)      NOT NULL
);

CREATE INDEX snapshot_vm ON snapshot (vm_id);

CREATE TABLE snapshot_chunk (
    snapshot_id VARCHAR(36) NOT NULL REFERENCES snapshot (id),
    seq         INTEGER     NOT NULL,
    data        BYTEA       NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
);
