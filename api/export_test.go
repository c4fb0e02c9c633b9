package api

import "testing"

// PhoneMP4 is phoneMP4 for the upload tests of package api_test: a fast
// start MP4 with the phone's location in moov/udta/©xyz and moov/meta.
func PhoneMP4() []byte { return phoneMP4(phoneMP4Opts{}) }

// RecordedWebM is recordedWebM for package api_test.
func RecordedWebM(tags bool) []byte { return recordedWebM("webm", tags, false) }

// ChunkOffsets is readChunkOffsets for package api_test.
func ChunkOffsets(t *testing.T, f []byte) []uint64 { return readChunkOffsets(t, f) }
